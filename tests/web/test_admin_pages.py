"""Admin pages: users of several organizations with their organization, search and keyset pages;
the menu links the exchange admin for owner admins."""

from __future__ import annotations

from lxml import html as lxml_html

from portal.db import unit_of_work
from portal.models import User
from portal.web.views.admin import USERS_PER_PAGE
from tests.web.conftest import WebWorld, password_hash


def _many_users(world: WebWorld, slug: str, count: int) -> None:
    with unit_of_work(world.scene.factory) as uow:
        for n in range(count):
            uow.session.add(
                User(
                    organization_id=world.scene.orgs[slug].id,
                    email=f"user{n:03d}@{slug}.example",
                    name=f"Person {n:03d} {slug}",
                    password_hash=password_hash(),
                    roles="member",
                )
            )


def test_owner_admin_sees_each_users_organization_and_can_search(world: WebWorld) -> None:
    client = world.client("owner")
    tree = lxml_html.fromstring(client.get("/admin/users", params={"lang": "en"}).text)
    rows = {
        tr.xpath('string(td[@data-label="E-mail"])'): tr.xpath('string(td[@data-label="Organization"])')
        for tr in tree.xpath("//table//tbody/tr")
    }
    assert rows["supplier-a@example.test"] == "Supplier A"
    assert rows["dealer-group@example.test"] == "Dealer Group"
    found = lxml_html.fromstring(client.get("/admin/users", params={"q": "supplier a"}).text)
    emails = found.xpath('//td[@data-label="E-mail"]/text()')
    assert emails == ["supplier-a@example.test"]


def test_users_come_in_keyset_pages_covering_everyone_once(world: WebWorld) -> None:
    _many_users(world, "dealer-other", USERS_PER_PAGE + 7)
    client = world.client("dealer-other")
    seen: list[str] = []
    url = "/admin/users"
    for _ in range(5):
        tree = lxml_html.fromstring(client.get(url).text)
        seen += tree.xpath('//td[@data-label="E-mail"]/text()')
        following = tree.xpath('//nav[@class="pager"]//a[contains(@href, "after=")]/@href')
        if not following:
            break
        url = following[0]
    assert len(seen) == len(set(seen)) == USERS_PER_PAGE + 7 + 1  # and the admin


def test_the_administration_links_the_exchange_admin_for_owner_admins_only(world: WebWorld) -> None:
    owner = lxml_html.fromstring(world.client("owner").get("/").text)
    assert owner.xpath('//nav[@class="main-nav"]//a[@href="/admin/users"]')  # "Administration"
    admin = lxml_html.fromstring(world.client("owner").get("/admin/users").text)
    assert admin.xpath('//main//a[@href="/admin/exchange"]')
    assert admin.xpath('//main//a[@href="/admin/webhooks"]')
    assert world.client("owner").get("/admin/exchange").status_code == 200
    for page in ("/", "/admin/users"):
        dealer = lxml_html.fromstring(world.client("dealer-group").get(page).text)
        assert not dealer.xpath('//a[@href="/admin/exchange"]'), page


def test_owner_admin_sees_each_tokens_organization(world: WebWorld) -> None:
    from portal.partners import service as partners

    with world.scene.uow() as uow:
        partners.issue_token(
            uow=uow,
            principal=world.scene.p("supplier-a", "admin"),
            organization_id=world.scene.orgs["supplier-a"].id,
            name="ERP Lieferant",
        )
    tree = lxml_html.fromstring(world.client("owner").get("/admin/tokens", params={"lang": "en"}).text)
    row = tree.xpath('//tr[td[@data-label="Name"][text()="ERP Lieferant"]]')[0]
    assert row.xpath('string(td[@data-label="Organization"])') == "Supplier A"
    own = lxml_html.fromstring(world.client("supplier-a").get("/admin/tokens").text)
    assert not own.xpath('//td[@data-label="Organization"]')  # one organization: no column


def test_tokens_show_their_roles_and_the_issue_form_offers_only_grantable_roles(world: WebWorld) -> None:
    from tests.web.conftest import post_form

    owner = world.client("owner")
    page = lxml_html.fromstring(owner.get("/admin/tokens", params={"lang": "en"}).text)
    offered = page.xpath('//select[@name="roles"]/option/@value')
    assert sorted(offered) == ["admin", "sales", "support", "viewer"]
    assert page.xpath('//select[@name="roles"]/option[@selected]/@value') == ["viewer"]
    response = post_form(owner, "/admin/tokens", "/admin/tokens", {"name": "BI export", "roles": "support"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    listing = lxml_html.fromstring(owner.get("/admin/tokens", params={"lang": "en"}).text)
    row = listing.xpath('//tr[td[@data-label="Name"][text()="BI export"]]')[0]
    assert row.xpath('string(td[@data-label="Roles"])') == "Support"

    supplier = world.client("supplier-a")
    own = lxml_html.fromstring(supplier.get("/admin/tokens", params={"lang": "en"}).text)
    assert sorted(own.xpath('//select[@name="roles"]/option/@value')) == ["admin", "member"]
    refused = post_form(supplier, "/admin/tokens", "/admin/tokens", {"name": "ERP", "roles": "sales"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert not lxml_html.fromstring(supplier.get("/admin/tokens").text).xpath(
        '//td[@data-label="Name"][text()="ERP"]'
    )
    issued = post_form(supplier, "/admin/tokens", "/admin/tokens", {"name": "ERP", "roles": "member"})
    assert issued.status_code == 303  # type: ignore[attr-defined]
    mine = lxml_html.fromstring(supplier.get("/admin/tokens", params={"lang": "de"}).text)
    row = mine.xpath('//tr[td[@data-label="Name"][text()="ERP"]]')[0]
    assert row.xpath('string(td[@data-label="Rollen"])') == "Mitglied"


def test_the_new_user_forms_error_list_names_the_password_as_the_form_does(world: WebWorld) -> None:
    from tests.web.conftest import post_form

    client = world.client("supplier-a")
    client.get("/admin/users", params={"lang": "de"})
    response = post_form(
        client,
        "/admin/users",
        "/admin/users",
        {"name": "Neu", "email": "neu@supplier-a.example", "password": "kurz", "roles": "member"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    tree = lxml_html.fromstring(response.text)  # type: ignore[attr-defined]
    items = [item.text_content() for item in tree.xpath('//ul[@class="error-list"]/li')]
    assert items == ["Erstes Passwort: muss mindestens 10 Zeichen haben"]
