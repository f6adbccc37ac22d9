"""Filters and orderings of the order, shipment and invoice connections, and the inputs of the
order mutations. A filter turns into the domain's query (``portal.orders.queries``), nothing else."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import strawberry

from portal import models as m
from portal.access import Principal
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id, readable_filters
from portal.orders.queries import (
    InvoiceQuery,
    InvoiceSort,
    OrderQuery,
    OrderSort,
    ShipmentQuery,
    ShipmentSort,
)
from portal.reading.search import search_text

OrderSortField = strawberry.enum(OrderSort, name="OrderSortField")
ShipmentSortField = strawberry.enum(ShipmentSort, name="ShipmentSortField")
InvoiceSortField = strawberry.enum(InvoiceSort, name="InvoiceSortField")


@strawberry.input
class OrderFilter:
    number: str | None = strawberry.field(default=None, description="Exactly this order number.")
    search: str | None = strawberry.field(
        default=None, description="A part of the number, the delivery name or the customer reference."
    )
    status: list[m.OrderStatus] | None = None
    customer_reference: str | None = strawberry.field(
        default=None, description="Exactly this customer reference."
    )
    updated_after: datetime | None = strawberry.field(
        default=None, description="Changed since (pull new work)."
    )
    created_after: datetime | None = strawberry.field(default=None, description="Created after this moment.")
    order_date_from: date | None = None
    order_date_to: date | None = None
    customer: strawberry.ID | None = None
    dealer: strawberry.ID | None = None
    supplier: strawberry.ID | None = None
    include_cancelled: bool = True
    awaiting_confirmation: bool | None = strawberry.field(
        default=None, description="true: orders with lines the supplier has not answered yet (new work)."
    )
    awaiting_review: bool | None = strawberry.field(
        default=None,
        description="true: orders with a supplier's change awaiting the buyer's review (the review inbox).",
    )
    late_on: date | None = strawberry.field(
        default=None,
        description=(
            "Orders late on this day: routed, not cancelled, with a line past its promised date (else"
            " the line's or the order's requested date) that is not fully shipped."
        ),
    )


@strawberry.input
class OrderOrder:
    field: OrderSort = OrderSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def order_query(f: OrderFilter | None, principal: Principal) -> OrderQuery:
    if f is None:
        return OrderQuery()
    readable_filters(principal, f, ("customer", "dealer", "supplier"))
    return OrderQuery(
        search=search_text(f.search, "filter.search"),
        number=f.number,
        customer_reference=f.customer_reference,
        statuses=frozenset(f.status or ()),
        waiting=f.awaiting_confirmation,
        late_on=f.late_on,
        awaiting_review=f.awaiting_review,
        include_cancelled=f.include_cancelled,
        customer_id=filter_id("filter.customer", f.customer, "Customer"),
        dealer_id=filter_id("filter.dealer", f.dealer, "Organization"),
        supplier_id=filter_id("filter.supplier", f.supplier, "Organization"),
        order_date_from=f.order_date_from,
        order_date_to=f.order_date_to,
        created_after=f.created_after,
        updated_after=f.updated_after,
    )


@strawberry.input
class ShipmentFilter:
    order: strawberry.ID | None = None
    number: str | None = strawberry.field(default=None, description="Exactly this ship notice number.")
    search: str | None = strawberry.field(
        default=None, description="A part of the ship notice number or the tracking number."
    )
    shipped_from: date | None = None
    shipped_to: date | None = None


@strawberry.input
class ShipmentOrder:
    field: ShipmentSort = ShipmentSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def shipment_query(f: ShipmentFilter | None) -> ShipmentQuery:
    if f is None:
        return ShipmentQuery()
    return ShipmentQuery(
        search=search_text(f.search, "filter.search"),
        number=f.number,
        order_id=filter_id("filter.order", f.order, "Order"),
        shipped_from=f.shipped_from,
        shipped_to=f.shipped_to,
    )


@strawberry.input
class InvoiceFilter:
    order: strawberry.ID | None = None
    number: str | None = strawberry.field(default=None, description="Exactly this invoice number.")
    search: str | None = strawberry.field(default=None, description="A part of the invoice number.")
    match_status: m.MatchStatus | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    open_on: date | None = strawberry.field(
        default=None,
        description="Invoices open on this day: received, disputed or approved, and without a due date "
        "or due on or after it (the dashboard's open invoices).",
    )
    status: list[m.InvoiceStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    supplier: strawberry.ID | None = strawberry.field(default=None, description="Issued by this supplier.")
    due_from: date | None = strawberry.field(default=None, description="Due on or after this day.")
    due_to: date | None = strawberry.field(default=None, description="Due on or before this day.")


@strawberry.input
class InvoiceOrder:
    field: InvoiceSort = InvoiceSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def invoice_query(f: InvoiceFilter | None) -> InvoiceQuery:
    if f is None:
        return InvoiceQuery()
    return InvoiceQuery(
        search=search_text(f.search, "filter.search"),
        number=f.number,
        order_id=filter_id("filter.order", f.order, "Order"),
        match_status=f.match_status,
        issued_from=f.issued_from,
        issued_to=f.issued_to,
        open_on=f.open_on,
        statuses=frozenset(f.status or ()),
        supplier_id=filter_id("filter.supplier", f.supplier, "Organization"),
        due_from=f.due_from,
        due_to=f.due_to,
    )


# --- mutations -----------------------------------------------------------------------------------


@strawberry.enum
class LineAction(enum.Enum):
    ACCEPT = "accepted"
    REJECT = "rejected"
    CHANGE = "changed"


@strawberry.input(description="One delivery of a line split into several.")
class ScheduleLineInput:
    quantity: Decimal
    delivery_date: date


@strawberry.input
class LineAnswerInput:
    line_no: int
    action: LineAction
    quantity: Decimal | None = None
    promised_date: date | None = None
    unit_price: Decimal | None = None
    reason: str | None = strawberry.field(
        default=None, description="Why the line is rejected (REJECT only); shown to the buyer."
    )
    schedule: list[ScheduleLineInput] | None = strawberry.field(
        default=None,
        description=(
            "Split the line into several deliveries (two to twelve, distinct dates): the quantity is"
            " their sum, the promised date the last one's. A split always awaits the buyer's review."
        ),
    )


@strawberry.input
class ConfirmOrderInput:
    order: strawberry.ID
    lines: list[LineAnswerInput]
    expected_version: int | None = strawberry.field(default=None, description="The order's version you read.")


@strawberry.input
class LineDecisionInput:
    line_no: int
    accept: bool = strawberry.field(description="true: the change becomes the line's answer; false: refused.")
    reason: str | None = strawberry.field(
        default=None, description="Why (required to reject); shown to the supplier."
    )


@strawberry.input
class ReviewLineChangesInput:
    order: strawberry.ID
    lines: list[LineDecisionInput]
    expected_version: int | None = strawberry.field(
        default=None, description="The order's version you read: a second reviewer is told it changed."
    )


@strawberry.input
class SetSupplierToleranceInput:
    supplier: strawberry.ID
    days: int = strawberry.field(description="A promised date within this many days holds (0 to 365).")
    quantity_percent: Decimal = strawberry.field(
        description="A confirmed quantity within this percentage of the ordered one holds (0 to 100)."
    )


@strawberry.input
class ShipLineInput:
    line_no: int
    quantity: Decimal
    batch_number: str | None = None
    sscc: str | None = None


@strawberry.input
class CreateShipmentInput:
    order: strawberry.ID
    number: str = strawberry.field(
        description="Your ship notice (despatch advice) number; unique per supplier."
    )
    shipped_on: date
    lines: list[ShipLineInput]
    expected_delivery: date | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    packages: int = 1


@strawberry.input
class ReceiveLineInput:
    line_no: int
    quantity: Decimal = strawberry.field(description="Counted in all (0: nothing of it arrived).")
    damaged: Decimal = strawberry.field(default=Decimal(0), description="Of the counted, unusable.")
    reason: m.ReceiptReason | None = strawberry.field(
        default=None,
        description="Required when goods are damaged or fewer arrived than the ship notice announced.",
    )
    note: str | None = None


@strawberry.input
class RecordGoodsReceiptInput:
    order: strawberry.ID
    received_on: date
    lines: list[ReceiveLineInput]
    shipment: strawberry.ID | None = strawberry.field(
        default=None, description="The ship notice the goods came with, when there is one."
    )
    note: str | None = None
    expected_version: int | None = strawberry.field(
        default=None, description="The order's version: a receipt by someone else meanwhile is a CONFLICT."
    )


@strawberry.input
class BillLineInput:
    line_no: int
    quantity: Decimal
    unit_price: Decimal | None = None
    tax_rate: Decimal = Decimal(19)


@strawberry.input
class SubmitInvoiceInput:
    order: strawberry.ID
    number: str
    issue_date: date
    lines: list[BillLineInput]
    due_date: date | None = None


@strawberry.input
class ReviewInvoiceInput:
    invoice: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None,
        description="The invoice's version you read: another reviewer's change meanwhile is a CONFLICT.",
    )
    payment_scheduled_on: date | None = strawberry.field(
        default=None, description="APPROVE only: the day you plan to pay."
    )


@strawberry.input
class SchedulePaymentInput:
    invoice: strawberry.ID
    payment_scheduled_on: date = strawberry.field(description="The day you plan to pay the approved invoice.")
    expected_version: int | None = None


@strawberry.input
class DisputeInvoiceInput:
    invoice: strawberry.ID
    reason: str = strawberry.field(description="What is wrong; the supplier sees it and answers.")
    expected_version: int | None = None


@strawberry.input
class RejectInvoiceInput:
    invoice: strawberry.ID
    reason: str = strawberry.field(description="Why; the supplier sees it.")
    expected_version: int | None = None


@strawberry.input
class RecordPaymentInput:
    invoice: strawberry.ID
    amount: Decimal = strawberry.field(description="Paid now; at most what is still owed (amountOwed).")
    paid_on: date
    reference: str | None = strawberry.field(default=None, description="The transfer's reference.")
    expected_version: int | None = None


@strawberry.input
class CreditNoteInput:
    number: str = strawberry.field(description="Your credit note number; unique per supplier.")
    issue_date: date
    gross_total: Decimal = strawberry.field(
        description="The amount credited, tax included; at most amountOwed."
    )
    tax_total: Decimal | None = strawberry.field(
        default=None, description="Its tax; unset: split in the invoice's own proportion."
    )
    reason: str | None = None


@strawberry.input
class IssueCreditNoteInput:
    invoice: strawberry.ID
    credit_note: CreditNoteInput


@strawberry.input
class AnswerDisputeInput:
    invoice: strawberry.ID
    message: str
    credit_note: CreditNoteInput | None = strawberry.field(
        default=None, description="A credit note granted with the answer."
    )


@strawberry.input
class NewOrderLineInput:
    quantity: Decimal
    product: strawberry.ID | None = None
    sku: str | None = None
    unit_price: Decimal | None = None
    requested_date: date | None = None


@strawberry.input
class CreateOrderInput:
    customer: strawberry.ID
    lines: list[NewOrderLineInput]
    dealer: strawberry.ID | None = None
    contact: strawberry.ID | None = None
    requested_date: date | None = None
    customer_reference: str | None = None
    note: str | None = None
    currency: str = "EUR"


@strawberry.input
class RouteOrderInput:
    order: strawberry.ID
    supplier: strawberry.ID


@strawberry.input
class CancelOrderInput:
    order: strawberry.ID
    expected_version: int | None = strawberry.field(default=None, description="The order's version you read.")


@strawberry.input(
    description="The buyer's change of one line: a new quantity and/or requested date, or cancel it."
)
class OrderLineChangeInput:
    line_no: int
    quantity: Decimal | None = None
    requested_date: date | None = None
    cancel: bool = strawberry.field(default=False, description="Cancel the line (not when invoiced).")


@strawberry.input
class ChangeOrderInput:
    order: strawberry.ID
    lines: list[OrderLineChangeInput] = strawberry.field(
        default_factory=list, description="Lines to change or cancel."
    )
    add_lines: list[NewOrderLineInput] = strawberry.field(default_factory=list, description="Lines to add.")
    note: str | None = strawberry.field(
        default=None, description="Why: sent to the supplier with the change."
    )
    expected_version: int | None = strawberry.field(default=None, description="The order's version you read.")
