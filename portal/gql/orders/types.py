"""Orders, their lines, shipments and invoices. Column fields carry the database column's name;
relations and derived values resolve through the request's loaders (``portal.gql.loaders``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import strawberry

from portal import models as m
from portal.gql.base import Built, Node, ctx, field
from portal.gql.customers.types import Customer
from portal.gql.ids import encode_id
from portal.gql.partners.types import Organization
from portal.models.orders import schedule_parts

OrderStatus = strawberry.enum(m.OrderStatus, name="OrderStatus")
LineResponse = strawberry.enum(m.LineResponse, name="LineResponse")
MatchStatus = strawberry.enum(m.MatchStatus, name="MatchStatus")
ReviewOutcome = strawberry.enum(m.ReviewOutcome, name="ReviewOutcome")
ReceiptReason = strawberry.enum(
    m.ReceiptReason,
    name="ReceiptReason",
    description="Why a goods receipt line differs from what was shipped.",
)
InvoiceStatus = strawberry.enum(
    m.InvoiceStatus,
    name="InvoiceStatus",
    description="The owner's review and the payment: RECEIVED, DISPUTED and APPROVED are open; "
    "REJECTED, PAID and CREDITED (settled by credit notes) are closed.",
)
MessageKind = strawberry.enum(m.MessageKind, name="InvoiceMessageKind")
VersionKind = strawberry.enum(m.VersionKind, name="OrderVersionKind")
LineChangeKind = strawberry.enum(m.LineChangeKind, name="LineChangeKind")

# The model's own rules, applied to our plain objects: one definition of "effective".
_effective_quantity = cast("Callable[[Any], Decimal]", cast(property, m.OrderLine.effective_quantity).fget)
_effective_price = cast("Callable[[Any], Decimal]", cast(property, m.OrderLine.effective_price).fget)


def proposed_amount(line: OrderLine) -> Decimal:
    """The line's net amount if its change awaiting review were accepted (the model's rule,
    `portal.models.orders.OrderLine.proposed_amount`)."""
    if line.proposed_response is None or line.cancelled:
        return line.effective_quantity * line.effective_price
    if line.proposed_response is m.LineResponse.REJECTED:
        return Decimal(0)
    quantity = line.proposed_quantity if line.proposed_quantity is not None else line.quantity_ordered
    return quantity * (line.proposed_price if line.proposed_price is not None else line.unit_price)


@strawberry.type(
    description="Where and to whom an order is delivered: all a supplier learns of the customer."
)
class DeliveryParty:
    name: str
    street: str | None
    postal_code: str | None
    city: str | None
    country: str
    gln: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None


@strawberry.type(description="One delivery of a line the supplier split into several (a schedule line).")
class ScheduleLine:
    quantity: Decimal
    delivery_date: date


def _schedule(stored: list[dict[str, str]] | None) -> list[ScheduleLine]:
    return [ScheduleLine(quantity=q, delivery_date=d) for q, d in schedule_parts(stored)]


@strawberry.type
class OrderLine(Node, Built):
    line_no: int
    sku: str | None
    gtin: str | None
    description: str
    unit: str
    unit_price: Decimal
    confirmed_price: Decimal | None
    quantity_ordered: Decimal
    quantity_confirmed: Decimal | None
    quantity_shipped: Decimal
    quantity_invoiced: Decimal
    quantity_received: Decimal = strawberry.field(
        description="Accepted in goods receipts (counted less damaged); invoices are matched against it."
    )
    response: m.LineResponse
    requested_date: date | None
    promised_date: date | None
    cancelled: bool
    list_price: Decimal | None = strawberry.field(
        description="The catalogue price when the line was ordered (null on older lines)."
    )
    reject_reason: str | None = strawberry.field(
        description="Why the supplier rejected the line, as it gave it."
    )
    proposed_response: m.LineResponse | None = strawberry.field(
        description=(
            "The supplier's answer awaiting the buyer's review (beyond its agreed tolerance); null"
            " when none waits. The fields above stay the agreed ones until the buyer accepts it."
        )
    )
    proposed_quantity: Decimal | None = strawberry.field(
        description="The quantity the waiting answer confirms."
    )
    proposed_price: Decimal | None = strawberry.field(
        description="The unit price the waiting answer asks (null: the ordered price)."
    )
    proposed_date: date | None = strawberry.field(description="The date the waiting answer promises.")
    proposed_reason: str | None = strawberry.field(description="Why the waiting answer rejects the line.")
    proposed_at: datetime | None = strawberry.field(description="When the waiting answer came.")
    review_outcome: m.ReviewOutcome | None = strawberry.field(
        description="The buyer's last decision on a change of the supplier's (until the next change)."
    )
    review_reason: str | None = strawberry.field(description="The buyer's reason for its decision.")
    reviewed_at: datetime | None = strawberry.field(description="When the buyer decided.")
    order_id: strawberry.Private[int]
    product_id: strawberry.Private[int | None]
    schedule: strawberry.Private[list[dict[str, str]] | None]
    proposed_schedule: strawberry.Private[list[dict[str, str]] | None]

    @field(
        name="schedule",
        description=(
            "The agreed deliveries of a line the supplier split into several dates, by date (empty:"
            " not split, due on promisedDate). A split line is late from its first delivery not yet"
            " covered by what was shipped."
        ),
    )
    def schedule_lines(self) -> list[ScheduleLine]:
        return _schedule(self.schedule)

    @field(
        name="proposedSchedule",
        description="The deliveries of a split awaiting the buyer's review (empty when none waits).",
    )
    def proposed_schedule_lines(self) -> list[ScheduleLine]:
        return _schedule(self.proposed_schedule)

    @field(description="Whether the unit price was set by hand instead of taken from the catalogue.")
    def price_overridden(self) -> bool:
        return self.list_price is not None and self.unit_price != self.list_price

    @property
    def effective_quantity(self) -> Decimal:
        return _effective_quantity(self)

    @property
    def effective_price(self) -> Decimal:
        return _effective_price(self)

    @field(description="Confirmed quantity, or ordered while unanswered; 0 when rejected.")
    def quantity_open_to_ship(self) -> Decimal:
        return max(Decimal(0), self.effective_quantity - self.quantity_shipped)

    @strawberry.field
    def net_amount(self) -> Decimal:
        return self.effective_quantity * self.effective_price

    @field(description="Whether a change of the supplier's awaits the buyer's review.")
    def awaiting_review(self) -> bool:
        return self.proposed_response is not None and not self.cancelled

    @field(description="The net amount if the buyer accepted the change awaiting review (else netAmount).")
    def proposed_net_amount(self) -> Decimal:
        return proposed_amount(self)


@strawberry.type(description="A line as the buyer asked for it in one version of the order.")
class OrderVersionLine:
    line_no: int
    sku: str | None
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    requested_date: date | None
    cancelled: bool


@strawberry.type(description="What a version changed on one line (before and after).")
class OrderLineChange:
    line_no: int
    change: m.LineChangeKind
    quantity_before: Decimal | None
    quantity: Decimal | None
    requested_date_before: date | None
    requested_date: date | None


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _amount(value: object) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) else None


@strawberry.type(
    description=(
        "A version of an order as the buyer sent it (issue #17): 1 is the order as routed, each"
        " change or cancellation after routing adds one. An order never changed has none."
    )
)
class OrderVersion(Built):
    pk: strawberry.Private[int]
    order_id: strawberry.Private[int]
    number: int
    kind: m.VersionKind
    created_at: datetime
    created_by_org_id: strawberry.Private[int | None]
    created_by_user_id: strawberry.Private[int | None]
    note: str | None = strawberry.field(description="The buyer's reason, sent to the supplier.")
    lines: strawberry.Private[list[dict[str, Any]]]
    changes: strawberry.Private[list[dict[str, Any]]]

    @field(name="lines", description="The lines in this version, cancelled ones included.")
    def version_lines(self) -> list[OrderVersionLine]:
        return [
            OrderVersionLine(
                line_no=int(line["line_no"]),
                sku=line.get("sku"),
                description=str(line.get("description", "")),
                unit=str(line.get("unit", "C62")),
                quantity=Decimal(str(line["quantity"])),
                unit_price=Decimal(str(line["unit_price"])),
                requested_date=_day(line.get("requested_date")),
                cancelled=bool(line.get("cancelled")),
            )
            for line in self.lines
        ]

    @field(name="changes", description="What changed against the version before (empty for version 1).")
    def line_changes(self) -> list[OrderLineChange]:
        def pair(entry: dict[str, Any], key: str) -> list[object]:
            value = entry.get(key)
            return list(value) if isinstance(value, list) and len(value) == 2 else [None, None]

        out = []
        for entry in self.changes:
            quantity, day = pair(entry, "quantity"), pair(entry, "requested_date")
            out.append(
                OrderLineChange(
                    line_no=int(entry["line_no"]),
                    change=m.LineChangeKind(entry["change"]),
                    quantity_before=_amount(quantity[0]),
                    quantity=_amount(quantity[1]),
                    requested_date_before=_day(day[0]),
                    requested_date=_day(day[1]),
                )
            )
        return out


@strawberry.type
class ShipmentLine(Built):
    pk: strawberry.Private[int]
    shipment_id: strawberry.Private[int]
    order_line_id: strawberry.Private[int]
    quantity: Decimal
    batch_number: str | None
    sscc: str | None

    @field(name="orderLineId", description="Global id of the order line.")
    def order_line_gid(self) -> strawberry.ID:
        return strawberry.ID(encode_id("OrderLine", self.order_line_id))


@strawberry.type
class Shipment(Node, Built):
    number: str
    shipped_on: date
    expected_delivery: date | None
    carrier: str | None
    tracking_number: str | None
    packages: int
    created_at: datetime
    order_id: strawberry.Private[int]
    supplier_id: strawberry.Private[int]

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[ShipmentLine]:
        return ctx(info).loaders.shipment_lines.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order | None:
        return ctx(info).loaders.order.load(self.order_id, (o.order_id for o in self._siblings))

    @field(description="Goods receipts recorded against this ship notice, oldest first.")
    def receipts(self, info: strawberry.Info) -> list[GoodsReceipt]:
        return ctx(info).loaders.receipts_by_shipment.load(self.pk, (o.pk for o in self._siblings))


@strawberry.type(description="One order line as counted by the receiving side.")
class GoodsReceiptLine(Built):
    pk: strawberry.Private[int]
    receipt_id: strawberry.Private[int]
    order_line_id: strawberry.Private[int]
    quantity: Decimal = strawberry.field(description="Counted in all.")
    quantity_damaged: Decimal = strawberry.field(description="Of the counted, unusable.")
    excess_quantity: Decimal = strawberry.field(
        description="Accepted beyond what had been shipped of the line: kept as counted, and flagged."
    )
    shortfall_quantity: Decimal = strawberry.field(
        description="Counted fewer than the ship notice announced for the line."
    )
    reason: m.ReceiptReason | None
    note: str | None

    @field(description="Counted less damaged: what the three-way match compares invoices with.")
    def quantity_accepted(self) -> Decimal:
        return self.quantity - self.quantity_damaged

    @field(name="orderLineId", description="Global id of the order line.")
    def order_line_gid(self) -> strawberry.ID:
        return strawberry.ID(encode_id("OrderLine", self.order_line_id))


@strawberry.type(description="A goods receipt: what the receiving side counted of an order (issue #17.3).")
class GoodsReceipt(Node, Built):
    received_on: date
    note: str | None
    has_discrepancy: bool = strawberry.field(
        description="Some line has damaged goods or a shortfall (the supplier is told)."
    )
    over_received: bool = strawberry.field(description="Some line counts more than was shipped.")
    created_at: datetime
    order_id: strawberry.Private[int]
    supplier_id: strawberry.Private[int]
    shipment_id: strawberry.Private[int | None]
    received_by_org_id: strawberry.Private[int]

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[GoodsReceiptLine]:
        return ctx(info).loaders.receipt_lines.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order | None:
        return ctx(info).loaders.order.load(self.order_id, (o.order_id for o in self._siblings))

    @field(description="The ship notice it refers to, when one was given.")
    def shipment(self, info: strawberry.Info) -> Shipment | None:
        if self.shipment_id is None:
            return None
        return ctx(info).loaders.shipment.load(self.shipment_id, (o.shipment_id for o in self._siblings))

    @field(description="The organization that counted the goods (the owner, or the dealer).")
    def received_by(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(
            self.received_by_org_id, (o.received_by_org_id for o in self._siblings)
        )


@strawberry.type
class InvoiceLine(Built):
    pk: strawberry.Private[int]
    invoice_id: strawberry.Private[int]
    order_line_id: strawberry.Private[int]
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    excess_quantity: Decimal

    @field(name="orderLineId", description="Global id of the order line.")
    def order_line_gid(self) -> strawberry.ID:
        return strawberry.ID(encode_id("OrderLine", self.order_line_id))


@strawberry.type(description="One payment of an invoice.")
class InvoicePayment(Built):
    pk: strawberry.Private[int]
    invoice_id: strawberry.Private[int]
    paid_on: date
    amount: Decimal
    reference: str | None
    recorded_by_user_id: strawberry.Private[int | None]
    created_at: datetime


@strawberry.type(description="A message of an invoice's thread.")
class InvoiceMessage(Built):
    pk: strawberry.Private[int]
    invoice_id: strawberry.Private[int]
    kind: m.MessageKind
    body: str
    author_org_id: strawberry.Private[int]
    author_user_id: strawberry.Private[int | None]
    credit_note_id: strawberry.Private[int | None]
    created_at: datetime

    @field(description="Whether the supplier wrote it (else the owner's staff).")
    def from_supplier(self) -> bool:
        return self.kind is m.MessageKind.ANSWER

    @field(description="The number of the credit note the answer came with.")
    def credit_note_number(self, info: strawberry.Info) -> str | None:
        if self.credit_note_id is None:
            return None
        notes = ctx(info).loaders.credit_notes.load(self.invoice_id, (o.invoice_id for o in self._siblings))
        return next((n.number for n in notes if n.pk == self.credit_note_id), None)


@strawberry.type(description="A credit note of the supplier against an invoice: reduces what is owed.")
class CreditNote(Built):
    pk: strawberry.Private[int]
    invoice_id: strawberry.Private[int]
    supplier_id: strawberry.Private[int]
    number: str
    issue_date: date
    currency: str
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    reason: str | None
    exchange_record_id: strawberry.Private[int | None]
    created_at: datetime


@strawberry.type
class Invoice(Node, Built):
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal
    match_status: m.MatchStatus
    created_at: datetime
    status: m.InvoiceStatus
    amount_credited: Decimal = strawberry.field(description="Gross total of the credit notes against it.")
    amount_paid: Decimal = strawberry.field(description="Sum of the recorded payments.")
    amount_owed: Decimal = strawberry.field(
        description="Still owed: gross total less credit notes and payments."
    )
    payment_scheduled_on: date | None = strawberry.field(description="The day the owner plans to pay.")
    reviewed_at: datetime | None
    updated_at: datetime | None
    version: int = strawberry.field(
        description="Send it as expectedVersion: a review by someone else meanwhile is a CONFLICT."
    )
    order_id: strawberry.Private[int]
    supplier_id: strawberry.Private[int]

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[InvoiceLine]:
        return ctx(info).loaders.invoice_lines.load(self.pk, (o.pk for o in self._siblings))

    @field(description="Payments recorded, oldest first (several: a partial payment).")
    def payments(self, info: strawberry.Info) -> list[InvoicePayment]:
        return ctx(info).loaders.invoice_payments.load(self.pk, (o.pk for o in self._siblings))

    @field(description="The thread between owner and supplier: disputes, answers, a rejection's reason.")
    def messages(self, info: strawberry.Info) -> list[InvoiceMessage]:
        return ctx(info).loaders.invoice_messages.load(self.pk, (o.pk for o in self._siblings))

    @field(description="Credit notes against this invoice, oldest first.")
    def credit_notes(self, info: strawberry.Info) -> list[CreditNote]:
        return ctx(info).loaders.credit_notes.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order | None:
        return ctx(info).loaders.order.load(self.order_id, (o.order_id for o in self._siblings))


@strawberry.type
class Order(Node, Built):
    number: str
    customer_reference: str | None
    currency: str
    order_date: date
    requested_date: date | None
    note: str | None
    routed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Pass it back as expectedVersion to detect lost updates.")
    customer_id: strawberry.Private[int]
    dealer_id: strawberry.Private[int | None]
    supplier_id: strawberry.Private[int | None]
    created_by_org_id: strawberry.Private[int]
    delivery_name: strawberry.Private[str]
    delivery_street: strawberry.Private[str | None]
    delivery_postal_code: strawberry.Private[str | None]
    delivery_city: strawberry.Private[str | None]
    delivery_country: strawberry.Private[str]
    delivery_gln: strawberry.Private[str | None]
    delivery_contact_name: strawberry.Private[str | None]
    delivery_contact_phone: strawberry.Private[str | None]
    delivery_contact_email: strawberry.Private[str | None]
    # Derived from the lines and kept current by the model's flush hook (portal.models.orders).
    current_status: strawberry.Private[m.OrderStatus]
    net_total: strawberry.Private[Decimal]
    earliest_open_due: strawberry.Private[date | None]  # the `lateOn` filter reads it
    awaiting_confirmation: strawberry.Private[bool]  # the `awaitingConfirmation` filter reads it
    awaiting_review: bool = strawberry.field(
        description="Whether a supplier's change of a line awaits the buyer's review (the review inbox)."
    )

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[OrderLine]:
        return ctx(info).loaders.lines_by_order.load(self.pk, (o.pk for o in self._siblings))

    @field(description="Derived from the lines' quantities and responses, kept with the order.")
    def status(self) -> m.OrderStatus:
        return self.current_status

    @field(description="The agreed net total (a change awaiting review counts once accepted).")
    def total(self) -> Decimal:
        return self.net_total

    @field(description="The net total if the buyer accepted every change awaiting review.")
    def proposed_total(self, info: strawberry.Info) -> Decimal:
        if not self.awaiting_review:
            return self.net_total
        lines: list[OrderLine] = ctx(info).loaders.lines_by_order.load(
            self.pk, (o.pk for o in self._siblings)
        )
        return sum((proposed_amount(line) for line in lines), Decimal(0))

    @strawberry.field
    def delivery_party(self) -> DeliveryParty:
        return DeliveryParty(
            name=self.delivery_name,
            street=self.delivery_street,
            postal_code=self.delivery_postal_code,
            city=self.delivery_city,
            country=self.delivery_country,
            gln=self.delivery_gln,
            contact_name=self.delivery_contact_name,
            contact_phone=self.delivery_contact_phone,
            contact_email=self.delivery_contact_email,
        )

    @field(description="The customer, when the caller may see the customer master (never suppliers).")
    def customer(self, info: strawberry.Info) -> Customer | None:
        c = ctx(info)
        if c.principal.is_supplier:
            return None
        return c.loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))

    @strawberry.field
    def dealer(self, info: strawberry.Info) -> Organization | None:
        return (
            None
            if self.dealer_id is None
            else ctx(info).loaders.organization.load(self.dealer_id, (o.dealer_id for o in self._siblings))
        )

    @strawberry.field
    def supplier(self, info: strawberry.Info) -> Organization | None:
        if self.supplier_id is None:
            return None
        return ctx(info).loaders.organization.load(self.supplier_id, (o.supplier_id for o in self._siblings))

    @field(description="The order's versions, oldest first: empty until the buyer first changes it.")
    def versions(self, info: strawberry.Info) -> list[OrderVersion]:
        return ctx(info).loaders.versions_by_order.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def shipments(self, info: strawberry.Info) -> list[Shipment]:
        return ctx(info).loaders.shipments_by_order.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def invoices(self, info: strawberry.Info) -> list[Invoice]:
        return ctx(info).loaders.invoices_by_order.load(self.pk, (o.pk for o in self._siblings))

    @field(description="Goods receipts of the order, oldest first.")
    def receipts(self, info: strawberry.Info) -> list[GoodsReceipt]:
        return ctx(info).loaders.receipts_by_order.load(self.pk, (o.pk for o in self._siblings))
