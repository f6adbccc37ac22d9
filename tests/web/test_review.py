"""The buyer's review of supplier changes on the web (issue #17): the inbox, the order page's review
form (every field checked, what was typed kept), the outcome the supplier sees, German and English."""

from __future__ import annotations

import re
from decimal import Decimal

from portal.models import LineResponse, Order, OrderStatus
from portal.orders import service as orders_service
from tests.web.conftest import WebWorld, post_form


def _proposed(world: WebWorld) -> Order:
    """Line 1 cut from 10 to 2, line 2 (5) rejected by supplier-a: both wait for review."""
    customer = world.scene.customer(shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(10, 5))
    with world.scene.uow() as uow:
        orders_service.respond_to_order(
            uow=uow,
            principal=world.scene.p("supplier-a"),
            order_id=order.id,
            answers=[
                orders_service.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)),
                orders_service.LineAnswer(2, LineResponse.REJECTED, reason="discontinued"),
            ],
        )
    return order


def _version(html: str) -> str:
    found = re.search(r'id="review-form".*?name="version" value="(\d+)"', html, re.S)
    assert found
    return found.group(1)


def test_the_inbox_lists_orders_with_changes_to_review_for_owner_staff_only(world: WebWorld) -> None:
    order = _proposed(world)
    other = world.scene.order(world.scene.customer(), supplier="supplier-b", quantities=(1,))
    owner = world.client("owner")
    inbox = owner.get("/orders", params={"review": "awaiting"})
    assert inbox.status_code == 200
    assert order.number in inbox.text and other.number not in inbox.text
    assert "<h1>Changes to review</h1>" in inbox.text and "<title>Changes to review" in inbox.text
    german_inbox = owner.get("/orders", params={"review": "awaiting", "lang": "de"}).text
    assert "<h1>Zu prüfende Änderungen</h1>" in german_inbox
    assert "<h1>Changes to review</h1>" not in owner.get("/orders", params={"lang": "en"}).text
    dashboard = owner.get("/", params={"lang": "de"}).text
    assert re.search(
        r'id="tile-review">\s*<span class="num">1</span><span>Änderungen der Lieferanten zu prüfen', dashboard
    )
    assert owner.get("/orders", params={"review": "nonsense"}).status_code == 400
    assert 'id="tile-review"' not in world.client("supplier-a").get("/").text
    # suppliers and dealers see their own orders in the filter, never another's
    assert other.number not in world.client("supplier-a").get("/orders", params={"review": "awaiting"}).text
    assert order.number not in world.client("supplier-b").get("/orders", params={"review": "awaiting"}).text


def test_the_order_page_shows_the_agreed_and_the_proposed_total(world: WebWorld) -> None:
    order = _proposed(world)
    page = world.client("owner").get(f"/orders/{order.id}").text
    assert page.split('id="order-total">')[1].startswith("€250.00")  # 10 x 12.50 + 5 x 25.00, agreed
    assert page.split('id="order-proposed-total">')[1].startswith("€25.00")  # 2 x 12.50, line 2 gone
    assert 'id="review-form"' in page
    supplier_page = world.client("supplier-a").get(f"/orders/{order.id}").text
    assert 'id="review-form"' not in supplier_page  # the supplier does not review its own change
    assert 'id="proposal-2"' in supplier_page


def test_rejecting_needs_a_reason_and_the_form_keeps_what_was_typed(world: WebWorld) -> None:
    order = _proposed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    response = post_form(
        owner,
        url,
        f"{url}/review",
        {
            "version": _version(owner.get(url).text),
            "review-1-decision": "accept",
            "review-1-reason": "fine, 2 will do",
            "review-2-decision": "reject",
            "review-2-reason": "",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert 'id="review-2-reason-error"' in html
    assert 'value="fine, 2 will do"' in html and re.search(r'value="accept"\s+checked', html)
    with world.scene.uow() as uow:  # nothing was decided
        assert orders_service.load_order(uow, world.scene.p("owner"), order.id).awaiting_review
    response = post_form(owner, url, f"{url}/review", {"version": _version(owner.get(url).text)})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "at least one line" in response.text  # type: ignore[attr-defined]


def test_the_owner_decides_and_the_supplier_sees_the_outcome_in_german(world: WebWorld) -> None:
    order = _proposed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    version = _version(owner.get(url).text)
    response = post_form(
        owner,
        url,
        f"{url}/review",
        {
            "version": version,
            "review-1-decision": "accept",
            "review-2-decision": "reject",
            "review-2-reason": "Wir brauchen die Ware",
        },
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    with world.scene.uow() as uow:
        current = orders_service.load_order(uow, world.scene.p("owner"), order.id)
        assert not current.awaiting_review
        assert current.status() is OrderStatus.PARTIALLY_CONFIRMED
        assert current.net_total == Decimal(25) + Decimal(125)
    supplier = world.client("supplier-a").get(url, params={"lang": "de"}).text
    assert "Der Einkauf hat die Änderung angenommen." in supplier
    assert "Der Einkauf hat die Änderung abgelehnt." in supplier and "Wir brauchen die Ware" in supplier
    stale = post_form(
        owner,
        url,
        f"{url}/review",
        {"version": version, "review-1-decision": "reject", "review-1-reason": "x"},
    )
    assert stale.status_code in (400, 409)  # type: ignore[attr-defined]


def test_owner_admins_agree_a_tolerance_on_the_web_and_bad_values_are_named(world: WebWorld) -> None:
    owner = world.client("owner")
    supplier_id = world.scene.orgs["supplier-a"].id
    page = owner.get("/admin/tolerances", params={"lang": "de"})  # German from here on: 7,5
    assert page.status_code == 200 and f'id="tolerance-{supplier_id}"' in page.text
    assert "Dealer Other" not in page.text  # suppliers only
    bad = post_form(
        owner,
        "/admin/tolerances",
        "/admin/tolerances",
        {"organization_id": str(supplier_id), "tolerance_days": "400", "tolerance_quantity_percent": "5"},
    )
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert 'id="tolerance_days-error"' in bad.text and 'value="400"' in bad.text  # type: ignore[attr-defined]
    saved = post_form(
        owner,
        "/admin/tolerances",
        "/admin/tolerances",
        {"organization_id": str(supplier_id), "tolerance_days": "3", "tolerance_quantity_percent": "7,5"},
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    with world.scene.factory() as session:
        from portal.models import Organization

        org = session.get_one(Organization, supplier_id)
        assert (org.tolerance_days, org.tolerance_quantity_percent) == (3, Decimal("7.5"))
    assert world.client("supplier-a").get("/admin/tolerances").status_code == 403


def test_a_second_reviewer_is_told_the_order_changed_and_keeps_what_was_typed(world: WebWorld) -> None:
    order = _proposed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    version = _version(owner.get(url).text)  # both reviewers opened the page at this version
    first = post_form(
        owner,
        url,
        f"{url}/review",
        {"version": version, "review-1-decision": "accept", "review-2-decision": "accept"},
    )
    assert first.status_code == 303, first.text  # type: ignore[attr-defined]
    second = post_form(
        owner,
        url,
        f"{url}/review",
        {
            "version": version,
            "review-1-decision": "accept",
            "review-2-decision": "reject",
            "review-2-reason": "Wir brauchen die Flüssigkeit",
        },
        headers={"accept-language": "de"},
    )
    assert second.status_code == 409  # type: ignore[attr-defined]
    html = second.text  # type: ignore[attr-defined]
    review = html.split('id="h-review"')[1].split("</section>")[0]
    assert "inzwischen geändert" in review  # the message, at the form
    assert 'value="Wir brauchen die Flüssigkeit"' in review and re.search(r'value="reject"\s+checked', review)
    assert "Inzwischen entschieden: Die Änderung wurde angenommen." in review
    # the first reviewer's decision stands
    with world.scene.uow() as uow:
        current = orders_service.load_order(uow, world.scene.p("owner"), order.id)
        assert not current.awaiting_review and current.net_total == Decimal(25)


def test_the_review_form_and_the_answer_form_on_behalf_keep_their_texts_apart(world: WebWorld) -> None:
    """An owner admin sees both forms on one page: the review's reason is not typed into the answer."""
    order = _proposed(world)
    owner = world.client("owner")
    url = f"/orders/{order.id}"
    page = owner.get(url).text
    assert 'id="respond-form"' in page and 'id="review-form"' in page
    review_form = page.split('id="review-form"')[1].split("</form>")[0]
    respond_form = page.split('id="respond-form"')[1].split("</form>")[0]
    review_names = set(re.findall(r'name="([^"]+)"', review_form)) - {"csrf", "version"}
    respond_names = set(re.findall(r'name="([^"]+)"', respond_form)) - {"csrf", "version"}
    assert review_names and respond_names and not review_names & respond_names
    refused = post_form(
        owner,
        url,
        f"{url}/review",
        {
            "version": _version(page),
            "review-1-decision": "reject",
            "review-2-decision": "bogus",
            "review-1-reason": "zu wenig",
        },
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    html = refused.text  # type: ignore[attr-defined]
    respond_form = html.split('id="respond-form"')[1].split("</form>")[0]
    assert "zu wenig" not in respond_form
    assert 'value="zu wenig"' in html.split('id="review-form"')[1].split("</form>")[0]
