"""The Query root: viewer, node/nodes, one Relay connection per entity, and the change feed."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, cast

import strawberry
from sqlalchemy import ColumnElement, func, select
from strawberry.scalars import JSON

from portal import changes as change_feed
from portal import models as m
from portal.errors import InvalidInput
from portal.gql import types as t
from portal.gql.ids import decode_cursor, decode_id, encode_cursor, encode_id
from portal.gql.pagination import paginate
from portal.gql.types import ctx

# GraphQL type name -> (model, object type) for node(id:)
NODE_TYPES: dict[str, tuple[type[Any], type[t.Built]]] = {
    "Order": (m.Order, t.Order),
    "OrderLine": (m.OrderLine, t.OrderLine),
    "Shipment": (m.Shipment, t.Shipment),
    "Invoice": (m.Invoice, t.Invoice),
    "Case": (m.Case, t.Case),
    "Customer": (m.Customer, t.Customer),
    "Contact": (m.Contact, t.Contact),
    "Activity": (m.Activity, t.Activity),
    "Product": (m.Product, t.Product),
    "Organization": (m.Organization, t.Organization),
}
ENTITY_TYPE_NAMES = {
    "order": "Order",
    "shipment": "Shipment",
    "invoice": "Invoice",
    "case": "Case",
    "customer": "Customer",
    "contact": "Contact",
    "activity": "Activity",
    "organization": "Organization",
}


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


def _pk(field: str, value: strawberry.ID | None, type_name: str) -> int | None:
    """A filter naming an id of the wrong kind matches nothing (as an id the caller cannot see)."""
    if value is None:
        return None
    decoded = decode_id(value)
    if decoded is None:
        raise InvalidInput(field, "is not an id of this API")
    return decoded[1] if decoded[0] == type_name else -1


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped.lower()}%", escape="\\")


# --- orders --------------------------------------------------------------------------------------


@strawberry.enum
class OrderSortField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    ORDER_DATE = "order_date"
    NUMBER = "number"


@strawberry.input
class OrderFilter:
    number: str | None = None
    customer_reference: str | None = None
    updated_after: datetime | None = strawberry.field(
        default=None, description="Changed since (pull new work)."
    )
    created_after: datetime | None = None
    order_date_from: date | None = None
    order_date_to: date | None = None
    customer: strawberry.ID | None = None
    dealer: strawberry.ID | None = None
    supplier: strawberry.ID | None = None
    include_cancelled: bool = True
    awaiting_confirmation: bool | None = strawberry.field(
        default=None, description="true: orders with lines the supplier has not answered yet (new work)."
    )


@strawberry.input
class OrderOrder:
    field: OrderSortField = OrderSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _order_conditions(f: OrderFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if f.number:
        c.append(m.Order.number == f.number)
    if f.customer_reference:
        c.append(m.Order.customer_reference == f.customer_reference)
    if f.updated_after:
        c.append(m.Order.updated_at > f.updated_after)
    if f.created_after:
        c.append(m.Order.created_at > f.created_after)
    if f.order_date_from:
        c.append(m.Order.order_date >= f.order_date_from)
    if f.order_date_to:
        c.append(m.Order.order_date <= f.order_date_to)
    if (pk := _pk("filter.customer", f.customer, "Customer")) is not None:
        c.append(m.Order.customer_id == pk)
    if (pk := _pk("filter.dealer", f.dealer, "Organization")) is not None:
        c.append(m.Order.dealer_id == pk)
    if (pk := _pk("filter.supplier", f.supplier, "Organization")) is not None:
        c.append(m.Order.supplier_id == pk)
    if not f.include_cancelled:
        c.append(m.Order.cancelled_at.is_(None))
    if f.awaiting_confirmation is not None:
        pending = select(m.OrderLine.order_id).where(
            m.OrderLine.response == m.LineResponse.PENDING, m.OrderLine.cancelled.is_(False)
        )
        waiting = m.Order.id.in_(pending) & m.Order.cancelled_at.is_(None) & m.Order.supplier_id.is_not(None)
        c.append(waiting if f.awaiting_confirmation else ~waiting)
    return c


# --- cases ---------------------------------------------------------------------------------------


@strawberry.enum
class CaseSortField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    SLA_DUE_AT = "sla_due_at"
    NUMBER = "number"


@strawberry.input
class CaseFilter:
    status: list[m.CaseStatus] | None = None
    priority: list[m.CasePriority] | None = None
    customer: strawberry.ID | None = None
    order: strawberry.ID | None = None
    subject_contains: str | None = None
    updated_after: datetime | None = None


@strawberry.input
class CaseOrder:
    field: CaseSortField = CaseSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _case_conditions(f: CaseFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if f.status:
        c.append(m.Case.status.in_(f.status))
    if f.priority:
        c.append(m.Case.priority.in_(f.priority))
    if (pk := _pk("filter.customer", f.customer, "Customer")) is not None:
        c.append(m.Case.customer_id == pk)
    if (pk := _pk("filter.order", f.order, "Order")) is not None:
        c.append(m.Case.order_id == pk)
    if f.subject_contains:
        c.append(_contains(m.Case.subject, f.subject_contains))
    if f.updated_after:
        c.append(m.Case.updated_at > f.updated_after)
    return c


# --- customers, contacts, activities -------------------------------------------------------------


@strawberry.enum
class CustomerSortField(enum.Enum):
    NAME = "name"
    NUMBER = "number"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input
class CustomerFilter:
    name_contains: str | None = None
    number: str | None = None
    city: str | None = None
    country_code: str | None = None
    updated_after: datetime | None = None


@strawberry.input
class CustomerOrder:
    field: CustomerSortField = CustomerSortField.NAME
    direction: SortDirection = SortDirection.ASC


def _customer_conditions(f: CustomerFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if f.name_contains:
        c.append(_contains(m.Customer.name, f.name_contains))
    if f.number:
        c.append(m.Customer.number == f.number)
    if f.city:
        c.append(m.Customer.city == f.city)
    if f.country_code:
        c.append(m.Customer.country_code == f.country_code.upper())
    if f.updated_after:
        c.append(m.Customer.updated_at > f.updated_after)
    return c


@strawberry.enum
class ContactSortField(enum.Enum):
    LAST_NAME = "last_name"
    CREATED_AT = "created_at"


@strawberry.input
class ContactFilter:
    customer: strawberry.ID | None = None
    name_contains: str | None = None
    email: str | None = None


@strawberry.input
class ContactOrder:
    field: ContactSortField = ContactSortField.LAST_NAME
    direction: SortDirection = SortDirection.ASC


def _contact_conditions(f: ContactFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if (pk := _pk("filter.customer", f.customer, "Customer")) is not None:
        c.append(m.Contact.customer_id == pk)
    if f.name_contains:
        c.append(
            _contains(m.Contact.last_name, f.name_contains) | _contains(m.Contact.first_name, f.name_contains)
        )
    if f.email:
        c.append(m.Contact.email == f.email.lower())
    return c


@strawberry.enum
class ActivitySortField(enum.Enum):
    OCCURRED_AT = "occurred_at"
    CREATED_AT = "created_at"


@strawberry.input
class ActivityFilter:
    customer: strawberry.ID | None = None
    kind: list[m.ActivityKind] | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


@strawberry.input
class ActivityOrder:
    field: ActivitySortField = ActivitySortField.OCCURRED_AT
    direction: SortDirection = SortDirection.DESC


def _activity_conditions(f: ActivityFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if (pk := _pk("filter.customer", f.customer, "Customer")) is not None:
        c.append(m.Activity.customer_id == pk)
    if f.kind:
        c.append(m.Activity.kind.in_(f.kind))
    if f.occurred_from:
        c.append(m.Activity.occurred_at >= f.occurred_from)
    if f.occurred_to:
        c.append(m.Activity.occurred_at < f.occurred_to)
    return c


# --- shipments, invoices, products, organizations ------------------------------------------------


@strawberry.enum
class ShipmentSortField(enum.Enum):
    CREATED_AT = "created_at"
    SHIPPED_ON = "shipped_on"
    NUMBER = "number"


@strawberry.input
class ShipmentFilter:
    order: strawberry.ID | None = None
    number: str | None = None
    shipped_from: date | None = None
    shipped_to: date | None = None


@strawberry.input
class ShipmentOrder:
    field: ShipmentSortField = ShipmentSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _shipment_conditions(f: ShipmentFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if (pk := _pk("filter.order", f.order, "Order")) is not None:
        c.append(m.Shipment.order_id == pk)
    if f.number:
        c.append(m.Shipment.number == f.number)
    if f.shipped_from:
        c.append(m.Shipment.shipped_on >= f.shipped_from)
    if f.shipped_to:
        c.append(m.Shipment.shipped_on <= f.shipped_to)
    return c


@strawberry.enum
class InvoiceSortField(enum.Enum):
    CREATED_AT = "created_at"
    ISSUE_DATE = "issue_date"
    NUMBER = "number"


@strawberry.input
class InvoiceFilter:
    order: strawberry.ID | None = None
    number: str | None = None
    match_status: m.MatchStatus | None = None
    issued_from: date | None = None
    issued_to: date | None = None


@strawberry.input
class InvoiceOrder:
    field: InvoiceSortField = InvoiceSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _invoice_conditions(f: InvoiceFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if (pk := _pk("filter.order", f.order, "Order")) is not None:
        c.append(m.Invoice.order_id == pk)
    if f.number:
        c.append(m.Invoice.number == f.number)
    if f.match_status:
        c.append(m.Invoice.match_status == f.match_status)
    if f.issued_from:
        c.append(m.Invoice.issue_date >= f.issued_from)
    if f.issued_to:
        c.append(m.Invoice.issue_date <= f.issued_to)
    return c


@strawberry.enum
class ProductSortField(enum.Enum):
    SKU = "sku"
    NAME = "name"


@strawberry.input
class ProductFilter:
    sku: str | None = None
    gtin: str | None = None
    name_contains: str | None = None


@strawberry.input
class ProductOrder:
    field: ProductSortField = ProductSortField.SKU
    direction: SortDirection = SortDirection.ASC


def _product_conditions(f: ProductFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if f.sku:
        c.append(m.Product.sku == f.sku)
    if f.gtin:
        c.append(m.Product.gtin == f.gtin)
    if f.name_contains:
        c.append(_contains(m.Product.name, f.name_contains))
    return c


@strawberry.enum
class OrganizationSortField(enum.Enum):
    NAME = "name"
    SLUG = "slug"


@strawberry.input
class OrganizationFilter:
    kind: m.OrgKind | None = None
    name_contains: str | None = None


@strawberry.input
class OrganizationOrder:
    field: OrganizationSortField = OrganizationSortField.NAME
    direction: SortDirection = SortDirection.ASC


def _organization_conditions(f: OrganizationFilter | None) -> list[ColumnElement[bool]]:
    if f is None:
        return []
    c: list[ColumnElement[bool]] = []
    if f.kind:
        c.append(m.Organization.kind == f.kind)
    if f.name_contains:
        c.append(_contains(m.Organization.name, f.name_contains))
    return c


def _sort(model: type[Any], field: enum.Enum, direction: SortDirection) -> tuple[Any, bool]:
    return getattr(model, str(field.value)), direction is SortDirection.DESC


def load_nodes(info: strawberry.Info, global_ids: list[strawberry.ID]) -> list[t.Node | None]:
    """The objects behind global ids, in order, None where missing or hidden (the same thing):
    one scoped query per type asked for."""
    decoded = [decode_id(i) for i in global_ids]
    wanted: dict[str, set[int]] = {}
    for d in decoded:
        if d is not None and d[0] in NODE_TYPES:
            wanted.setdefault(d[0], set()).add(d[1])
    loaders = ctx(info).loaders
    found: dict[tuple[str, int], t.Node] = {}
    for type_name, pks in wanted.items():
        model, build = NODE_TYPES[type_name]
        for obj in loaders.fetch(model, build, model.id.in_(pks)):
            found[type_name, obj.pk] = cast(t.Node, obj)
    return [None if d is None else found.get(d) for d in decoded]


@strawberry.type
class Query:
    @t.field(description="Who is calling: the user or API token, its organization and roles.")
    def viewer(self, info: strawberry.Info) -> t.Viewer:
        c = ctx(info)
        p = c.principal
        org = c.loaders.organization.load(p.org_id)
        assert org is not None
        return t.Viewer(
            kind="TOKEN" if p.token_id is not None else "USER",
            name=p.name,
            roles=sorted(p.roles),
            organization=org,
        )

    @t.field(description="Any object by its global id; null when it does not exist or is hidden.")
    def node(self, info: strawberry.Info, id: strawberry.ID) -> t.Node | None:
        return load_nodes(info, [id])[0]

    @t.field(description="Several objects by global id, in the order asked; null where hidden.")
    def nodes(self, info: strawberry.Info, ids: list[strawberry.ID]) -> list[t.Node | None]:
        if len(ids) > 100:
            raise InvalidInput("ids", "ask for at most 100 ids at once")
        return load_nodes(info, ids)

    @strawberry.field
    def orders(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrderFilter | None = None,
        order_by: OrderOrder | None = None,
    ) -> t.Connection[t.Order]:
        o = order_by or OrderOrder()
        sort, desc = _sort(m.Order, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Order, t.Order, _order_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def cases(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CaseFilter | None = None,
        order_by: CaseOrder | None = None,
    ) -> t.Connection[t.Case]:
        o = order_by or CaseOrder()
        sort, desc = _sort(m.Case, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Case, t.Case, _case_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def customers(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CustomerFilter | None = None,
        order_by: CustomerOrder | None = None,
    ) -> t.Connection[t.Customer]:
        o = order_by or CustomerOrder()
        sort, desc = _sort(m.Customer, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Customer, t.Customer, _customer_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def contacts(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ContactFilter | None = None,
        order_by: ContactOrder | None = None,
    ) -> t.Connection[t.Contact]:
        o = order_by or ContactOrder()
        sort, desc = _sort(m.Contact, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Contact, t.Contact, _contact_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def activities(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActivityFilter | None = None,
        order_by: ActivityOrder | None = None,
    ) -> t.Connection[t.Activity]:
        o = order_by or ActivityOrder()
        sort, desc = _sort(m.Activity, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Activity, t.Activity, _activity_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def shipments(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ShipmentFilter | None = None,
        order_by: ShipmentOrder | None = None,
    ) -> t.Connection[t.Shipment]:
        o = order_by or ShipmentOrder()
        sort, desc = _sort(m.Shipment, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Shipment, t.Shipment, _shipment_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def invoices(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: InvoiceFilter | None = None,
        order_by: InvoiceOrder | None = None,
    ) -> t.Connection[t.Invoice]:
        o = order_by or InvoiceOrder()
        sort, desc = _sort(m.Invoice, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Invoice, t.Invoice, _invoice_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @strawberry.field
    def products(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProductFilter | None = None,
        order_by: ProductOrder | None = None,
    ) -> t.Connection[t.Product]:
        o = order_by or ProductOrder()
        sort, desc = _sort(m.Product, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Product, t.Product, _product_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @t.field(description="The caller's organization and those below it (owner staff: all).")
    def organizations(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrganizationFilter | None = None,
        order_by: OrganizationOrder | None = None,
    ) -> t.Connection[t.Organization]:
        o = order_by or OrganizationOrder()
        sort, desc = _sort(m.Organization, o.field, o.direction)
        return paginate(
            ctx(info).loaders, m.Organization, t.Organization, _organization_conditions(filter), sort, desc,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @t.field(
        description="The caller's view of the event log since `after` (omit it for the beginning), "
        "for incremental sync. See docs/api.md."
    )
    def changes(
        self,
        info: strawberry.Info,
        after: str | None = None,
        first: int = 100,
        entities: list[str] | None = None,
    ) -> t.ChangeFeed:
        c = ctx(info)
        return feed(c.session, c.principal, after=after, first=first, entities=entities)


def parse_after(after: str | None) -> int:
    if after is None:
        return 0
    pk = decode_cursor(after)
    if pk is None:
        raise InvalidInput("after", "is not a cursor of this API")
    return pk


def feed(
    session: Any, principal: Any, *, after: str | None, first: int, entities: list[str] | None
) -> t.ChangeFeed:
    if not 1 <= first <= 500:
        raise InvalidInput("first", "must be between 1 and 500")
    if entities is not None:
        unknown = set(entities) - set(change_feed.ENTITY_MODELS)
        if unknown:
            raise InvalidInput("entities", f"unknown: {', '.join(sorted(unknown))}")
    page = change_feed.feed(session, principal, after=parse_after(after), first=first, entities=entities)
    return t.ChangeFeed(
        changes=[to_change(entry) for entry in page.entries],
        end_cursor=encode_cursor(page.end_cursor),
        has_more=page.has_more,
    )


def to_change(entry: change_feed.Change) -> t.Change:
    return t.Change(
        cursor=encode_cursor(entry.cursor),
        occurred_at=entry.occurred_at,
        kind=entry.kind,
        entity=entry.entity,
        entity_id=strawberry.ID(encode_id(ENTITY_TYPE_NAMES[entry.entity], entry.entity_id)),
        operation=t.ChangeOperation(entry.operation.value),
        state=cast(JSON, entry.state),
    )
