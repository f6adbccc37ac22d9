"""Goods receipts through the API (issue #17.3): the owner records one on a ship notice with a
shortfall, the supplier reads it on the order and the shipment, the invoice is matched against what
was received; bad input and other partners' orders come back as user errors."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.models import Shipment
from tests.gql.conftest import World, gid

TODAY = date.today().isoformat()
RECORD = (
    "mutation($input: RecordGoodsReceiptInput!) { recordGoodsReceipt(input: $input) { receipt { id "
    "hasDiscrepancy overReceived receivedBy { name } shipment { number } lines { quantity quantityDamaged "
    "quantityAccepted excessQuantity shortfallQuantity reason note orderLineId } } "
    "userErrors { field message code } } }"
)
READ = (
    "query($id: ID!) { node(id: $id) { ... on Order { version lines { lineNo quantityReceived } "
    "invoices { matchStatus } receipts { hasDiscrepancy lines { shortfallQuantity reason } } "
    "shipments { receipts { receivedOn } } } } }"
)


def shipment_of(world: World, order: str = "order_b") -> str:
    with world.api.scene.factory() as session:
        return gid(
            "Shipment",
            session.scalars(select(Shipment.id).where(Shipment.order_id == world.ids[order])).one(),
        )


def test_owner_records_a_shortfall_the_supplier_reads_it_and_the_invoice_is_flagged(world: World) -> None:
    api = world.api  # order_b: 3 shipped and billed by supplier-b
    order = world.gid("Order", "order_b")
    version = api.ok(READ, {"id": order})["node"]["version"]
    got = api.ok(
        RECORD,
        {
            "input": {
                "order": order,
                "shipment": shipment_of(world),
                "receivedOn": TODAY,
                "expectedVersion": version,
                "lines": [{"lineNo": 1, "quantity": "2", "reason": "SHORT", "note": "1 fehlt"}],
            }
        },
    )["recordGoodsReceipt"]
    assert got["userErrors"] == []
    receipt = got["receipt"]
    assert (receipt["hasDiscrepancy"], receipt["overReceived"], receipt["shipment"]["number"]) == (
        True,
        False,
        f"DN-{world.ids['order_b']}",
    )
    assert receipt["lines"][0]["shortfallQuantity"] == "1" and receipt["lines"][0]["reason"] == "SHORT"
    seen = api.ok(READ, {"id": order}, as_="supplier-b")["node"]
    assert seen["lines"] == [{"lineNo": 1, "quantityReceived": "2"}]
    assert seen["invoices"] == [{"matchStatus": "ABOVE_RECEIVED"}]
    assert seen["receipts"] == [
        {"hasDiscrepancy": True, "lines": [{"shortfallQuantity": "1", "reason": "SHORT"}]}
    ]
    assert seen["shipments"] == [{"receipts": [{"receivedOn": TODAY}]}]
    # the same stale version again: a CONFLICT, nothing counted twice
    again = api.ok(
        RECORD,
        {
            "input": {
                "order": order,
                "receivedOn": TODAY,
                "expectedVersion": version,
                "lines": [{"lineNo": 1, "quantity": "1"}],
            }
        },
    )["recordGoodsReceipt"]
    assert again["receipt"] is None and again["userErrors"][0]["code"] == "CONFLICT"
    assert api.ok(READ, {"id": order})["node"]["lines"] == [{"lineNo": 1, "quantityReceived": "2"}]


def test_bad_lines_and_other_partners_orders_are_user_errors(world: World) -> None:
    api = world.api
    order = world.gid("Order", "order_b")
    missing = api.ok(
        RECORD, {"input": {"order": order, "receivedOn": TODAY, "lines": [{"lineNo": 7, "quantity": "1"}]}}
    )["recordGoodsReceipt"]
    assert missing["userErrors"] == [
        {
            "field": ["lines", "1", "lineNo"],
            "message": missing["userErrors"][0]["message"],
            "code": "INVALID_INPUT",
        }
    ]
    assert "has no line 7" in missing["userErrors"][0]["message"]
    damaged = api.ok(
        RECORD,
        {
            "input": {
                "order": order,
                "receivedOn": TODAY,
                "lines": [{"lineNo": 1, "quantity": "3", "damaged": "1"}],
            }
        },
    )["recordGoodsReceipt"]
    assert damaged["userErrors"][0]["field"] == ["lines", "1", "reason"]
    # another partner's order: as a missing one; the supplier may not receive
    for who, code in (
        ("dealer-other", "NOT_FOUND"),
        ("supplier-a", "NOT_FOUND"),
        ("supplier-b", "PERMISSION_DENIED"),
    ):
        got = api.ok(
            RECORD,
            {"input": {"order": order, "receivedOn": TODAY, "lines": [{"lineNo": 1, "quantity": "3"}]}},
            as_=who,
        )["recordGoodsReceipt"]
        assert got["receipt"] is None and got["userErrors"][0]["code"] == code, who
    assert api.ok(READ, {"id": order})["node"]["receipts"] == []
    # a receipt beyond what was shipped is kept and flagged
    over = api.ok(
        RECORD, {"input": {"order": order, "receivedOn": TODAY, "lines": [{"lineNo": 1, "quantity": "4"}]}}
    )["recordGoodsReceipt"]
    assert over["receipt"]["overReceived"] is True and over["receipt"]["lines"][0]["excessQuantity"] == "1"
    # other partners do not see it on the order (the order itself is hidden from them)
    assert api.ok(READ, {"id": order}, as_="supplier-a")["node"] is None
