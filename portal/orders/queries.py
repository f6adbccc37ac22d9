"""Order, shipment and invoice lists, and the derived order status as SQL."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from portal.access import Principal, get_visible, visible
from portal.listing import (
    FIRST_PAGE,
    ColumnLike,
    IdWindow,
    Page,
    PageRequest,
    RowPage,
    keyset_rows,
    matches,
    paginate,
    paginate_rows,
    search_pattern,
)
from portal.models import (
    ApiToken,
    Event,
    Invoice,
    LineResponse,
    MatchStatus,
    Order,
    OrderLine,
    OrderStatus,
    Organization,
    OrgKind,
    Shipment,
    User,
)
from portal.models.base import Amount


class OrderSort(enum.StrEnum):
    CREATED_AT = "created_at"
    NUMBER = "number"
    ORDER_DATE = "order_date"


OPEN_STATUSES = frozenset(
    {
        OrderStatus.DRAFT,
        OrderStatus.AWAITING_CONFIRMATION,
        OrderStatus.PARTIALLY_CONFIRMED,
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.PARTIALLY_INVOICED,
    }
)
# The statuses an order waiting for the supplier's answer starts in. It keeps waiting in later
# statuses too (a line left pending while others ship and are invoiced): lists and tiles select
# waiting orders by `waiting_condition`, not by these statuses.
WAITING_STATUSES = frozenset({OrderStatus.AWAITING_CONFIRMATION, OrderStatus.PARTIALLY_CONFIRMED})


@dataclass(frozen=True, slots=True)
class StatusGroup:
    """A named selection of orders: by status, or waiting for an answer (`waiting_condition`)."""

    statuses: frozenset[OrderStatus] = field(default_factory=frozenset)
    waiting: bool = False


# Named groups: what the dashboard's tiles count and the orders list's status filter offers beside
# the single statuses (``/orders?status=open``), one definition for both.
STATUS_GROUPS: dict[str, StatusGroup] = {
    "open": StatusGroup(statuses=OPEN_STATUSES),
    "waiting": StatusGroup(waiting=True),
}


def waiting_condition() -> ColumnElement[bool]:
    """An order waits for the supplier's answer while it is routed, not cancelled, and one of its
    live lines is still pending, whatever its derived status (the supplier may answer such a line,
    see `portal.orders.service.may_answer_line`). Shared by the web lists, tiles and the API."""
    pending = select(OrderLine.order_id).where(
        OrderLine.response == LineResponse.PENDING, OrderLine.cancelled.is_(False)
    )
    return Order.id.in_(pending) & Order.cancelled_at.is_(None) & Order.supplier_id.is_not(None)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    statuses: frozenset[OrderStatus] = field(default_factory=frozenset)
    search: str | None = None
    customer_id: int | None = None
    supplier_id: int | None = None
    dealer_id: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    late_on: date | None = None  # only orders late on this day (see `late_conditions`)
    waiting: bool = False  # only orders waiting for the supplier's answer (`waiting_condition`)

    @classmethod
    def of_group(cls, group: StatusGroup, **criteria: Any) -> OrderFilter:
        return cls(statuses=group.statuses, waiting=group.waiting, **criteria)


def late_conditions(today: date) -> tuple[ColumnElement[bool], ...]:
    """An order is late on ``today`` when it is routed, not cancelled, and one of its live,
    not rejected lines is past its promised (or else requested) date and not fully shipped.
    Conditions on `Order`, for a query that already starts from `portal.access.visible`."""
    effective = func.coalesce(OrderLine.quantity_confirmed, OrderLine.quantity_ordered)
    due = func.coalesce(OrderLine.promised_date, OrderLine.requested_date)
    late_lines = select(OrderLine.order_id).where(
        OrderLine.cancelled.is_(False),
        OrderLine.response != LineResponse.REJECTED,
        due < today,
        OrderLine.quantity_shipped < effective,
    )
    return (Order.id.in_(late_lines), Order.cancelled_at.is_(None), Order.supplier_id.is_not(None))


def status_expression() -> ColumnElement[str]:
    """The same rules as :func:`portal.models.orders.derive_status`, as one SQL expression per order.

    Reads use the stored ``Order.current_status``; this expression checks it (tests, audits)."""
    live = and_(OrderLine.order_id == Order.id, OrderLine.cancelled.is_(False))
    effective = case(
        (OrderLine.response == LineResponse.REJECTED.value, literal(Decimal(0), Amount())),
        (OrderLine.quantity_confirmed.is_(None), OrderLine.quantity_ordered),
        else_=OrderLine.quantity_confirmed,
    )

    def count_lines(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        subquery = select(func.count()).select_from(OrderLine).where(live, *conditions).scalar_subquery()
        return subquery

    n_live = count_lines()
    n_answered = count_lines(OrderLine.response != LineResponse.PENDING.value)
    n_rejected = count_lines(OrderLine.response == LineResponse.REJECTED.value)
    n_deliverable = count_lines(OrderLine.response != LineResponse.REJECTED.value)
    n_not_invoiced = count_lines(
        OrderLine.response != LineResponse.REJECTED.value, OrderLine.quantity_invoiced < effective
    )
    n_any_invoiced = count_lines(OrderLine.quantity_invoiced > 0)
    n_not_shipped = count_lines(
        OrderLine.response != LineResponse.REJECTED.value, OrderLine.quantity_shipped < effective
    )
    n_any_shipped = count_lines(OrderLine.quantity_shipped > 0)
    return case(
        (Order.cancelled_at.is_not(None), OrderStatus.CANCELLED.value),
        (n_live == 0, OrderStatus.CANCELLED.value),
        (Order.supplier_id.is_(None), OrderStatus.DRAFT.value),
        (n_answered == 0, OrderStatus.AWAITING_CONFIRMATION.value),
        (n_rejected == n_live, OrderStatus.REJECTED.value),
        (and_(n_deliverable > 0, n_not_invoiced == 0), OrderStatus.INVOICED.value),
        (n_any_invoiced > 0, OrderStatus.PARTIALLY_INVOICED.value),
        (and_(n_deliverable > 0, n_not_shipped == 0), OrderStatus.SHIPPED.value),
        (n_any_shipped > 0, OrderStatus.PARTIALLY_SHIPPED.value),
        (n_answered < n_live, OrderStatus.PARTIALLY_CONFIRMED.value),
        else_=OrderStatus.CONFIRMED.value,
    )


def _order_filters(stmt: Select[Order], flt: OrderFilter) -> Select[Order]:
    if flt.statuses:
        stmt = stmt.where(Order.current_status.in_(flt.statuses))
    if flt.search:
        pattern = search_pattern(flt.search)
        stmt = stmt.where(
            matches(pattern, Order.number, Order.delivery_name, func.coalesce(Order.customer_reference, ""))
        )
    if flt.customer_id is not None:
        stmt = stmt.where(Order.customer_id == flt.customer_id)
    if flt.supplier_id is not None:
        stmt = stmt.where(Order.supplier_id == flt.supplier_id)
    if flt.dealer_id is not None:
        stmt = stmt.where(Order.dealer_id == flt.dealer_id)
    if flt.created_from is not None:
        stmt = stmt.where(Order.order_date >= flt.created_from)
    if flt.created_to is not None:
        stmt = stmt.where(Order.order_date <= flt.created_to)
    if flt.late_on is not None:
        stmt = stmt.where(*late_conditions(flt.late_on))
    if flt.waiting:
        stmt = stmt.where(waiting_condition())
    return stmt


ORDER_SORTS: dict[OrderSort, ColumnLike] = {
    OrderSort.CREATED_AT: Order.created_at,
    OrderSort.NUMBER: Order.number,
    OrderSort.ORDER_DATE: Order.order_date,
}


def list_orders(
    session: Session,
    principal: Principal,
    *,
    filter: OrderFilter = OrderFilter(),
    sort: OrderSort = OrderSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Order]:
    stmt = _order_filters(visible(principal, Order), filter)
    return paginate(session, stmt, Order, sort_column=ORDER_SORTS[sort], descending=descending, page=page)


def count_orders(session: Session, principal: Principal, *, filter: OrderFilter) -> int:
    """How many rows :func:`list_orders` with the same filter has (one COUNT in SQL)."""
    stmt = _order_filters(visible(principal, Order), filter).with_only_columns(func.count())
    return int(session.scalar(stmt) or 0)


ORDER_ROW_COLUMNS = (
    Order.id,
    Order.number,
    Order.order_date,
    Order.requested_date,
    Order.delivery_name,
    Order.customer_reference,
    Order.current_status,
    Order.net_total,
    Order.currency,
)


def list_order_rows(
    session: Session,
    principal: Principal,
    *,
    filter: OrderFilter = OrderFilter(),
    sort: OrderSort = OrderSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Row[Any]]:
    """:func:`list_orders` as plain rows of the list columns (``ORDER_ROW_COLUMNS``, by name):
    what a list page or an export shows, without loading whole orders."""

    def build() -> Select[*tuple[Any, ...]]:
        return _order_filters(visible(principal, Order), filter).with_only_columns(*ORDER_ROW_COLUMNS)

    return paginate_rows(
        session,
        build,
        Order.id,
        sort_column=ORDER_SORTS[sort],
        descending=descending,
        page=page,
        cache_key=("orders", principal, filter, sort),
    )


def order_statuses(session: Session, order_ids: Iterable[int]) -> dict[int, OrderStatus]:
    """Derived statuses of many orders in one query (callers pass ids they were allowed to see)."""
    ids = set(order_ids)
    if not ids:
        return {}
    rows = session.execute(select(Order.id, status_expression()).where(Order.id.in_(ids)))
    return {ident: OrderStatus(status) for ident, status in rows}


class ShipmentSort(enum.StrEnum):
    CREATED_AT = "created_at"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    order_id: int | None = None
    search: str | None = None


def list_shipments(
    session: Session,
    principal: Principal,
    *,
    filter: ShipmentFilter = ShipmentFilter(),
    sort: ShipmentSort = ShipmentSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Shipment]:
    stmt = visible(principal, Shipment)
    if filter.order_id is not None:
        stmt = stmt.where(Shipment.order_id == filter.order_id)
    if filter.search:
        stmt = stmt.where(
            matches(
                search_pattern(filter.search), Shipment.number, func.coalesce(Shipment.tracking_number, "")
            )
        )
    column = Shipment.created_at if sort is ShipmentSort.CREATED_AT else Shipment.number
    return paginate(
        session,
        stmt,
        Shipment,
        sort_column=column,
        descending=descending,
        page=page,
    )


class InvoiceSort(enum.StrEnum):
    CREATED_AT = "created_at"
    NUMBER = "number"
    ISSUE_DATE = "issue_date"


@dataclass(frozen=True, slots=True)
class InvoiceFilter:
    order_id: int | None = None
    match_status: MatchStatus | None = None
    search: str | None = None
    open_on: date | None = None  # only invoices open on this day (see `open_invoice_conditions`)


def open_invoice_conditions(today: date) -> tuple[ColumnElement[bool], ...]:
    """An invoice is open on ``today`` while it is not yet due (no payment data is kept)."""
    return (or_(Invoice.due_date.is_(None), Invoice.due_date >= today),)


def _invoice_filters(stmt: Select[Invoice], flt: InvoiceFilter) -> Select[Invoice]:
    if flt.order_id is not None:
        stmt = stmt.where(Invoice.order_id == flt.order_id)
    if flt.match_status is not None:
        stmt = stmt.where(Invoice.match_status == flt.match_status)
    if flt.search:
        stmt = stmt.where(matches(search_pattern(flt.search), Invoice.number))
    if flt.open_on is not None:
        stmt = stmt.where(*open_invoice_conditions(flt.open_on))
    return stmt


def count_invoices(session: Session, principal: Principal, *, filter: InvoiceFilter) -> int:
    stmt = _invoice_filters(visible(principal, Invoice), filter).with_only_columns(func.count())
    return int(session.scalar(stmt) or 0)


def list_invoices(
    session: Session,
    principal: Principal,
    *,
    filter: InvoiceFilter = InvoiceFilter(),
    sort: InvoiceSort = InvoiceSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Invoice]:
    stmt = _invoice_filters(visible(principal, Invoice), filter)
    column = {
        InvoiceSort.CREATED_AT: Invoice.created_at,
        InvoiceSort.NUMBER: Invoice.number,
        InvoiceSort.ISSUE_DATE: Invoice.issue_date,
    }[sort]
    return paginate(
        session,
        stmt,
        Invoice,
        sort_column=column,
        descending=descending,
        page=page,
    )


def order_timeline(session: Session, principal: Principal, order_id: int) -> list[Event]:
    """The event log of an order the principal may see, oldest first: the order's own events and
    those of its shipments and invoices that the principal may see. Seeing the order grants its
    history; a hidden order raises NotFound like a missing one."""
    order = get_visible(session, principal, Order, order_id)
    shipment_ids = list(
        session.scalars(
            visible(principal, Shipment).with_only_columns(Shipment.id).where(Shipment.order_id == order.id)
        )
    )
    invoice_ids = list(
        session.scalars(
            visible(principal, Invoice).with_only_columns(Invoice.id).where(Invoice.order_id == order.id)
        )
    )
    # Plain id lists, not subqueries: each arm is then one lookup in ix_events_entity_entity_id
    # (PostgreSQL scanned the whole log for an OR of IN-subqueries).
    arms = [and_(Event.entity == "order", Event.entity_id == order.id)]
    if shipment_ids:
        arms.append(and_(Event.entity == "shipment", Event.entity_id.in_(shipment_ids)))
    if invoice_ids:
        arms.append(and_(Event.entity == "invoice", Event.entity_id.in_(invoice_ids)))
    stmt = select(Event).where(or_(*arms)).order_by(Event.occurred_at, Event.id)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a history entry, as far as its viewer may learn it.

    ``relation`` is the acting organization's part in the order ("owner", "supplier", "dealer",
    "other"); ``organization`` and ``person`` are None where the viewer may not learn them (a
    supplier is not told which dealer sold an order, nor who there did it). ``via``: "user",
    "token" (an API token, ``person`` is its name) or "exchange" (EDI, or the system)."""

    relation: str
    organization: str | None
    person: str | None
    via: str


def timeline_actors(
    session: Session, principal: Principal, order: Order, events: Iterable[Event]
) -> dict[int, Actor]:
    """The actor of each event of :func:`order_timeline` (by event id). Seeing the order grants
    its history, and the history names who acted: the viewer's own people and organization, the
    owner's, and, for owner staff, everyone's; other organizations by their part in the order."""
    events = list(events)
    org_ids = {e.actor_org_id for e in events if e.actor_org_id is not None}
    orgs = {
        ident: (name, kind)
        for ident, name, kind in session.execute(
            select(Organization.id, Organization.name, Organization.kind).where(Organization.id.in_(org_ids))
        )
    }

    def nameable(org_id: int | None) -> bool:
        if org_id is None or org_id not in orgs:
            return False
        return principal.is_owner or org_id in principal.org_ids or orgs[org_id][1] is OrgKind.OWNER

    shown = [e for e in events if nameable(e.actor_org_id)]
    users = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_({e.actor_user_id for e in shown if e.actor_user_id}))
        ).all()
    )
    tokens = dict(
        session.execute(
            select(ApiToken.id, ApiToken.name).where(
                ApiToken.id.in_({e.actor_token_id for e in shown if e.actor_token_id})
            )
        ).all()
    )
    actors: dict[int, Actor] = {}
    for e in events:
        org = e.actor_org_id
        kind = orgs[org][1] if org in orgs else None
        relation = (
            "owner"
            if kind is OrgKind.OWNER
            else "supplier"
            if org is not None and org == order.supplier_id
            else "dealer"
            if org is not None and org == order.dealer_id
            else "other"
        )
        via = "user" if e.actor_user_id else "token" if e.actor_token_id else "exchange"
        if not nameable(org):
            actors[e.id] = Actor(relation, None, None, via)
            continue
        person = users.get(e.actor_user_id) if e.actor_user_id else tokens.get(e.actor_token_id or 0)
        actors[e.id] = Actor(relation, orgs[org][0] if org in orgs else None, person, via)
    return actors


__all__ = [
    "OPEN_STATUSES",
    "STATUS_GROUPS",
    "WAITING_STATUSES",
    "Actor",
    "InvoiceFilter",
    "InvoiceSort",
    "OrderFilter",
    "OrderSort",
    "ShipmentFilter",
    "ShipmentSort",
    "StatusGroup",
    "count_invoices",
    "count_orders",
    "list_invoices",
    "list_order_rows",
    "list_orders",
    "list_shipments",
    "open_invoice_conditions",
    "order_statuses",
    "order_timeline",
    "status_expression",
    "timeline_actors",
    "waiting_condition",
]


# --- the GraphQL API's order, shipment and invoice lists (Core rows, id cursors) ---------------


@dataclass(frozen=True, slots=True)
class OrderCriteria:
    """The API's order filter. Ids are row ids; an id of the wrong kind arrives as -1 (no match)."""

    number: str | None = None
    customer_reference: str | None = None
    updated_after: datetime | None = None
    created_after: datetime | None = None
    order_date_from: date | None = None
    order_date_to: date | None = None
    customer_id: int | None = None
    dealer_id: int | None = None
    supplier_id: int | None = None
    include_cancelled: bool = True
    awaiting_confirmation: bool | None = None  # lines the supplier has not answered yet
    late_on: date | None = None  # late on this day (see `late_conditions`)


def order_conditions(c: OrderCriteria) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if c.number:
        conds.append(Order.number == c.number)
    if c.customer_reference:
        conds.append(Order.customer_reference == c.customer_reference)
    if c.updated_after:
        conds.append(Order.updated_at > c.updated_after)
    if c.created_after:
        conds.append(Order.created_at > c.created_after)
    if c.order_date_from:
        conds.append(Order.order_date >= c.order_date_from)
    if c.order_date_to:
        conds.append(Order.order_date <= c.order_date_to)
    if c.customer_id is not None:
        conds.append(Order.customer_id == c.customer_id)
    if c.dealer_id is not None:
        conds.append(Order.dealer_id == c.dealer_id)
    if c.supplier_id is not None:
        conds.append(Order.supplier_id == c.supplier_id)
    if not c.include_cancelled:
        conds.append(Order.cancelled_at.is_(None))
    if c.awaiting_confirmation is not None:
        waiting = waiting_condition()
        conds.append(waiting if c.awaiting_confirmation else ~waiting)
    if c.late_on is not None:
        conds.extend(late_conditions(c.late_on))
    return conds


def order_rows(
    session: Session,
    principal: Principal,
    criteria: OrderCriteria,
    *,
    sort: str = "created_at",
    descending: bool = True,
    window: IdWindow,
) -> RowPage:
    return keyset_rows(
        session, principal, Order, order_conditions(criteria), sort=sort, descending=descending, window=window
    )


@dataclass(frozen=True, slots=True)
class ShipmentCriteria:
    order_id: int | None = None
    number: str | None = None
    shipped_from: date | None = None
    shipped_to: date | None = None


def shipment_rows(
    session: Session,
    principal: Principal,
    criteria: ShipmentCriteria,
    *,
    sort: str = "created_at",
    descending: bool = True,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.order_id is not None:
        conds.append(Shipment.order_id == c.order_id)
    if c.number:
        conds.append(Shipment.number == c.number)
    if c.shipped_from:
        conds.append(Shipment.shipped_on >= c.shipped_from)
    if c.shipped_to:
        conds.append(Shipment.shipped_on <= c.shipped_to)
    return keyset_rows(session, principal, Shipment, conds, sort=sort, descending=descending, window=window)


@dataclass(frozen=True, slots=True)
class InvoiceCriteria:
    order_id: int | None = None
    number: str | None = None
    match_status: MatchStatus | None = None
    issued_from: date | None = None
    issued_to: date | None = None


def invoice_rows(
    session: Session,
    principal: Principal,
    criteria: InvoiceCriteria,
    *,
    sort: str = "created_at",
    descending: bool = True,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.order_id is not None:
        conds.append(Invoice.order_id == c.order_id)
    if c.number:
        conds.append(Invoice.number == c.number)
    if c.match_status:
        conds.append(Invoice.match_status == c.match_status)
    if c.issued_from:
        conds.append(Invoice.issue_date >= c.issued_from)
    if c.issued_to:
        conds.append(Invoice.issue_date <= c.issued_to)
    return keyset_rows(session, principal, Invoice, conds, sort=sort, descending=descending, window=window)


__all__ += [
    "InvoiceCriteria",
    "OrderCriteria",
    "ShipmentCriteria",
    "invoice_rows",
    "order_conditions",
    "order_rows",
    "shipment_rows",
]
