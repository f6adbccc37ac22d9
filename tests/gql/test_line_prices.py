"""The API's order lines: catalogue prices unless the role may set them (issue #12, item 11), the
override visible, and the supplier's reason for a rejected line."""

from __future__ import annotations

from typing import Any

from tests.gql.conftest import World, gid

ERRORS = "userErrors { field message code }"
CREATE = (
    "mutation($input: CreateOrderInput!) { createOrder(input: $input) { "
    "order { lines { unitPrice listPrice priceOverridden } } " + ERRORS + " } }"
)
CONFIRM = (
    "mutation($input: ConfirmOrderInput!) { confirmOrder(input: $input) { "
    "order { lines { lineNo response rejectReason proposedResponse } } " + ERRORS + " } }"
)
REVIEW = (
    "mutation($input: ReviewLineChangesInput!) { reviewLineChanges(input: $input) { "
    "order { lines { lineNo response rejectReason proposedResponse } } " + ERRORS + " } }"
)


def _create(world: World, who: str, price: str | None) -> dict[str, Any]:
    line: dict[str, Any] = {"product": gid("Product", world.api.scene.products[0].id), "quantity": "2"}
    if price is not None:
        line["unitPrice"] = price
    data = world.api.ok(
        CREATE, {"input": {"customer": world.gid("Customer", "shared"), "lines": [line]}}, as_=who
    )
    return dict(data["createOrder"])


def test_a_dealers_zero_price_is_refused_and_its_catalogue_order_shows_no_override(world: World) -> None:
    refused = _create(world, "dealer-group", "0")
    assert refused["order"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["lines", "1", "unitPrice"], "INVALID_INPUT")
    ]
    plain = _create(world, "dealer-group", None)
    assert plain["userErrors"] == []
    [line] = plain["order"]["lines"]
    assert (line["unitPrice"], line["listPrice"], line["priceOverridden"]) == ("12.5", "12.5", False)


def test_an_owner_admins_price_is_kept_and_shown_as_overridden(world: World) -> None:
    made = _create(world, "owner", "9.99")
    assert made["userErrors"] == []
    [line] = made["order"]["lines"]
    assert (line["unitPrice"], line["listPrice"], line["priceOverridden"]) == ("9.99", "12.5", True)


def test_a_supplier_gives_a_reason_for_a_rejected_line(world: World) -> None:
    lines = [
        {"lineNo": 1, "action": "ACCEPT"},
        {"lineNo": 2, "action": "REJECT", "reason": "Artikel ausgelaufen"},
    ]
    data = world.api.ok(
        CONFIRM, {"input": {"order": world.gid("Order", "order_a"), "lines": lines}}, as_="supplier-a"
    )
    assert data["confirmOrder"]["userErrors"] == []
    # a rejection waits for the buyer's review (issue #17) with the supplier's reason
    assert data["confirmOrder"]["order"]["lines"] == [
        {"lineNo": 1, "response": "ACCEPTED", "rejectReason": None, "proposedResponse": None},
        {"lineNo": 2, "response": "PENDING", "rejectReason": None, "proposedResponse": "REJECTED"},
    ]
    review = world.api.ok(
        REVIEW,
        {"input": {"order": world.gid("Order", "order_a"), "lines": [{"lineNo": 2, "accept": True}]}},
    )
    assert review["reviewLineChanges"]["userErrors"] == []
    assert review["reviewLineChanges"]["order"]["lines"][1] == {
        "lineNo": 2,
        "response": "REJECTED",
        "rejectReason": "Artikel ausgelaufen",
        "proposedResponse": None,
    }
