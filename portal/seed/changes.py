"""The demo's buyer changes and goods receipts (issue #17): a few confirmed orders the buyer changed
after routing (version 1 as routed, version 2 with a line's quantity and date changed, sometimes a
line cancelled; the changed line awaits the supplier's answer again), and a few shipped orders whose
goods were counted on arrival (one with damaged goods, one short of the ship notice, the others as
shipped).

How many does not grow with the scale: a buyer changes an order and a goods receiver counts a
delivery by hand, so the demo shows a handful of each, the first eligible orders of the recent
weeks. Each draws from a generator of its own (seeded by the order's number), never from the
world's: every other seeded row stays as it was. The rows and the events are those the services
write (`portal.orders.changes.change_order`, `portal.orders.receiving.record_goods_receipt`).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from portal.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    LineChangeKind,
    LineResponse,
    OrderVersion,
    ReceiptReason,
    VersionKind,
)
from portal.models.orders import LineFigures, derive_status
from portal.seed.base import Plan, Row, event, local_time, past_working_time, weekday

CHANGES = 4  # orders the buyer changed after routing
RECEIPTS = ("damaged", "short", "as_shipped", "as_shipped")  # the goods receipts, in this order
RECENT = timedelta(days=14)  # both are taken from the orders of the last two weeks
CHANGE_NOTES = (
    "Baustelle verschoben, bitte später und mehr liefern",
    "Kunde erweitert den Auftrag",
    "Customer extended the order",
)
DAMAGE_NOTES = ("Karton eingedrückt", "Gehäuse verkratzt", "Transportschaden")
_FIGURES = itemgetter(*LineFigures.__dataclass_fields__)


def wants_change(counts: dict[str, int], created: datetime, now: datetime) -> bool:
    return counts.get("changed", 0) < CHANGES and created >= now - RECENT


def wants_receipt(counts: dict[str, int], created: datetime, now: datetime) -> bool:
    return counts.get("received", 0) < len(RECEIPTS) and created >= now - RECENT - RECENT


def _snapshot(lines: list[Row]) -> list[dict[str, Any]]:
    """The version's lines as `portal.orders.versions.snapshot` writes them."""
    return [
        {
            "line_no": line["line_no"],
            "sku": line["sku"],
            "description": line["description"],
            "unit": line["unit"],
            "quantity": str(line["quantity_ordered"]),
            "unit_price": str(line["unit_price"]),
            "requested_date": line["requested_date"].isoformat() if line["requested_date"] else None,
            "cancelled": bool(line["cancelled"]),
        }
        for line in lines
    ]


def plan_buyer_change(
    plan: Plan,
    counts: dict[str, int],
    order: Row,
    order_id: int,
    lines: list[Row],
    answered_at: datetime,
    now: datetime,
) -> None:
    """The buyer changed the confirmed order ``order`` in the last working days (after the
    supplier's answer): the first line more and later, and, on orders with several lines, sometimes
    the last one cancelled. Recent, so the changed orders come last in "oldest change first"."""
    rng = random.Random(f"order-change:{order['number']}")
    counts["changed"] = counts.get("changed", 0) + 1
    lately = past_working_time(rng, now.date() - timedelta(days=rng.randint(0, 2)), now)
    changed_at = min(now, max(lately, answered_at + timedelta(hours=1)))
    buyer = order["created_by_org_id"]
    before = _snapshot(lines)
    first = lines[0]
    more = first["quantity_ordered"] + max(Decimal(1), (first["quantity_ordered"] / 2).to_integral_value())
    later = weekday(max(order["requested_date"], changed_at.date()) + timedelta(days=rng.randint(7, 14)))
    made: list[dict[str, Any]] = [
        {
            "line_no": first["line_no"],
            "change": LineChangeKind.CHANGED.value,
            "quantity": [str(first["quantity_ordered"]), str(more)],
            "requested_date": [None, later.isoformat()],
        }
    ]
    first["quantity_ordered"], first["requested_date"] = more, later
    # back to awaiting the supplier's answer (`changes._await_answer`)
    first.update(
        response=LineResponse.PENDING,
        quantity_confirmed=None,
        confirmed_price=None,
        promised_date=None,
        schedule=None,
    )
    if len(lines) > 1 and rng.random() < 0.5:
        lines[-1]["cancelled"] = True
        made.append({"line_no": lines[-1]["line_no"], "change": LineChangeKind.CANCELLED.value})
    note = rng.choice(CHANGE_NOTES)
    routed_at = order["routed_at"] or order["created_at"]
    plan.add(
        OrderVersion,
        {
            "order_id": order_id,
            "number": 1,
            "kind": VersionKind.ORIGINAL,
            "created_at": routed_at,
            "created_by_org_id": order["created_by_org_id"],
            "created_by_user_id": None,
            "note": None,
            "lines": before,
            "changes": [],
        },
    )
    plan.add(
        OrderVersion,
        {
            "order_id": order_id,
            "number": 2,
            "kind": VersionKind.CHANGED,
            "created_at": changed_at,
            "created_by_org_id": buyer,
            "created_by_user_id": None,
            "note": note,
            "lines": _snapshot(lines),
            "changes": made,
        },
    )
    order["version"] += 1
    order["updated_at"] = changed_at
    status = derive_status(SimpleNamespace(**order), [LineFigures(*_FIGURES(line)) for line in lines])
    event(
        plan,
        "order.changed",
        "order",
        order_id,
        buyer,
        changed_at,
        number=order["number"],
        version=2,
        supplier_id=order["supplier_id"],
        status=status.value,
        lines=made,
        note=note,
    )


def plan_goods_receipt(
    plan: Plan,
    counts: dict[str, int],
    order: Row,
    order_id: int,
    lines: list[Row],
    shipment: tuple[int, date, datetime],
    today: date,
    now: datetime,
) -> None:
    """The receiving side counts the shipped order ``order`` a day or two after the ship notice
    (``shipment``: its id, day and time) arrived: as shipped, or with damaged goods or one short (on
    the first line of which more than one was shipped; an order without one waits for the next)."""
    shipment_id, shipped_on, shipped_at = shipment
    kind = RECEIPTS[counts.get("received", 0)]
    several = [line for line in lines if line["quantity_shipped"] > 1]
    if kind != "as_shipped" and not several:
        return
    target = several[0] if several else None
    counts["received"] = counts.get("received", 0) + 1
    rng = random.Random(f"goods-receipt:{order['number']}")
    received_on = min(today, weekday(shipped_on + timedelta(days=rng.randint(1, 2))))
    counted_at = local_time(received_on, rng.randint(8, 15), rng.choice((0, 15, 30, 45)))
    recorded_at = min(now, max(counted_at, shipped_at + timedelta(hours=1)))
    receiver = order["dealer_id"] or order["created_by_org_id"]  # the buyer that takes the goods
    receipt_id = plan.next_id(GoodsReceipt)
    counted: list[dict[str, Any]] = []
    rows: list[Row] = []
    for line in lines:
        if not line["quantity_shipped"]:
            continue
        shipped = line["quantity_shipped"]
        quantity, damaged, reason, note = shipped, Decimal(0), None, None
        if line is target and kind == "damaged":
            damaged = max(Decimal(1), (shipped / 4).to_integral_value())
            reason, note = ReceiptReason.DAMAGED, rng.choice(DAMAGE_NOTES)
        elif line is target and kind == "short":
            quantity, reason, note = shipped - 1, ReceiptReason.SHORT, "1 Stück fehlt laut Lieferschein"
        shortfall = shipped - quantity
        line["quantity_received"] += quantity - damaged
        rows.append(
            {
                "receipt_id": receipt_id,
                "order_line_id": line["id"],
                "quantity": quantity,
                "quantity_damaged": damaged,
                "excess_quantity": Decimal(0),
                "shortfall_quantity": shortfall,
                "reason": reason,
                "note": note,
            }
        )
        counted.append(
            {
                "line_no": line["line_no"],
                "quantity": str(quantity),
                **({"damaged": str(damaged)} if damaged else {}),
                **({"shortfall": str(shortfall)} if shortfall else {}),
                **({"reason": reason.value} if reason else {}),
            }
        )
    discrepancy = any(row["reason"] is not None for row in rows)
    plan.add(
        GoodsReceipt,
        {
            "id": receipt_id,
            "order_id": order_id,
            "supplier_id": order["supplier_id"],
            "shipment_id": shipment_id,
            "received_by_org_id": receiver,
            "received_on": received_on,
            "note": None,
            "has_discrepancy": discrepancy,
            "over_received": False,
            "created_at": recorded_at,
        },
    )
    for row in rows:
        plan.add(GoodsReceiptLine, row)
    event(
        plan,
        "goods_receipt.recorded",
        "goods_receipt",
        receipt_id,
        receiver,
        recorded_at,
        order_id=order_id,
        number=order["number"],
        supplier_id=order["supplier_id"],
        shipment_id=shipment_id,
        has_discrepancy=discrepancy,
        over_received=False,
        lines=counted,
    )
