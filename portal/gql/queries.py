"""The Query root: viewer, node/nodes, one Relay connection per entity, and the change feed."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from portal import changes as change_feed
from portal import models as m
from portal.access import Principal, permissions
from portal.activities.queries import ActivityCriteria, activity_rows
from portal.cases.queries import CaseCriteria, case_rows
from portal.customers.queries import ContactCriteria, CustomerCriteria, contact_rows, customer_rows
from portal.errors import InvalidInput
from portal.gql import types as t
from portal.gql.ids import decode_cursor, decode_id, encode_cursor, encode_id
from portal.gql.pagination import connection, window
from portal.gql.types import ctx
from portal.orders.queries import (
    InvoiceCriteria,
    OrderCriteria,
    ShipmentCriteria,
    invoice_rows,
    order_rows,
    shipment_rows,
)
from portal.partners.queries import OrganizationCriteria, ProductCriteria, organization_rows, product_rows

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
    late_on: date | None = strawberry.field(
        default=None,
        description=(
            "Orders late on this day: routed, not cancelled, with a line past its promised (or else"
            " requested) date that is not fully shipped."
        ),
    )


@strawberry.input
class OrderOrder:
    field: OrderSortField = OrderSortField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _readable_filters(principal: Principal, f: object, relations: tuple[str, ...]) -> None:
    """A filter on a relation the caller cannot read would tell which rows have which value."""
    for relation in relations:
        if getattr(f, relation) is not None and not permissions.can_read_relation(principal, relation):
            raise InvalidInput(f"filter.{relation}", "you cannot filter by a field you cannot read")


def _order_criteria(f: OrderFilter | None, principal: Principal) -> OrderCriteria:
    if f is None:
        return OrderCriteria()
    _readable_filters(principal, f, ("customer", "dealer", "supplier"))
    return OrderCriteria(
        number=f.number,
        customer_reference=f.customer_reference,
        updated_after=f.updated_after,
        created_after=f.created_after,
        order_date_from=f.order_date_from,
        order_date_to=f.order_date_to,
        customer_id=_pk("filter.customer", f.customer, "Customer"),
        dealer_id=_pk("filter.dealer", f.dealer, "Organization"),
        supplier_id=_pk("filter.supplier", f.supplier, "Organization"),
        include_cancelled=f.include_cancelled,
        awaiting_confirmation=f.awaiting_confirmation,
        late_on=f.late_on,
    )


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


def _case_criteria(f: CaseFilter | None, principal: Principal) -> CaseCriteria:
    if f is None:
        return CaseCriteria()
    _readable_filters(principal, f, ("customer",))
    return CaseCriteria(
        statuses=frozenset(f.status or ()),
        priorities=frozenset(f.priority or ()),
        customer_id=_pk("filter.customer", f.customer, "Customer"),
        order_id=_pk("filter.order", f.order, "Order"),
        subject_contains=f.subject_contains,
        updated_after=f.updated_after,
    )


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


def _customer_criteria(f: CustomerFilter | None) -> CustomerCriteria:
    if f is None:
        return CustomerCriteria()
    return CustomerCriteria(
        name_contains=f.name_contains,
        number=f.number,
        city=f.city,
        country_code=f.country_code,
        updated_after=f.updated_after,
    )


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


def _contact_criteria(f: ContactFilter | None) -> ContactCriteria:
    if f is None:
        return ContactCriteria()
    return ContactCriteria(
        customer_id=_pk("filter.customer", f.customer, "Customer"),
        name_contains=f.name_contains,
        email=f.email,
    )


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


def _activity_criteria(f: ActivityFilter | None) -> ActivityCriteria:
    if f is None:
        return ActivityCriteria()
    return ActivityCriteria(
        customer_id=_pk("filter.customer", f.customer, "Customer"),
        kinds=frozenset(f.kind or ()),
        occurred_from=f.occurred_from,
        occurred_to=f.occurred_to,
    )


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


def _shipment_criteria(f: ShipmentFilter | None) -> ShipmentCriteria:
    if f is None:
        return ShipmentCriteria()
    return ShipmentCriteria(
        order_id=_pk("filter.order", f.order, "Order"),
        number=f.number,
        shipped_from=f.shipped_from,
        shipped_to=f.shipped_to,
    )


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


def _invoice_criteria(f: InvoiceFilter | None) -> InvoiceCriteria:
    if f is None:
        return InvoiceCriteria()
    return InvoiceCriteria(
        order_id=_pk("filter.order", f.order, "Order"),
        number=f.number,
        match_status=f.match_status,
        issued_from=f.issued_from,
        issued_to=f.issued_to,
    )


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


def _product_criteria(f: ProductFilter | None) -> ProductCriteria:
    if f is None:
        return ProductCriteria()
    return ProductCriteria(sku=f.sku, gtin=f.gtin, name_contains=f.name_contains)


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


def _organization_criteria(f: OrganizationFilter | None) -> OrganizationCriteria:
    if f is None:
        return OrganizationCriteria()
    return OrganizationCriteria(kind=f.kind, name_contains=f.name_contains)


def _sort(field: enum.Enum, direction: SortDirection) -> dict[str, Any]:
    return {"sort": str(field.value), "descending": direction is SortDirection.DESC}


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
        for obj in loaders.by_ids(model, build, pks):
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
        c = ctx(info)
        page = order_rows(
            c.session, c.principal, _order_criteria(filter, c.principal), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Order, m.Order, page)

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
        c = ctx(info)
        page = case_rows(
            c.session, c.principal, _case_criteria(filter, c.principal), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Case, m.Case, page)

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
        c = ctx(info)
        page = customer_rows(
            c.session, c.principal, _customer_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Customer, m.Customer, page)

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
        c = ctx(info)
        page = contact_rows(
            c.session, c.principal, _contact_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Contact, m.Contact, page)

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
        c = ctx(info)
        page = activity_rows(
            c.session, c.principal, _activity_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Activity, m.Activity, page)

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
        c = ctx(info)
        page = shipment_rows(
            c.session, c.principal, _shipment_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Shipment, m.Shipment, page)

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
        c = ctx(info)
        page = invoice_rows(
            c.session, c.principal, _invoice_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Invoice, m.Invoice, page)

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
        c = ctx(info)
        page = product_rows(
            c.session, c.principal, _product_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Product, m.Product, page)

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
        c = ctx(info)
        page = organization_rows(
            c.session, c.principal, _organization_criteria(filter), **_sort(o.field, o.direction),
            window=window(first=first, after=after, last=last, before=before),
        )  # fmt: skip
        return connection(t.Organization, m.Organization, page)

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
