"""The GraphQL object types. Column fields carry the database column's name; relations and derived
values resolve through the request's DataLoaders (``portal.gql.loaders``)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from portal import models as m
from portal.access import permissions
from portal.cases.service import status_actions
from portal.errors import InvalidInput
from portal.gql.ids import encode_id

if TYPE_CHECKING:
    from portal.gql.context import Context

N = TypeVar("N")
X = TypeVar("X")

OrganizationKind = strawberry.enum(m.OrgKind, name="OrganizationKind")
OrderStatus = strawberry.enum(m.OrderStatus, name="OrderStatus")
LineResponse = strawberry.enum(m.LineResponse, name="LineResponse")
MatchStatus = strawberry.enum(m.MatchStatus, name="MatchStatus")
CasePriority = strawberry.enum(m.CasePriority, name="CasePriority")
CaseStatus = strawberry.enum(m.CaseStatus, name="CaseStatus")
ActivityKind = strawberry.enum(m.ActivityKind, name="ActivityKind")


@strawberry.enum
class CaseAction(enum.Enum):
    START = "start"
    WAIT = "wait"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"


# The model's own rules, applied to our plain objects: one definition of "effective".
_effective_quantity = cast("Callable[[Any], Decimal]", cast(property, m.OrderLine.effective_quantity).fget)
_effective_price = cast("Callable[[Any], Decimal]", cast(property, m.OrderLine.effective_price).fget)


F = TypeVar("F", bound=Callable[..., Any])


def field(**options: Any) -> Callable[[F], F]:
    """``strawberry.field(description=...)`` as a typed decorator (strawberry's overload is untyped)."""
    return cast("Callable[[F], F]", strawberry.field(**options))


def mutation(**options: Any) -> Callable[[F], F]:
    return cast("Callable[[F], F]", strawberry.mutation(**options))


def subscription(**options: Any) -> Callable[[F], F]:
    return cast("Callable[[F], F]", strawberry.subscription(**options))


MAX_CHILDREN = 500  # the most items of a list of children with `first` (contacts, comments...)


def children(items: list[X], first: int) -> list[X]:
    """The first ``first`` of an object's children: every list has a cap, so the cost model can
    count each list at its true size before execution (``portal.gql.limits``)."""
    if not 0 <= first <= MAX_CHILDREN:
        raise InvalidInput("first", f"must be between 0 and {MAX_CHILDREN}")
    return items[:first]


def ctx(info: strawberry.Info) -> Context:
    return cast("Context", info.context)


class Built:
    """An object type filled from a row of its table (see ``portal.gql.loaders.build_all``): it
    declares every column, ``pk`` for ``id``, as a field or a private field."""

    if TYPE_CHECKING:
        pk: int
        _siblings: list[Any]  # the batch this object was loaded with (see portal.gql.loaders)


@strawberry.interface(description="An object with an opaque global id, fetchable with node(id:).")
class Node:
    pk: strawberry.Private[int]

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__name__, self.pk))


@strawberry.type
class Organization(Node, Built):
    slug: str
    name: str
    kind: m.OrgKind
    gln: str | None
    vat_id: str | None
    email: str | None
    created_at: datetime
    parent_id: strawberry.Private[int | None]

    @field(description="The parent organization, if the caller may see it.")
    def parent(self, info: strawberry.Info) -> Organization | None:
        if self.parent_id is None:
            return None
        return ctx(info).loaders.organization.load(self.parent_id, (o.parent_id for o in self._siblings))


@strawberry.type
class Product(Node, Built):
    sku: str
    gtin: str | None
    name: str
    unit: str
    price: Decimal
    supplier_article: str | None
    supplier_id: strawberry.Private[int | None]


@strawberry.type
class Contact(Node, Built):
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    position: str | None
    created_at: datetime
    customer_id: strawberry.Private[int]

    @strawberry.field
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))


@strawberry.type
class CustomerAssignment(Built):
    pk: strawberry.Private[int]
    customer_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    created_at: datetime

    @strawberry.field
    def organization(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(
            self.organization_id, (o.organization_id for o in self._siblings)
        )


@strawberry.type(description="One item of a customer's contact history.")
class HistoryEntry:
    at: datetime
    kind: str
    title: str
    detail: str
    entity_id: strawberry.ID = strawberry.field(description="Global id of the activity, order or case.")


HISTORY_TYPES = {"activity": "Activity", "order": "Order", "case": "Case"}


@strawberry.type
class Customer(Node, Built):
    number: str
    name: str
    vat_id: str | None
    gln: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    country_code: str
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime

    @field(description=f"The first `first` contacts (at most {MAX_CHILDREN}).")
    def contacts(self, info: strawberry.Info, first: int = MAX_CHILDREN) -> list[Contact]:
        return children(
            ctx(info).loaders.contacts_by_customer.load(self.pk, (o.pk for o in self._siblings)), first
        )

    @field(description="The organizations this customer is shared with (as far as visible).")
    def assignments(self, info: strawberry.Info, first: int = MAX_CHILDREN) -> list[CustomerAssignment]:
        loaded = ctx(info).loaders.assignments_by_customer.load(self.pk, (o.pk for o in self._siblings))
        return children(loaded, first)

    @field(description="Activities, orders and cases as one timeline, newest first.")
    def history(self, info: strawberry.Info, first: int = 50) -> list[HistoryEntry]:
        from portal.customers.service import contact_history

        c = ctx(info)
        entries = contact_history(c.session, c.principal, self.pk, limit=max(1, min(first, 100)))
        return [
            HistoryEntry(
                at=e.at,
                kind=e.kind,
                title=e.title,
                detail=e.detail,
                entity_id=strawberry.ID(encode_id(HISTORY_TYPES[e.kind], e.entity_id)),
            )
            for e in entries
        ]


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
    order_id: strawberry.Private[int]
    product_id: strawberry.Private[int | None]

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
    order_id: strawberry.Private[int]
    supplier_id: strawberry.Private[int]

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[InvoiceLine]:
        return ctx(info).loaders.invoice_lines.load(self.pk, (o.pk for o in self._siblings))

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

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[OrderLine]:
        return ctx(info).loaders.lines_by_order.load(self.pk, (o.pk for o in self._siblings))

    @field(description="Derived from the lines' quantities and responses, kept with the order.")
    def status(self) -> m.OrderStatus:
        return self.current_status

    @strawberry.field
    def total(self) -> Decimal:
        return self.net_total

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

    @strawberry.field
    def shipments(self, info: strawberry.Info) -> list[Shipment]:
        return ctx(info).loaders.shipments_by_order.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def invoices(self, info: strawberry.Info) -> list[Invoice]:
        return ctx(info).loaders.invoices_by_order.load(self.pk, (o.pk for o in self._siblings))


@strawberry.type
class CaseComment(Built):
    pk: strawberry.Private[int]
    case_id: strawberry.Private[int]
    author_org_id: strawberry.Private[int]
    author_user_id: strawberry.Private[int | None]
    author_name: str
    body: str
    internal: bool
    created_at: datetime


@strawberry.type(description="A file attached to a case (the content is downloaded in the portal).")
class CaseAttachment:
    pk: strawberry.Private[int]
    filename: str
    content_type: str
    size: int
    sha256: str
    internal: bool
    created_at: datetime

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("CaseAttachment", self.pk))

    @classmethod
    def of(cls, row: m.CaseAttachment) -> CaseAttachment:
        return cls(
            pk=row.id,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            internal=row.internal,
            created_at=row.created_at,
        )


@strawberry.type
class Case(Node, Built):
    number: str
    subject: str
    description: str
    priority: m.CasePriority
    status: m.CaseStatus
    sla_due_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    customer_id: strawberry.Private[int | None]
    order_id: strawberry.Private[int | None]
    routed_to_id: strawberry.Private[int | None]
    opened_by_org_id: strawberry.Private[int]
    opened_by_user_id: strawberry.Private[int | None]

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return (
            None
            if self.customer_id is None
            else ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))
        )

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order | None:
        return (
            None
            if self.order_id is None
            else ctx(info).loaders.order.load(self.order_id, (o.order_id for o in self._siblings))
        )

    @strawberry.field
    def routed_to(self, info: strawberry.Info) -> Organization | None:
        if self.routed_to_id is None:
            return None
        return ctx(info).loaders.organization.load(
            self.routed_to_id, (o.routed_to_id for o in self._siblings)
        )

    @field(description=f"The first `first` comments, oldest first (at most {MAX_CHILDREN}).")
    def comments(self, info: strawberry.Info, first: int = MAX_CHILDREN) -> list[CaseComment]:
        return children(
            ctx(info).loaders.comments_by_case.load(self.pk, (o.pk for o in self._siblings)), first
        )

    @field(description="Status changes the caller may make now (changeCaseStatus).")
    def allowed_actions(self, info: strawberry.Info) -> list[CaseAction]:
        return [CaseAction(name) for name in status_actions(ctx(info).principal, self)]

    @field(description="Whether the caller may change the subject and description now (updateCase).")
    def can_edit(self, info: strawberry.Info) -> bool:
        open_ = self.status is not m.CaseStatus.CLOSED
        return open_ and permissions.can_edit_case_text(ctx(info).principal, self)

    @field(description="Whether the caller may change the priority, and with it the SLA deadline, now.")
    def can_change_priority(self, info: strawberry.Info) -> bool:
        open_ = self.status is not m.CaseStatus.CLOSED
        return open_ and permissions.can_change_case_priority(ctx(info).principal, self)


@strawberry.type
class Activity(Node, Built):
    kind: m.ActivityKind
    subject: str
    body: str
    starts_at: datetime | None
    ends_at: datetime | None
    due_at: datetime | None
    done_at: datetime | None
    occurred_at: datetime
    created_at: datetime
    customer_id: strawberry.Private[int]
    contact_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int]
    user_id: strawberry.Private[int | None]

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))

    @strawberry.field
    def contact(self, info: strawberry.Info) -> Contact | None:
        return (
            None
            if self.contact_id is None
            else ctx(info).loaders.contact.load(self.contact_id, (o.contact_id for o in self._siblings))
        )


@strawberry.type
class Viewer:
    kind: str = strawberry.field(description="USER or TOKEN")
    name: str
    roles: list[str]
    organization: Organization


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], int]]

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]

    @field(description="Number of items matching the filter (costs a COUNT; ask only when needed).")
    def total_count(self) -> int:
        return self.count()


@strawberry.enum
class ChangeOperation(enum.Enum):
    UPSERT = "upsert"
    REMOVE = "remove"


@strawberry.type(
    description="One entry of the change feed: the entity, the kind of change and its new state."
)
class Change:
    cursor: str
    occurred_at: datetime
    kind: str = strawberry.field(description='The event kind, e.g. "order.confirmed".')
    entity: str = strawberry.field(description='"order", "shipment", "invoice", "case", "customer", ...')
    entity_id: strawberry.ID = strawberry.field(description="Global id, usable with node(id:).")
    operation: ChangeOperation
    state: JSON | None = strawberry.field(description="The entity's current state; null for REMOVE.")


@strawberry.type
class ChangeFeed:
    changes: list[Change]
    end_cursor: str = strawberry.field(description="Pass as `after` next time, also when changes is empty.")
    has_more: bool


ENTITY_TYPES: dict[str, type[Built]] = {
    "order": Order,
    "shipment": Shipment,
    "invoice": Invoice,
    "case": Case,
    "customer": Customer,
    "contact": Contact,
    "activity": Activity,
    "organization": Organization,
    "product": Product,
    "order_line": OrderLine,
}
