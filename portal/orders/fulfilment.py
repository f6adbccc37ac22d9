"""Ship notices and invoices from the supplier, with the three-way match.

Three-way match: an invoice line that bills more than has been shipped of its order line is accepted
but flagged: the invoice gets ``match_status = over_billed`` and the line its ``excess_quantity``, so
owner staff can hold the payment. Once the order has a goods receipt, an invoice billing more than
was accepted is flagged ``above_received`` (see `portal.orders.receiving`). Rejecting would lose the
document the supplier sent; flagging keeps it and makes the discrepancy visible to both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal import validation
from portal.access import Principal
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState
from portal.events import record
from portal.invoicing import totals
from portal.models import (
    Invoice,
    InvoiceLine,
    LineResponse,
    MatchStatus,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
)
from portal.orders.receiving import above_received, has_receipt
from portal.orders.service import load_order, touch_order
from portal.orders.units import check_quantity

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ShipLine:
    line_no: int
    quantity: Decimal
    batch_number: str | None = None
    sscc: str | None = None


@dataclass(frozen=True, slots=True)
class BillLine:
    line_no: int
    quantity: Decimal
    unit_price: Decimal | None = None  # the confirmed price when None
    tax_rate: Decimal = Decimal(19)
    net_amount: Decimal | None = None  # as a document states it (BT-131); else quantity x price


SHIPPABLE = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.PARTIALLY_INVOICED,
    }
)


def _supplier_order(uow: UnitOfWork, principal: Principal, order_id: int, action: str) -> Order:
    order = load_order(uow, principal, order_id, for_update=True)
    may.require(principal, may.can_act_as_supplier(principal, order), action)
    return order


def _line(order: Order, line_no: int, field: str) -> OrderLine:
    for line in order.lines:
        if line.line_no == line_no and not line.cancelled:
            return line
    raise InvalidInput(field, f"order {order.number} has no line {line_no}")


def check_ship_quantity(line: OrderLine, quantity: Decimal, field: str) -> Decimal:
    """A quantity to ship of ``line``: positive, whole for pieces, within the confirmed quantity.
    The ship-notice form checks each line with it before the service, to report every line at once."""
    quantity = validation.decimal(field, quantity, positive=True)
    check_quantity(field, line.unit, quantity)
    limit = shippable_quantity(line)
    if line.quantity_shipped + quantity > limit:
        raise InvalidInput(
            field,
            f"ships {line.quantity_shipped + quantity} in total, more than the {limit} confirmed",
        )
    return quantity


def ships_on_proposal(line: OrderLine) -> bool:
    """A line whose first answer (not a rejection) awaits the buyer's review (issue #17): the
    supplier may ship what it proposed meanwhile (an EDI ship notice often follows the answer at
    once); the buyer may still accept the change afterwards, or reject it (the rest stays owed)."""
    return (
        line.response is LineResponse.PENDING
        and line.awaiting_review
        and line.proposed_response is not LineResponse.REJECTED
    )


def shippable_quantity(line: OrderLine) -> Decimal:
    """How much of ``line`` may be shipped in all: the confirmed quantity, or, while its first answer
    awaits review, the proposed one (never more than ordered)."""
    if ships_on_proposal(line):
        return min(line.quantity_ordered, line.proposed_quantity or Decimal(0))
    return line.effective_quantity


def check_bill_quantity(line: OrderLine, quantity: Decimal, field: str) -> Decimal:
    """A quantity to bill of ``line``: positive and whole for pieces (billing more than was shipped
    is accepted and flagged, see the module's docstring)."""
    quantity = validation.decimal(field, quantity, positive=True)
    check_quantity(field, line.unit, quantity)
    return quantity


def record_shipment(
    *,
    uow: UnitOfWork,
    principal: Principal,
    order_id: int,
    number: str,
    shipped_on: date,
    lines: Sequence[ShipLine],
    carrier: str | None = None,
    tracking_number: str | None = None,
    expected_delivery: date | None = None,
    packages: int = 1,
) -> Shipment:
    order = _supplier_order(uow, principal, order_id, "record shipments")
    status = order.status()
    # An order whose every line awaits review is still "awaiting confirmation": it ships on the
    # proposals (see `ships_on_proposal`).
    if status not in SHIPPABLE and not (
        status is OrderStatus.AWAITING_CONFIRMATION and order.awaiting_review
    ):
        raise InvalidState("order", status.value, "ship")
    if not lines:
        raise InvalidInput("lines", "a ship notice needs at least one line")
    validation.date_order("shipped_on", shipped_on, "expected_delivery", expected_delivery)
    if packages < 1:
        raise InvalidInput("packages", "must be at least 1")
    assert order.supplier_id is not None
    shipment = Shipment(
        order_id=order.id,
        supplier_id=order.supplier_id,
        number=validation.required_text("number", number, max_length=64),
        shipped_on=shipped_on,
        expected_delivery=expected_delivery,
        carrier=validation.text("carrier", carrier, max_length=100, required=False),
        tracking_number=validation.text("tracking_number", tracking_number, max_length=100, required=False),
        packages=packages,
    )
    for index, spec in enumerate(lines, start=1):
        field = f"lines[{index}]"
        line = _line(order, spec.line_no, f"{field}.line_no")
        if line.response is LineResponse.REJECTED or (
            line.response is LineResponse.PENDING and not ships_on_proposal(line)
        ):
            raise InvalidState("order line", line.response.value, "ship")
        quantity = check_ship_quantity(line, spec.quantity, f"{field}.quantity")
        if spec.sscc is not None and not (spec.sscc.isdigit() and len(spec.sscc) == 18):
            raise InvalidInput(f"{field}.sscc", "an SSCC has 18 digits")
        line.quantity_shipped += quantity
        shipment.lines.append(
            ShipmentLine(
                order_line_id=line.id, quantity=quantity, batch_number=spec.batch_number, sscc=spec.sscc
            )
        )
    uow.session.add(shipment)
    touch_order(order)
    uow.flush()
    record(
        uow,
        principal,
        "shipment.created",
        "shipment",
        shipment.id,
        number=shipment.number,
        order_id=order.id,
        order_status=order.status().value,
    )
    return shipment


INVOICEABLE = SHIPPABLE | {OrderStatus.SHIPPED}


def submit_invoice(
    *,
    uow: UnitOfWork,
    principal: Principal,
    order_id: int,
    number: str,
    issue_date: date,
    lines: Sequence[BillLine],
    due_date: date | None = None,
    stated: totals.StatedTotals | None = None,
) -> Invoice:
    """An invoice of the order's lines. Its VAT is computed per rate and rounded once; a document's
    ``stated`` totals are taken as stated once they agree with the lines (`portal.invoicing.totals`)."""
    order = _supplier_order(uow, principal, order_id, "submit invoices")
    status = order.status()
    if status not in INVOICEABLE:
        raise InvalidState("order", status.value, "invoice")
    if not lines:
        raise InvalidInput("lines", "an invoice needs at least one line")
    validation.date_order("issue_date", issue_date, "due_date", due_date)
    assert order.supplier_id is not None
    invoice = Invoice(
        order_id=order.id,
        supplier_id=order.supplier_id,
        currency=order.currency,
        number=validation.required_text("number", number, max_length=64),
        issue_date=issue_date,
        due_date=due_date,
        match_status=MatchStatus.MATCHED,
        net_total=Decimal(0),
        tax_total=Decimal(0),
        gross_total=Decimal(0),
    )
    amounts: list[tuple[Decimal, Decimal]] = []
    for index, spec in enumerate(lines, start=1):
        field = f"lines[{index}]"
        line = _line(order, spec.line_no, f"{field}.line_no")
        quantity = check_bill_quantity(line, spec.quantity, f"{field}.quantity")
        price = (
            line.effective_price
            if spec.unit_price is None
            else validation.decimal(f"{field}.unit_price", spec.unit_price)
        )
        rate = validation.decimal(f"{field}.tax_rate", spec.tax_rate)
        if rate > 100:
            raise InvalidInput(f"{field}.tax_rate", "is a percentage and must not exceed 100")
        billed_before = line.quantity_invoiced
        line.quantity_invoiced += quantity
        excess = max(Decimal(0), line.quantity_invoiced - max(line.quantity_shipped, billed_before))
        if excess > 0:
            invoice.match_status = MatchStatus.OVER_BILLED
        amount = (
            totals.cents(quantity * price)
            if spec.net_amount is None
            else validation.decimal(f"{field}.net_amount", spec.net_amount, non_negative=False)
        )
        amounts.append((amount, rate))
        invoice.lines.append(
            InvoiceLine(
                order_line_id=line.id,
                quantity=quantity,
                unit_price=price,
                net_amount=amount,
                tax_rate=rate,
                excess_quantity=excess,
            )
        )
    figures = (
        totals.computed(amounts)
        if stated is None
        else totals.checked(stated, sum((amount for amount, _ in amounts), Decimal(0)))
    )
    invoice.net_total, invoice.tax_total, invoice.gross_total = figures.net, figures.tax, figures.gross
    if figures.prepaid:  # paid in advance: what is still owed is the document's amount due
        invoice.amount_paid = figures.prepaid
    if invoice.match_status is MatchStatus.MATCHED and has_receipt(uow, order.id):
        billed = {bill.order_line_id for bill in invoice.lines}
        if any(above_received(line) > 0 for line in order.lines if line.id in billed):
            invoice.match_status = MatchStatus.ABOVE_RECEIVED
    uow.session.add(invoice)
    touch_order(order)
    uow.flush()
    record(
        uow,
        principal,
        "invoice.submitted",
        "invoice",
        invoice.id,
        number=invoice.number,
        order_id=order.id,
        match_status=invoice.match_status.value,
        gross_total=invoice.gross_total,
    )
    return invoice
