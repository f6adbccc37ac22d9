"""The read models of orders, shipments and invoices, the order timeline, and the derived order
status as SQL."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from portal.access import Principal, get_visible, visible
from portal.models import (
    OPEN_INVOICE_STATUSES,
    ApiToken,
    Event,
    GoodsReceipt,
    Invoice,
    InvoiceStatus,
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
from portal.models.orders import due_sort_key
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search

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
    see `portal.orders.service.may_answer_line`). Shared by the web lists, tiles and the API.

    Reads the stored ``Order.awaiting_confirmation`` (kept by the flush hook, with partial indexes);
    :func:`waiting_definition` is the same from the lines, for tests and audits."""
    # The bare column (not `IS true`): PostgreSQL matches it to the partial indexes' predicate;
    # SQLite renders it `= 1`, the term of its partial indexes.
    return Order.awaiting_confirmation.expression


def waiting_definition() -> ColumnElement[bool]:
    """What ``awaiting_confirmation`` stores, from the lines."""
    pending = select(OrderLine.order_id).where(
        OrderLine.response == LineResponse.PENDING,
        OrderLine.cancelled.is_(False),
        OrderLine.proposed_response.is_(None),
    )
    return Order.id.in_(pending) & Order.cancelled_at.is_(None) & Order.supplier_id.is_not(None)


def review_condition() -> ColumnElement[bool]:
    """An order with a supplier's change awaiting the buyer's review (issue #17): the review inbox.
    Reads the stored ``Order.awaiting_review`` (kept by the flush hook, with a partial index);
    :func:`review_definition` is the same from the lines, for tests and audits."""
    return Order.awaiting_review.expression


def review_definition() -> ColumnElement[bool]:
    """What ``awaiting_review`` stores, from the lines."""
    proposed = select(OrderLine.order_id).where(
        OrderLine.proposed_response.is_not(None), OrderLine.cancelled.is_(False)
    )
    return Order.id.in_(proposed) & Order.cancelled_at.is_(None) & Order.supplier_id.is_not(None)


def late_conditions(today: date) -> tuple[ColumnElement[bool], ...]:
    """An order is late on ``today`` when it is routed, not cancelled, and one of its live,
    not rejected lines is past its promised date (else its own or the order's requested date) and
    not fully shipped. Conditions on `Order`, for a query that already starts from `portal.access.visible`.

    Reads the stored ``Order.earliest_open_due`` (None unless routed and not cancelled, indexed);
    :func:`late_definition` is the same from the lines, for tests and audits."""
    return (Order.earliest_open_due < today,)


class schedule_due(FunctionElement[date]):  # noqa: N801 - used like a SQL function
    """The date of a split line's first delivery not yet covered by what was shipped, as SQL:
    ``schedule_due(order_lines.schedule, order_lines.quantity_shipped)`` (NULL when not split); the
    SQL twin of the schedule rule in :func:`portal.models.orders.line_due`. Each delivery keeps the
    quantity up to and including it ("through"), so no sum is needed."""

    type = Date()
    inherit_cache = True
    name = "schedule_due"


@compiles(schedule_due, "sqlite")
def _schedule_due_sqlite(element: schedule_due, compiler: SQLCompiler, **kw: Any) -> str:
    schedule, shipped = (compiler.process(arg, **kw) for arg in element.clauses)
    # Amount is fixed-width text on SQLite and "through" is written alike: text order is numeric order.
    return (
        f"(SELECT min(json_extract(part.value, '$.date')) FROM json_each({schedule}) AS part "
        f"WHERE json_extract(part.value, '$.through') > {shipped})"
    )


@compiles(schedule_due, "postgresql")
def _schedule_due_postgresql(element: schedule_due, compiler: SQLCompiler, **kw: Any) -> str:
    schedule, shipped = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"(SELECT min(CAST(part.value ->> 'date' AS DATE)) FROM json_array_elements({schedule}) AS part "
        f"WHERE CAST(part.value ->> 'through' AS NUMERIC) > {shipped})"
    )


def line_due_expression(header: Any) -> ColumnElement[date | None]:
    """A line's due day as SQL (:func:`portal.models.orders.line_due`); ``header``: its order."""
    return func.coalesce(
        schedule_due(OrderLine.schedule, OrderLine.quantity_shipped),
        OrderLine.promised_date,
        OrderLine.requested_date,
        header.requested_date,
    )


def late_definition(today: date) -> tuple[ColumnElement[bool], ...]:
    """:func:`late_conditions` from the lines."""
    effective = func.coalesce(OrderLine.quantity_confirmed, OrderLine.quantity_ordered)
    header = aliased(Order, name="header")
    due = line_due_expression(header)
    late_lines = (
        select(OrderLine.order_id)
        .join(header, header.id == OrderLine.order_id)
        .where(
            OrderLine.cancelled.is_(False),
            OrderLine.response != LineResponse.REJECTED,
            due < today,
            OrderLine.quantity_shipped < effective,
        )
    )
    return (Order.id.in_(late_lines), Order.cancelled_at.is_(None), Order.supplier_id.is_not(None))


def earliest_open_due_expression() -> ColumnElement[date | None]:
    """What ``earliest_open_due`` stores, from the lines, as SQL (tests and audits)."""
    effective = func.coalesce(OrderLine.quantity_confirmed, OrderLine.quantity_ordered)
    due = func.min(line_due_expression(Order))
    earliest = (
        select(due)
        .where(
            OrderLine.order_id == Order.id,
            OrderLine.cancelled.is_(False),
            OrderLine.response != LineResponse.REJECTED,
            OrderLine.quantity_shipped < effective,
        )
        .scalar_subquery()
    )
    return case((and_(Order.cancelled_at.is_(None), Order.supplier_id.is_not(None)), earliest), else_=None)


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


def order_statuses(session: Session, order_ids: Iterable[int]) -> dict[int, OrderStatus]:
    """Derived statuses of many orders in one query (callers pass ids they were allowed to see)."""
    ids = set(order_ids)
    if not ids:
        return {}
    rows = session.execute(select(Order.id, status_expression()).where(Order.id.in_(ids)))
    return {ident: OrderStatus(status) for ident, status in rows}


# --- orders: the read model ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """Which orders a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the number, the delivery name or the customer reference
    number: str | None = None  # exactly this order number
    customer_reference: str | None = None  # exactly this customer reference
    statuses: frozenset[OrderStatus] = field(default_factory=frozenset)  # the stored derived status
    waiting: bool | None = None  # True: waiting for the supplier's answer (`waiting_condition`); False: not
    late_on: date | None = None  # late on this day (`late_conditions`)
    awaiting_review: bool | None = None  # True: a supplier's change awaits review (`review_condition`)
    include_cancelled: bool = True
    customer_id: int | None = None
    dealer_id: int | None = None
    supplier_id: int | None = None
    order_date_from: date | None = None  # order_date on or after
    order_date_to: date | None = None  # order_date on or before
    created_after: datetime | None = None  # created_at after this moment
    updated_after: datetime | None = None  # updated_at after this moment (pull what changed)

    @classmethod
    def of_group(cls, group: StatusGroup, **fields: Any) -> OrderQuery:
        return cls(statuses=group.statuses, waiting=True if group.waiting else None, **fields)


class OrderSort(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    ORDER_DATE = "order_date"
    NUMBER = "number"
    DUE = "due"  # the earliest open due day (`due_sort_key`): orders with nothing due last


def order_conditions(q: OrderQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Order.number, Order.delivery_name, Order.customer_reference))
    if q.number:
        conds.append(Order.number == q.number)
    if q.customer_reference:
        conds.append(Order.customer_reference == q.customer_reference)
    if q.statuses:
        conds.append(Order.current_status.in_(q.statuses))
    if q.waiting is not None:
        waiting = waiting_condition()
        conds.append(waiting if q.waiting else ~waiting)
    if q.late_on is not None:
        conds.extend(late_conditions(q.late_on))
    if q.awaiting_review is not None:
        review = review_condition()
        conds.append(review if q.awaiting_review else ~review)
    if not q.include_cancelled:
        conds.append(Order.cancelled_at.is_(None))
    if q.customer_id is not None:
        conds.append(Order.customer_id == q.customer_id)
    if q.dealer_id is not None:
        conds.append(Order.dealer_id == q.dealer_id)
    if q.supplier_id is not None:
        conds.append(Order.supplier_id == q.supplier_id)
    if q.order_date_from is not None:
        conds.append(Order.order_date >= q.order_date_from)
    if q.order_date_to is not None:
        conds.append(Order.order_date <= q.order_date_to)
    if q.created_after is not None:
        conds.append(Order.created_at > q.created_after)
    if q.updated_after is not None:
        conds.append(Order.updated_at > q.updated_after)
    return conds


ORDERS = Keyset(
    "order",
    Order,
    {
        OrderSort.CREATED_AT: Order.created_at,
        OrderSort.UPDATED_AT: Order.updated_at,
        OrderSort.ORDER_DATE: Order.order_date,
        OrderSort.NUMBER: Order.number,
        OrderSort.DUE: due_sort_key(),
    },
    order_conditions,
)


def list_orders(
    session: Session,
    principal: Principal,
    query: OrderQuery = OrderQuery(),
    *,
    sort: OrderSort = OrderSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    """Rows of every column of ``orders`` (see `portal.reading.keyset`)."""
    return ORDERS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


# --- shipments -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShipmentQuery:
    search: str | None = None  # a substring of the ship notice number or the tracking number
    number: str | None = None  # exactly this ship notice number
    order_id: int | None = None
    shipped_from: date | None = None  # shipped_on on or after
    shipped_to: date | None = None  # shipped_on on or before


class ShipmentSort(enum.StrEnum):
    CREATED_AT = "created_at"
    SHIPPED_ON = "shipped_on"
    NUMBER = "number"


def shipment_conditions(q: ShipmentQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Shipment.number, Shipment.tracking_number))
    if q.number:
        conds.append(Shipment.number == q.number)
    if q.order_id is not None:
        conds.append(Shipment.order_id == q.order_id)
    if q.shipped_from is not None:
        conds.append(Shipment.shipped_on >= q.shipped_from)
    if q.shipped_to is not None:
        conds.append(Shipment.shipped_on <= q.shipped_to)
    return conds


SHIPMENTS = Keyset(
    "shipment",
    Shipment,
    {
        ShipmentSort.CREATED_AT: Shipment.created_at,
        ShipmentSort.SHIPPED_ON: Shipment.shipped_on,
        ShipmentSort.NUMBER: Shipment.number,
    },
    shipment_conditions,
)


def list_shipments(
    session: Session,
    principal: Principal,
    query: ShipmentQuery = ShipmentQuery(),
    *,
    sort: ShipmentSort = ShipmentSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return SHIPMENTS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


# --- invoices ------------------------------------------------------------------------------------


def open_invoice_conditions(today: date) -> tuple[ColumnElement[bool], ...]:
    """An invoice is open on ``today`` while it is received, disputed or approved (not rejected,
    paid or credited) and not yet due: what the dashboard's open-invoice tile counts."""
    return (
        Invoice.status.in_(sorted(s.value for s in OPEN_INVOICE_STATUSES)),
        or_(Invoice.due_date.is_(None), Invoice.due_date >= today),
    )


@dataclass(frozen=True, slots=True)
class InvoiceQuery:
    search: str | None = None  # a substring of the invoice number
    number: str | None = None  # exactly this invoice number
    order_id: int | None = None
    match_status: MatchStatus | None = None
    issued_from: date | None = None  # issue_date on or after
    issued_to: date | None = None  # issue_date on or before
    open_on: date | None = None  # open on this day (`open_invoice_conditions`)
    statuses: frozenset[InvoiceStatus] = frozenset()  # any of these workflow statuses
    supplier_id: int | None = None  # issued by this supplier
    due_from: date | None = None  # due_date on or after
    due_to: date | None = None  # due_date on or before


class InvoiceSort(enum.StrEnum):
    CREATED_AT = "created_at"
    ISSUE_DATE = "issue_date"
    NUMBER = "number"


def invoice_conditions(q: InvoiceQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Invoice.number))
    if q.number:
        conds.append(Invoice.number == q.number)
    if q.order_id is not None:
        conds.append(Invoice.order_id == q.order_id)
    if q.match_status is not None:
        conds.append(Invoice.match_status == q.match_status)
    if q.issued_from is not None:
        conds.append(Invoice.issue_date >= q.issued_from)
    if q.issued_to is not None:
        conds.append(Invoice.issue_date <= q.issued_to)
    if q.open_on is not None:
        conds.extend(open_invoice_conditions(q.open_on))
    if q.statuses:
        conds.append(Invoice.status.in_(sorted(s.value for s in q.statuses)))
    if q.supplier_id is not None:
        conds.append(Invoice.supplier_id == q.supplier_id)
    if q.due_from is not None:
        conds.append(Invoice.due_date >= q.due_from)
    if q.due_to is not None:
        conds.append(Invoice.due_date <= q.due_to)
    return conds


INVOICES = Keyset(
    "invoice",
    Invoice,
    {
        InvoiceSort.CREATED_AT: Invoice.created_at,
        InvoiceSort.ISSUE_DATE: Invoice.issue_date,
        InvoiceSort.NUMBER: Invoice.number,
    },
    invoice_conditions,
)


def list_invoices(
    session: Session,
    principal: Principal,
    query: InvoiceQuery = InvoiceQuery(),
    *,
    sort: InvoiceSort = InvoiceSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return INVOICES.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


def order_timeline(session: Session, principal: Principal, order_id: int) -> list[Event]:
    """The event log of an order the principal may see, oldest first: the order's own events and
    those of its shipments, goods receipts and invoices that the principal may see. Seeing the
    order grants its history; a hidden order raises NotFound like a missing one."""
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
    receipt_ids = list(
        session.scalars(
            visible(principal, GoodsReceipt)
            .with_only_columns(GoodsReceipt.id)
            .where(GoodsReceipt.order_id == order.id)
        )
    )
    # Plain id lists, not subqueries: each arm is then one lookup in ix_events_entity_entity_id
    # (PostgreSQL scanned the whole log for an OR of IN-subqueries).
    arms = [and_(Event.entity == "order", Event.entity_id == order.id)]
    if receipt_ids:
        arms.append(and_(Event.entity == "goods_receipt", Event.entity_id.in_(receipt_ids)))
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
    "INVOICES",
    "OPEN_STATUSES",
    "ORDERS",
    "SHIPMENTS",
    "STATUS_GROUPS",
    "WAITING_STATUSES",
    "Actor",
    "InvoiceQuery",
    "InvoiceSort",
    "OrderQuery",
    "OrderSort",
    "ShipmentQuery",
    "ShipmentSort",
    "StatusGroup",
    "earliest_open_due_expression",
    "invoice_conditions",
    "late_conditions",
    "late_definition",
    "list_invoices",
    "list_orders",
    "list_shipments",
    "open_invoice_conditions",
    "order_conditions",
    "order_statuses",
    "order_timeline",
    "review_condition",
    "review_definition",
    "shipment_conditions",
    "status_expression",
    "timeline_actors",
    "waiting_condition",
    "waiting_definition",
]
