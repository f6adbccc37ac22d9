"""Schedule lines through the API (issue #17): confirmOrder splits a line into deliveries
(OrderLine.proposedSchedule until the buyer's review, then OrderLine.schedule); bad deliveries are
userErrors naming the delivery; another supplier cannot split a foreign order."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.gql.conftest import World

ERRORS = "userErrors { field message code }"
CONFIRM = (
    "mutation($input: ConfirmOrderInput!) { confirmOrder(input: $input) { order { lines { lineNo"
    " response quantityConfirmed promisedDate proposedQuantity proposedDate"
    " schedule { quantity deliveryDate } proposedSchedule { quantity deliveryDate } } } " + ERRORS + " } }"
)
REVIEW = (
    "mutation($input: ReviewLineChangesInput!) { reviewLineChanges(input: $input) { "
    "order { lines { lineNo quantityConfirmed promisedDate schedule { quantity deliveryDate } } } "
    + ERRORS
    + " } }"
)
SOON = (date.today() + timedelta(days=4)).isoformat()
LATER = (date.today() + timedelta(days=30)).isoformat()


def _split(world: World, schedule: list[dict[str, str]], who: str = "supplier-a") -> dict[str, Any]:
    lines = [{"lineNo": 1, "action": "CHANGE", "schedule": schedule}]
    data = world.api.ok(CONFIRM, {"input": {"order": world.gid("Order", "order_a"), "lines": lines}}, as_=who)
    return dict(data["confirmOrder"])


def test_a_supplier_splits_a_line_and_the_buyer_accepts_the_schedule(world: World) -> None:
    made = _split(world, [{"quantity": "6", "deliveryDate": LATER}, {"quantity": "4", "deliveryDate": SOON}])
    assert made["userErrors"] == []
    line = made["order"]["lines"][0]
    assert line["proposedSchedule"] == [
        {"quantity": "4", "deliveryDate": SOON},
        {"quantity": "6", "deliveryDate": LATER},
    ]
    assert (line["proposedQuantity"], line["proposedDate"], line["schedule"]) == ("10", LATER, [])
    decided = world.api.ok(
        REVIEW, {"input": {"order": world.gid("Order", "order_a"), "lines": [{"lineNo": 1, "accept": True}]}}
    )["reviewLineChanges"]
    assert decided["userErrors"] == []
    agreed = decided["order"]["lines"][0]
    assert (agreed["quantityConfirmed"], agreed["promisedDate"]) == ("10", LATER)
    assert [part["deliveryDate"] for part in agreed["schedule"]] == [SOON, LATER]


def test_two_deliveries_on_one_day_are_a_user_error_naming_the_delivery(world: World) -> None:
    made = _split(world, [{"quantity": "6", "deliveryDate": SOON}, {"quantity": "4", "deliveryDate": SOON}])
    assert made["order"] is None
    assert [(e["field"], e["code"]) for e in made["userErrors"]] == [
        (["lines", "1", "schedule", "1", "date"], "INVALID_INPUT")
    ]


def test_another_supplier_cannot_split_a_foreign_order(world: World) -> None:
    made = _split(
        world,
        [{"quantity": "6", "deliveryDate": SOON}, {"quantity": "4", "deliveryDate": LATER}],
        who="supplier-b",
    )
    assert made["order"] is None and made["userErrors"][0]["code"] == "NOT_FOUND"
