"""Pages drawn by forms: extra input attributes, links on pages drawn after a form error or a
conflict, the API token secret after a redirect, and an upload over the size limit."""

from __future__ import annotations

import re
from typing import Any

from lxml import html as lxml_html
from starlette.testclient import TestClient

from portal.cases import service as cases
from portal.models import Case
from tests.web.conftest import WebWorld, csrf_of, post_form


def _post(client: TestClient, page_url: str, action: str, data: dict[str, str]) -> Any:
    return post_form(client, page_url, action, data)


def _case(world: WebWorld, *, by: str = "dealer-group") -> Case:
    with world.scene.uow() as uow:
        return cases.open_case(uow=uow, principal=world.scene.p(by), subject="Pumpe defekt", description="x")


def _input(page: str, name: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page)
    found = tree.xpath(f'//input[@name="{name}"]')
    assert found, f"no input {name}"
    return dict(found[0].attrib)


def test_login_inputs_carry_their_autocomplete_attributes_unescaped(world: WebWorld) -> None:
    page = world.client().get("/login").text
    assert "&#34;" not in page and "&quot;" not in page
    assert _input(page, "email")["autocomplete"] == "username"
    assert "autofocus" in _input(page, "email")
    assert _input(page, "password")["autocomplete"] == "current-password"


def test_form_inputs_carry_maxlength_min_and_autocomplete(world: WebWorld) -> None:
    client = world.client("dealer-group")
    assert _input(client.get("/cases/new").text, "subject")["maxlength"] == "200"
    assert _input(client.get("/admin/tokens").text, "expires_in_days")["min"] == "1"
    page = client.get("/account/password").text
    assert _input(page, "new_password")["autocomplete"] == "new-password"
    assert "&#34;" not in page


def test_attribute_builder_escapes_values_and_reads_the_string_form() -> None:
    from portal.web.attrs import attributes

    assert str(attributes({"title": 'a"<b>', "hidden": True, "x": None})) == ' title="a&#34;&lt;b&gt;" hidden'
    assert str(attributes('inputmode="decimal" min=1 autofocus')) == ' inputmode="decimal" min="1" autofocus'


def _links(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return [str(href) for href in tree.xpath("//a/@href")]


def _get_every_link(client: TestClient, base: str, page: str) -> None:
    links = [link for link in _links(page) if not link.startswith(("#", "tel:", "mailto:"))]
    assert any("lang=de" in link for link in links) and any("lang=en" in link for link in links)
    for link in links:
        url = link if link.startswith("/") else base + link
        response = client.get(url, follow_redirects=False)
        assert response.status_code in (200, 303), (link, url, response.status_code)


def test_every_link_after_a_form_error_is_a_get_address(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    response = _post(client, url, f"{url}/comments", {"body": " "})
    assert response.status_code == 400 and 'id="body-error"' in response.text
    assert f'href="{url}?lang=de"' in response.text
    _get_every_link(client, f"{url}/comments", response.text)
    login_error = world.client()
    page = login_error.get("/login")
    data = {"csrf": csrf_of(page.text), "email": "nobody@example.test", "password": "x", "next": "/"}
    refused = login_error.post("/login", data=data)
    assert refused.status_code in (400, 401, 403)
    assert 'href="/login?lang=de"' in refused.text


def test_reload_after_a_conflict_links_to_the_case_page(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    response = _post(client, url, f"{url}/status", {"action": "resolve", "version": "99"})
    assert response.status_code == 409
    reload_link = re.search(r'<a href="([^"]+)">[^<]*(?:Reload|Aktuelle)', response.text)
    assert reload_link and reload_link.group(1) == url
    _get_every_link(client, f"{url}/status", response.text)


def test_reloading_after_issuing_a_token_issues_no_second_one(world: WebWorld) -> None:
    from sqlalchemy import func, select

    from portal.models import ApiToken

    client = world.client("supplier-a")
    issued = _post(
        client, "/admin/tokens", "/admin/tokens", {"name": "ERP", "expires_in_days": "30", "roles": "member"}
    )
    assert issued.status_code == 303  # post-redirect-get: the browser's reload repeats the GET
    first = client.get(issued.headers["location"])
    assert 'id="new-token"' in first.text
    again = client.get(issued.headers["location"])  # the reload
    assert again.status_code == 200 and 'id="new-token"' not in again.text
    with world.scene.factory() as session:
        names = session.scalars(select(ApiToken.name).where(ApiToken.name == "ERP")).all()
        assert names == ["ERP"]
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 1


def _small_limit_client(world: WebWorld, who: str, limit: int) -> TestClient:
    from portal.app import create_app
    from portal.config import Settings
    from tests.web.conftest import SECRET

    engine = world.scene.factory.kw["bind"]
    world.app = create_app(
        Settings(database_url=str(engine.url), secret_key=SECRET, max_attachment_bytes=limit), engine=engine
    )
    return world.client(who)


def test_an_upload_over_the_limit_shows_the_case_page_with_the_error_and_keeps_the_comment(
    world: WebWorld,
) -> None:
    case = _case(world)
    client = _small_limit_client(world, "dealer-group", 1024)
    url = f"/cases/{case.id}"
    token = csrf_of(client.get(url).text)
    response = client.post(
        f"{url}/attachments",
        data={"csrf": token, "comment": "Foto vom Typenschild"},
        files={"file": ("big.jpg", b"x" * 2048, "image/jpeg")},
    )
    assert response.status_code == 400
    tree = lxml_html.fromstring(response.text)
    assert tree.xpath('//nav[@class="main-nav"]')  # the whole page, with the menu
    assert tree.xpath('//p[@id="file-error"]') and tree.xpath('//input[@name="file"][@aria-invalid="true"]')
    assert tree.xpath('//textarea[@name="comment"]')[0].text == "Foto vom Typenschild"
    assert "big.jpg" not in client.get(url).text


def test_an_upload_far_over_the_limit_is_not_read_and_shows_the_case_page(world: WebWorld) -> None:
    case = _case(world)
    client = _small_limit_client(world, "dealer-group", 1024)
    url = f"/cases/{case.id}"
    token = csrf_of(client.get(url).text)
    response = client.post(
        f"{url}/attachments",
        data={"csrf": token},
        files={"file": ("huge.jpg", b"x" * 200_000, "image/jpeg")},
    )
    assert response.status_code == 413
    tree = lxml_html.fromstring(response.text)
    assert tree.xpath('//nav[@class="main-nav"]') and tree.xpath('//p[@id="file-error"]')
    assert "larger than 1 kB" in response.text
    assert not [href for href in tree.xpath("//main//a/@href") if href == "/"]


def test_a_file_with_a_comment_adds_both(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    token = csrf_of(client.get(url).text)
    response = client.post(
        f"{url}/attachments",
        data={"csrf": token, "comment": "Rechnung anbei"},
        files={"file": ("r.pdf", b"%PDF-1.4 x", "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(url).text
    assert "r.pdf" in page and "Rechnung anbei" in page


def test_file_sizes_are_human_and_localized() -> None:
    from portal.web.i18n import Formatter

    assert Formatter("en").file_size(45) == "45 bytes"
    assert Formatter("de").file_size(45) == "45 Byte"
    assert Formatter("de").file_size(1536) == "1,5 kB"
    assert Formatter("en").file_size(10 * 1024 * 1024) == "10 MB"


def test_a_small_attachment_shows_its_size_in_bytes(world: WebWorld) -> None:
    case = _case(world)
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    token = csrf_of(client.get(url).text)
    client.post(
        f"{url}/attachments", data={"csrf": token}, files={"file": ("n.txt", b"x" * 45, "text/plain")}
    )
    page = client.get(url + "?lang=en").text
    assert "45 bytes" in page and "0 KB" not in page


def test_the_favicon_is_served_with_caching(world: WebWorld) -> None:
    response = world.client().get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert "max-age=86400" in response.headers["cache-control"]
    assert response.content.startswith(b"<svg")
    assert 'rel="icon" href="/favicon.ico"' in world.client().get("/login").text


def test_resolve_close_and_stop_sharing_ask_once_more_without_javascript(world: WebWorld) -> None:
    case = _case(world, by="owner")
    client = world.client("owner")
    tree = lxml_html.fromstring(client.get(f"/cases/{case.id}").text)
    for action in ("resolve", "close"):
        buttons = tree.xpath(f'//button[@name="action"][@value="{action}"]')
        assert buttons, action
        # The only button that submits it sits in a closed <details>: a first click opens the question.
        assert all(b.xpath('ancestor::details[contains(@class, "confirm")]') for b in buttons), action
    assert tree.xpath('//button[@name="action"][@value="start"][not(ancestor::details)]')
    customer = world.scene.customer("Teilen AG", shared_with=("dealer-group",))
    tree = lxml_html.fromstring(client.get(f"/customers/{customer.id}").text)
    unshare = tree.xpath('//button[@name="unshare"]')
    assert unshare and all(b.xpath('ancestor::details[contains(@class, "confirm")]') for b in unshare)


def test_every_link_on_every_form_error_page_answers_a_get(world: WebWorld) -> None:
    customer = world.scene.customer("Links KG", shared_with=("dealer-group",))
    case = _case(world)
    client = world.client("dealer-group")
    forms = [
        (f"/customers/{customer.id}", f"/customers/{customer.id}/contacts", {"last_name": ""}),
        (f"/customers/{customer.id}", f"/customers/{customer.id}/activities", {"kind": "x"}),
        (f"/cases/{case.id}", f"/cases/{case.id}/edit", {"subject": "", "version": "1"}),
        ("/cases/new", "/cases/new", {"subject": ""}),
        ("/admin/users", "/admin/users", {"name": "", "email": "x"}),
        ("/admin/tokens", "/admin/tokens", {"name": ""}),
        ("/account/password", "/account/password", {"current_password": ""}),
    ]
    for page_url, action, data in forms:
        response = _post(client, page_url, action, data)
        assert response.status_code == 400, (action, response.status_code)
        _get_every_link(client, action, response.text)


def test_the_route_order_form_starts_with_no_supplier_chosen_and_refuses_none(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group")
    client = world.client("owner")
    url = f"/orders/{order.id}"
    page = lxml_html.fromstring(client.get(url, params={"lang": "de"}).text)
    options = page.xpath('//select[@name="supplier_id"]/option')
    assert len(options) >= 3  # the empty choice and the suppliers
    assert options[0].get("value") == "" and options[0].text == "Lieferanten wählen"
    assert not [o for o in options if o.get("selected") is not None], "a supplier is pre-selected"
    response = post_form(client, url, f"{url}/route", {"supplier_id": ""}, params={"lang": "de"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Bitte den Lieferanten wählen" in response.text  # type: ignore[attr-defined]
    assert 'id="h-route"' in client.get(url).text  # nothing was routed: the form is still offered
