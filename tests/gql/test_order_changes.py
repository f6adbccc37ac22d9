"""changeOrder and Order.versions (issue #17, part 2) through the API."""

from __future__ import annotations

from datetime import date, timedelta

from tests.gql.conftest import World

ERRORS = "userErrors { field message code }"
CHANGE = (
    "mutation($input: ChangeOrderInput!) { changeOrder(input: $input) {"
    " order { status version lines { lineNo quantityOrdered requestedDate response cancelled }"
    " versions { number kind note lines { lineNo quantity cancelled }"
    " changes { lineNo change quantityBefore quantity requestedDateBefore requestedDate } } } "
    + ERRORS
    + " } }"
)
VERSIONS = (
    "query($id: ID!) { node(id: $id) {"
    " ... on Order { versions { number kind changes { lineNo change } } } } }"
)


def test_owner_changes_a_routed_order_and_the_supplier_reads_its_versions(world: World) -> None:
    later = (date.today() + timedelta(days=21)).isoformat()
    order = world.gid("Order", "order_a")
    version = world.api.ok("query($id: ID!) { node(id: $id) { ... on Order { version } } }", {"id": order})[
        "node"
    ]["version"]
    data = world.api.ok(
        CHANGE,
        {
            "input": {
                "order": order,
                "lines": [
                    {"lineNo": 1, "quantity": "12", "requestedDate": later},
                    {"lineNo": 2, "cancel": True},
                ],
                "addLines": [{"sku": "P-300", "quantity": "2"}],
                "note": "Kunde braucht mehr",
                "expectedVersion": version,
            }
        },
    )["changeOrder"]
    assert data["userErrors"] == []
    changed = data["order"]
    assert changed["status"] == "AWAITING_CONFIRMATION"
    assert [(line["lineNo"], line["quantityOrdered"], line["cancelled"]) for line in changed["lines"]] == [
        (1, "12", False),
        (2, "5", True),
        (3, "2", False),
    ]
    assert [(v["number"], v["kind"], v["note"]) for v in changed["versions"]] == [
        (1, "ORIGINAL", None),
        (2, "CHANGED", "Kunde braucht mehr"),
    ]
    assert changed["versions"][1]["changes"] == [
        {
            "lineNo": 1,
            "change": "CHANGED",
            "quantityBefore": "10",
            "quantity": "12",
            "requestedDateBefore": None,
            "requestedDate": later,
        },
        {
            "lineNo": 2,
            "change": "CANCELLED",
            "quantityBefore": None,
            "quantity": None,
            "requestedDateBefore": None,
            "requestedDate": None,
        },
        {
            "lineNo": 3,
            "change": "ADDED",
            "quantityBefore": None,
            "quantity": "2",
            "requestedDateBefore": None,
            "requestedDate": None,
        },
    ]
    seen = world.api.ok(VERSIONS, {"id": order}, as_="supplier-a")["node"]["versions"]
    assert [v["number"] for v in seen] == [1, 2]
    # another supplier does not see the order, nor its versions
    assert world.api.ok(VERSIONS, {"id": order}, as_="supplier-b")["node"] is None


def test_a_stale_version_and_a_supplier_are_told(world: World) -> None:
    order = world.gid("Order", "order_a")
    refused = world.api.ok(
        CHANGE, {"input": {"order": order, "lines": [{"lineNo": 1, "quantity": "3"}]}}, as_="supplier-a"
    )["changeOrder"]
    assert (refused["order"], refused["userErrors"][0]["code"]) == (None, "PERMISSION_DENIED")
    stale = world.api.ok(
        CHANGE, {"input": {"order": order, "lines": [{"lineNo": 1, "quantity": "3"}], "expectedVersion": 1}}
    )["changeOrder"]
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    shipped = world.gid("Order", "order_b")  # fulfilled: every line shipped and invoiced
    refused = world.api.ok(CHANGE, {"input": {"order": shipped, "lines": [{"lineNo": 1, "cancel": True}]}})[
        "changeOrder"
    ]
    assert refused["userErrors"][0]["code"] == "INVALID_STATE"
    assert "invoiced" in refused["userErrors"][0]["message"]
