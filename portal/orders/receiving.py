"""Goods receipts (issue #17.3): the receiving side counts what arrived per order line.

Who receives: the owner's staff, and the dealer that sold the order (`permissions.can_record_receipt`);
the supplier sees the receipts of its orders. A receipt may refer to one of the order's ship notices;
a line counted short of what that notice announced, or with damaged goods, needs a reason code (the
supplier is notified: ``goods_receipt.recorded`` with ``has_discrepancy``).

Bad input: a line counted beyond what has been shipped is kept as counted and flagged (the line's
``excess_quantity``, the receipt's ``over_received``), never refused, so nothing counted is lost. A
line the order does not have is refused as a missing one. Two receivers at once: the second is told
the order changed meanwhile (``expected_version``; the order's version column otherwise).

The three-way match: once an order has a receipt, an invoice billing more of a line than was accepted
(counted less damaged) in all is flagged ``above_received`` (unless it is ``over_billed`` already,
which says more). Recording a receipt re-checks the order's open invoices (`rematch_received`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from portal import validation
from portal.access import Principal, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState
from portal.events import record
from portal.models import (
    OPEN_INVOICE_STATUSES,
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    MatchStatus,
    Order,
    OrderLine,
    OrderStatus,
    ReceiptReason,
    Shipment,
)
from portal.orders.service import load_order, touch_order
from portal.orders.units import check_quantity


@dataclass(frozen=True, slots=True)
class ReceiveLine:
    """One order line as counted: ``quantity`` arrived, of which ``damaged`` are unusable."""

    line_no: int
    quantity: Decimal
    damaged: Decimal = Decimal(0)
    reason: ReceiptReason | None = None
    note: str | None = None


NOT_RECEIVABLE = frozenset({OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.REJECTED})


def has_receipt(uow: UnitOfWork, order_id: int) -> bool:
    """Whether the order has a goods receipt (from then on invoices are matched against it)."""
    return bool(uow.session.scalar(select(exists().where(GoodsReceipt.order_id == order_id))))


def above_received(line: OrderLine) -> Decimal:
    """How much more of ``line`` was billed than accepted in goods receipts."""
    return max(Decimal(0), line.quantity_invoiced - line.quantity_received)


def _order_shipment(uow: UnitOfWork, order: Order, shipment_id: int) -> Shipment:
    shipment = uow.session.scalar(
        select(Shipment).where(Shipment.id == shipment_id).options(selectinload(Shipment.lines))
    )
    if shipment is None or shipment.order_id != order.id:
        raise InvalidInput("shipment", f"order {order.number} has no ship notice {shipment_id}")
    return shipment


def _shipped_on(shipment: Shipment | None, line: OrderLine) -> Decimal | None:
    if shipment is None:
        return None
    return sum((s.quantity for s in shipment.lines if s.order_line_id == line.id), Decimal(0))


MISSING_REASON = "give a reason code for the damaged or missing goods (short, damaged, wrong item, other)"


def lines_missing_a_reason(
    uow: UnitOfWork, order: Order, shipment_id: int | None, lines: Sequence[ReceiveLine]
) -> list[int]:
    """The line numbers of ``lines`` that need a reason and have none (damaged goods, or fewer than
    the ship notice announced): a form names them all at once, the service refuses the first."""
    shipment = _order_shipment(uow, order, shipment_id) if shipment_id is not None else None
    by_no = {line.line_no: line for line in order.lines if not line.cancelled}
    missing: list[int] = []
    for spec in lines:
        line = by_no.get(spec.line_no)
        if line is None or spec.reason is not None:
            continue
        announced = _shipped_on(shipment, line)
        short = announced is not None and announced > spec.quantity
        if spec.damaged > 0 or short:
            missing.append(spec.line_no)
    return missing


def _line(order: Order, line_no: int, field: str) -> OrderLine:
    for line in order.lines:
        if line.line_no == line_no and not line.cancelled:
            return line
    raise InvalidInput(field, f"order {order.number} has no line {line_no}")


def record_goods_receipt(
    *,
    uow: UnitOfWork,
    principal: Principal,
    order_id: int,
    received_on: date,
    lines: Sequence[ReceiveLine],
    shipment_id: int | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    received_by_org_id: int | None = None,
) -> GoodsReceipt:
    """Record what arrived of an order. ``received_by_org_id`` (the EDI path: the sending partner)
    defaults to the principal's organization."""
    order = load_order(uow, principal, order_id, for_update=True)
    may.require(principal, may.can_record_receipt(principal, order), "record goods receipts")
    status = order.status()
    if status in NOT_RECEIVABLE or order.supplier_id is None:
        raise InvalidState("order", status.value, "receive")
    if not lines:
        raise InvalidInput("lines", "a goods receipt needs at least one line")
    touch_order(order, expected_version)
    shipment = _order_shipment(uow, order, shipment_id) if shipment_id is not None else None
    receipt = GoodsReceipt(
        order_id=order.id,
        supplier_id=order.supplier_id,
        shipment_id=shipment.id if shipment else None,
        received_by_org_id=received_by_org_id or principal.org_id,
        received_on=received_on,
        note=validation.text("note", note, max_length=500, required=False),
        has_discrepancy=False,
        over_received=False,
    )
    seen: set[int] = set()
    counted: list[dict[str, object]] = []
    for index, spec in enumerate(lines, start=1):
        field = f"lines[{index}]"
        line = _line(order, spec.line_no, f"{field}.line_no")
        if line.id in seen:
            raise InvalidInput(f"{field}.line_no", f"line {spec.line_no} is counted twice")
        seen.add(line.id)
        quantity = validation.decimal(f"{field}.quantity", spec.quantity)
        if quantity < 0:
            raise InvalidInput(f"{field}.quantity", "must not be negative")
        check_quantity(f"{field}.quantity", line.unit, quantity)
        damaged = validation.decimal(f"{field}.damaged", spec.damaged)
        if damaged < 0 or damaged > quantity:
            raise InvalidInput(f"{field}.damaged", f"must be between 0 and the {quantity} counted")
        check_quantity(f"{field}.damaged", line.unit, damaged)
        announced = _shipped_on(shipment, line)
        if announced is not None and announced == 0:
            raise InvalidInput(
                f"{field}.line_no",
                f"ship notice {shipment.number if shipment else ''} has no line {line.line_no}",
            )
        shortfall = max(Decimal(0), announced - quantity) if announced is not None else Decimal(0)
        line_note = validation.text(f"{field}.note", spec.note, max_length=500, required=False)
        if (damaged > 0 or shortfall > 0) and spec.reason is None:
            raise InvalidInput(
                f"{field}.reason",
                MISSING_REASON,
            )
        accepted = quantity - damaged
        before = line.quantity_received
        line.quantity_received = before + accepted
        excess = max(Decimal(0), line.quantity_received - max(line.quantity_shipped, before))
        receipt.has_discrepancy |= damaged > 0 or shortfall > 0 or spec.reason is not None
        receipt.over_received |= excess > 0
        receipt.lines.append(
            GoodsReceiptLine(
                order_line_id=line.id,
                quantity=quantity,
                quantity_damaged=damaged,
                excess_quantity=excess,
                shortfall_quantity=shortfall,
                reason=spec.reason,
                note=line_note,
            )
        )
        counted.append(
            {
                "line_no": line.line_no,
                "quantity": quantity,
                **({"damaged": damaged} if damaged else {}),
                **({"shortfall": shortfall} if shortfall else {}),
                **({"excess": excess} if excess else {}),
                **({"reason": spec.reason.value} if spec.reason else {}),
            }
        )
    uow.session.add(receipt)
    uow.flush()
    rematched = rematch_received(uow, order)
    record(
        uow,
        principal,
        "goods_receipt.recorded",
        "goods_receipt",
        receipt.id,
        order_id=order.id,
        number=order.number,
        supplier_id=order.supplier_id,
        shipment_id=receipt.shipment_id,
        has_discrepancy=receipt.has_discrepancy,
        over_received=receipt.over_received,
        lines=counted,
        **({"rematched_invoices": rematched} if rematched else {}),
    )
    return receipt


def rematch_received(uow: UnitOfWork, order: Order) -> list[int]:
    """Re-check the order's open invoices against what was received: ``matched`` <-> ``above_received``
    (``over_billed`` stays: it is about what was shipped). Returns the invoices whose status changed."""
    by_id = {line.id: line for line in order.lines}
    invoices = uow.session.scalars(
        select(Invoice)
        .where(Invoice.order_id == order.id, Invoice.status.in_(OPEN_INVOICE_STATUSES))
        .options(selectinload(Invoice.lines))
        .order_by(Invoice.id)
    ).all()
    changed: list[int] = []
    for invoice in invoices:
        if invoice.match_status is MatchStatus.OVER_BILLED:
            continue
        above = any(
            above_received(by_id[bill.order_line_id]) > 0
            for bill in invoice.lines
            if bill.order_line_id in by_id
        )
        status = MatchStatus.ABOVE_RECEIVED if above else MatchStatus.MATCHED
        if status is not invoice.match_status:
            invoice.match_status = status
            changed.append(invoice.id)
    if changed:
        uow.flush()
    return changed


def receipts_of_order(session: Session, principal: Principal, order_id: int) -> list[GoodsReceipt]:
    """The receipts of an order that ``principal`` may see, oldest first, with their lines."""
    return list(
        session.scalars(
            visible(principal, GoodsReceipt)
            .where(GoodsReceipt.order_id == order_id)
            .options(selectinload(GoodsReceipt.lines))
            .order_by(GoodsReceipt.id)
        )
    )
