"""A supplier splits a line into several deliveries on the order page (issue #17, schedule lines):
the form's delivery rows (every wrong row named, what was typed kept), the split awaiting the buyer's
review, the agreed schedule shown to both sides, German and English."""

from __future__ import annotations

import re
from datetime import date, timedelta

from portal.models import Order
from portal.orders import review
from tests.web.conftest import WebWorld, post_form

SOON = date.today() + timedelta(days=7)
LATER = date.today() + timedelta(days=35)


def _order(world: WebWorld) -> Order:
    customer = world.scene.customer(shared_with=("dealer-group",))
    return world.scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(10,))


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def _split(world: WebWorld, order: Order, **rows: str) -> object:
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    return post_form(
        client,
        url,
        f"{url}/respond",
        {"version": _version(client.get(url).text), "line-1-action": "changed", **rows},
    )


def test_the_supplier_splits_a_line_and_the_buyer_sees_the_deliveries_to_review(world: WebWorld) -> None:
    order = _order(world)
    response = _split(
        world,
        order,
        **{
            "line-1-part-1-quantity": "6",
            "line-1-part-1-date": LATER.isoformat(),
            "line-1-part-2-quantity": "4",
            "line-1-part-2-date": SOON.isoformat(),
        },
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    owner_page = world.client("owner").get(f"/orders/{order.id}", params={"lang": "de"}).text
    proposed = owner_page.split('id="proposed-schedule-1"')[1].split("</ul>")[0]
    assert proposed.index("4 am") < proposed.index("6 am")  # by date: the earlier delivery first
    assert "Aufgeteilt in 2 Lieferungen" in owner_page
    with world.scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=world.scene.p("owner"),
            order_id=order.id,
            decisions=[review.LineDecision(1, True)],
        )
    supplier_page = world.client("supplier-a").get(f"/orders/{order.id}", params={"lang": "en"}).text
    agreed = supplier_page.split('id="schedule-1"')[1].split("</ul>")[0]
    assert agreed.count("<li>") == 2 and "4 on" in agreed and "6 on" in agreed


def test_a_half_filled_or_bad_delivery_row_is_named_and_the_form_keeps_it(world: WebWorld) -> None:
    order = _order(world)
    response = _split(
        world,
        order,
        **{
            "line-1-part-1-quantity": "6",
            "line-1-part-1-date": SOON.isoformat(),
            "line-1-part-3-quantity": "3",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert 'id="line-1-part-3-date-error"' in html
    assert re.search(r'<details class="split" open>', html) and 'value="3"' in html
    response = _split(
        world,
        order,
        **{
            "line-1-part-1-quantity": "6",
            "line-1-part-1-date": SOON.isoformat(),
            "line-1-part-3-quantity": "6",
            "line-1-part-3-date": LATER.isoformat(),
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "the deliveries add up to 12, more than the 10 ordered" in response.text  # type: ignore[attr-defined]
    response = _split(
        world,
        order,
        **{
            "line-1-part-2-quantity": "5",
            "line-1-part-2-date": SOON.isoformat(),
            "line-1-part-4-quantity": "5",
            "line-1-part-4-date": SOON.isoformat(),
        },
    )
    assert 'id="line-1-part-4-date-error"' in response.text  # type: ignore[attr-defined]
    with world.scene.uow() as uow:
        from portal.orders.service import load_order

        assert not load_order(uow, world.scene.p("owner"), order.id).awaiting_review


def test_a_split_typed_while_the_answer_says_no_change_is_a_change_not_dropped(world: WebWorld) -> None:
    order = _order(world)
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    response = post_form(
        client,
        url,
        f"{url}/respond",
        {
            "version": _version(client.get(url).text),
            "line-1-action": "",  # "No change", as the form starts
            "line-1-part-1-quantity": "6",
            "line-1-part-1-date": SOON.isoformat(),
            "line-1-part-2-quantity": "4",
            "line-1-part-2-date": LATER.isoformat(),
        },
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    owner_page = world.client("owner").get(url, params={"lang": "en"}).text
    proposed = owner_page.split('id="proposed-schedule-1"')[1].split("</ul>")[0]
    assert proposed.count("<li>") == 2 and "6 on" in proposed and "4 on" in proposed


def test_a_reason_typed_while_the_answer_says_no_change_is_refused_at_the_answer(world: WebWorld) -> None:
    order = _order(world)
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    response = post_form(
        client,
        url,
        f"{url}/respond",
        {"version": _version(client.get(url).text), "line-1-action": "", "line-1-reason": "nicht lieferbar"},
        headers={"accept-language": "de"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert 'id="line-1-action-error"' in html and "wählen Sie „Abgelehnt“" in html
    assert 'value="nicht lieferbar"' in html
