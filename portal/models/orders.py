"""Customer orders and their lines.

The order's status is derived from its lines' quantities (see :func:`derive_status`). The derived
status and the net total are also kept on the order (``current_status``, ``net_total``) so that
lists, filters and dashboards over 100,000 orders need no pass over the lines: a ``before_flush``
hook (:func:`keep_summaries_current`) recomputes them in the same flush whenever an order or one of
its lines changes, whoever changed it. Nothing else writes those two columns; a test checks them
against the lines on the demo data and after every service.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
    literal_column,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column, relationship

from portal.models.base import Amount, Base, UTCDateTime, enum_type, sort_indexes, utcnow
from portal.models.fulfilment import OPEN_INVOICE_STATUSES, Invoice, InvoiceStatus, MatchStatus
from portal.models.tallies import INVOICES, ORDERS, Deltas, InvoiceFigures, OrderFigures


class LineResponse(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CHANGED = "changed"
    REJECTED = "rejected"


class ReviewOutcome(enum.StrEnum):
    """The buyer's decision on a supplier's change (issue #17)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OrderStatus(enum.StrEnum):
    DRAFT = "draft"  # not yet routed to a supplier
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    PARTIALLY_CONFIRMED = "partially_confirmed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_INVOICED = "partially_invoiced"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    # active_history: the flush hook needs the value before a change to move the order's tallies.
    dealer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True, active_history=True
    )
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True, active_history=True
    )
    created_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    customer_reference: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    order_date: Mapped[date] = mapped_column(Date, active_history=True)
    requested_date: Mapped[date | None] = mapped_column(Date)
    # The delivery party and contact are copied onto the order: suppliers see these, never the
    # customer master (need to know).
    delivery_name: Mapped[str] = mapped_column(String(200))
    delivery_street: Mapped[str | None] = mapped_column(String(200))
    delivery_postal_code: Mapped[str | None] = mapped_column(String(16))
    delivery_city: Mapped[str | None] = mapped_column(String(100))
    delivery_country: Mapped[str] = mapped_column(String(2), default="DE")
    delivery_gln: Mapped[str | None] = mapped_column(String(13))
    delivery_contact_name: Mapped[str | None] = mapped_column(String(200))
    delivery_contact_phone: Mapped[str | None] = mapped_column(String(50))
    delivery_contact_email: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Derived from the lines, kept current by keep_summaries_current (see the module docstring).
    current_status: Mapped[OrderStatus] = mapped_column(
        enum_type(OrderStatus), default=OrderStatus.DRAFT, index=True, active_history=True
    )
    net_total: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    # The earliest due day (promised, else the line's or the order's requested date) of a line still
    # to ship: late on `today` when before it (see `earliest_open_due`); and whether a line still
    # waits for the supplier's answer.
    earliest_open_due: Mapped[date | None] = mapped_column(Date)
    awaiting_confirmation: Mapped[bool] = mapped_column(default=False, active_history=True)
    # Whether a supplier's change of a line waits for the buyer's review (`awaits_review`).
    awaiting_review: Mapped[bool] = mapped_column(default=False)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.line_no", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        *sort_indexes(
            "orders",
            "created_at",
            "updated_at",
            "order_date",  # number: its unique index
            *(
                (org, sort)
                for org in ("dealer_id", "supplier_id")
                for sort in ("created_at", "updated_at", "order_date", "number")
            ),
        ),
        # The late tile, the late filter and `lateOn`: an index range per viewer.
        Index("ix_orders_earliest_open_due", "earliest_open_due"),
        Index("ix_orders_dealer_id_earliest_open_due", "dealer_id", "earliest_open_due"),
        Index("ix_orders_supplier_id_earliest_open_due", "supplier_id", "earliest_open_due"),
        # The late filter's list, newest first (issue #15): the orders with a due line, by creation,
        # with the due day in the index, so the walk skips the not-yet-late ones without the rows.
        *(
            Index(
                f"ix_orders_{'_'.join((*org, 'created_at'))}_due",
                *org,
                "created_at",
                "id",
                postgresql_include=["earliest_open_due"],
                postgresql_where=text("earliest_open_due IS NOT NULL"),
                sqlite_where=text("earliest_open_due IS NOT NULL"),
            )
            for org in ((), ("dealer_id",), ("supplier_id",))
        ),
        # Orders awaiting confirmation: the supplier's pull by updated_at (PullOrders), the waiting
        # list by created_at (the dashboard's, oldest first) for the owner and for a supplier.
        Index(
            "ix_orders_awaiting_supplier_updated",
            "supplier_id",
            "updated_at",
            "id",
            postgresql_where=text("awaiting_confirmation"),
            sqlite_where=text("awaiting_confirmation = 1"),
        ),
        Index(
            "ix_orders_awaiting_supplier_created",
            "supplier_id",
            "created_at",
            "id",
            postgresql_where=text("awaiting_confirmation"),
            sqlite_where=text("awaiting_confirmation = 1"),
        ),
        # The review inbox (issue #17): orders with a supplier's change to review, oldest first.
        Index(
            "ix_orders_awaiting_review_created",
            "created_at",
            "id",
            postgresql_where=text("awaiting_review"),
            sqlite_where=text("awaiting_review = 1"),
        ),
        Index(
            "ix_orders_awaiting_created",
            "created_at",
            "id",
            postgresql_where=text("awaiting_confirmation"),
            sqlite_where=text("awaiting_confirmation = 1"),
        ),
        # The pull in update order over waiting orders only: PostgreSQL prefers it to walking all
        # orders by updated_at (which it would, thinking the waiting ones spread evenly; migration 0026).
        Index(
            "ix_orders_awaiting_updated",
            "updated_at",
            "id",
            postgresql_where=text("awaiting_confirmation"),
            sqlite_where=text("awaiting_confirmation = 1"),
        ),
    )

    def status(self, lines: Sequence[LineRules] | None = None) -> OrderStatus:
        return derive_status(self, self.lines if lines is None else lines)

    @property
    def total(self) -> Decimal:
        return order_total(self.lines)

    @property
    def proposed_total(self) -> Decimal:
        """The net total if the buyer accepted every change awaiting review (the agreed total is
        `total`)."""
        return sum((line.proposed_amount for line in self.lines), Decimal(0))


NOTHING_DUE = "'9999-12-31'"  # where an order with nothing due sorts by due day: last


def due_sort_key() -> ColumnElement[date]:
    """``earliest_open_due`` as a sort key that is never NULL (the keyset paginator compares row
    values): the late list's order, most overdue first. Written as the same SQL on both databases
    (``coalesce(orders.earliest_open_due, '9999-12-31')``) so that the expression indexes below
    serve it."""
    return type_coerce(func.coalesce(Order.earliest_open_due, literal_column(NOTHING_DUE)), Date)


# The due-day sort (the late list, issue #15): the owner's walk carries the organization columns and
# the due day, so a dealer group's or a supplier's late list is read from the index alone, most
# overdue first, until the page is full; a single organization's list has its own range.
Index(
    "ix_orders_due_id",
    due_sort_key(),
    Order.id,
    postgresql_include=["dealer_id", "supplier_id", "earliest_open_due"],
)
Index("ix_orders_dealer_id_due_id", Order.dealer_id, due_sort_key(), Order.id)
Index("ix_orders_supplier_id_due_id", Order.supplier_id, due_sort_key(), Order.id)


class LineRules:
    """What a line's figures mean; shared by the mapped :class:`OrderLine` and :class:`LineFigures`."""

    cancelled: bool
    response: LineResponse
    quantity_ordered: Decimal
    quantity_confirmed: Decimal | None
    quantity_shipped: Decimal
    quantity_invoiced: Decimal
    unit_price: Decimal
    confirmed_price: Decimal | None
    requested_date: date | None
    promised_date: date | None
    proposed_response: LineResponse | None
    schedule: list[dict[str, str]] | None

    @property
    def awaiting_review(self) -> bool:
        """A change of the supplier's waits for the buyer's review (the figures above are the
        agreed ones until the buyer accepts it)."""
        return self.proposed_response is not None and not self.cancelled

    @property
    def effective_price(self) -> Decimal:
        return self.confirmed_price if self.confirmed_price is not None else self.unit_price

    @property
    def effective_quantity(self) -> Decimal:
        """What the supplier committed to deliver (ordered while unanswered)."""
        if self.cancelled or self.response is LineResponse.REJECTED:
            return Decimal(0)
        return self.quantity_confirmed if self.quantity_confirmed is not None else self.quantity_ordered

    @property
    def net_amount(self) -> Decimal:
        return self.effective_quantity * self.effective_price


@dataclass(slots=True)
class LineFigures(LineRules):
    """The figures of a line without the ORM (bulk seeding, plain rows)."""

    cancelled: bool
    response: LineResponse
    quantity_ordered: Decimal
    quantity_confirmed: Decimal | None
    quantity_shipped: Decimal
    quantity_invoiced: Decimal
    unit_price: Decimal
    confirmed_price: Decimal | None
    requested_date: date | None = None
    promised_date: date | None = None
    proposed_response: LineResponse | None = None
    schedule: list[dict[str, str]] | None = None


# A schedule (a line split into several deliveries, issue #17) is kept on the line as JSON: by date,
# [{"date": "2026-12-10", "quantity": "30", "through": <Amount text of the quantities up to and
# including this one>}]. "through" lets SQL find the first delivery not yet covered by what was
# shipped (`portal.orders.queries.schedule_due`) without summing; :func:`schedule_parts` reads it.
SCHEDULE = JSON(none_as_null=True)


def through_text(value: Decimal) -> str:
    """A cumulative quantity as the schedule keeps it: Amount's text on SQLite (fixed width, so that
    text order is numeric order there), a number PostgreSQL casts."""
    return f"{value:019.4f}"


def make_schedule(parts: Sequence[tuple[Decimal, date]]) -> list[dict[str, str]] | None:
    """The JSON of a schedule from (quantity, date) parts (sorted by date); None for no parts."""
    if not parts:
        return None
    out: list[dict[str, str]] = []
    total = Decimal(0)
    for quantity, day in sorted(parts, key=lambda part: part[1]):
        total += quantity
        out.append({"date": day.isoformat(), "quantity": str(quantity), "through": through_text(total)})
    return out


def schedule_parts(schedule: list[dict[str, str]] | None) -> list[tuple[Decimal, date]]:
    """(quantity, date) per delivery of a stored schedule, by date ([] when the line is not split)."""
    return [(Decimal(part["quantity"]), date.fromisoformat(part["date"])) for part in schedule or ()]


def line_due(line: LineRules, order_requested: date | None) -> date | None:
    """The day a line is due: for a split line the date of its first delivery not yet covered by what
    was shipped; else the promised date, else the line's requested date, else the order's."""
    if line.schedule:
        shipped = line.quantity_shipped
        for part in line.schedule:
            if Decimal(part["through"]) > shipped:
                return date.fromisoformat(part["date"])
    if line.promised_date is not None:
        return line.promised_date
    return line.requested_date if line.requested_date is not None else order_requested


class OrderLine(LineRules, Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    sku: Mapped[str | None] = mapped_column(String(64))
    gtin: Mapped[str | None] = mapped_column(String(14))
    description: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(8), default="C62")
    unit_price: Mapped[Decimal] = mapped_column(Amount())
    quantity_ordered: Mapped[Decimal] = mapped_column(Amount())
    quantity_confirmed: Mapped[Decimal | None] = mapped_column(Amount())
    quantity_shipped: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    quantity_invoiced: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    # Accepted in goods receipts (counted less damaged; portal.orders.receiving).
    quantity_received: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    response: Mapped[LineResponse] = mapped_column(enum_type(LineResponse), default=LineResponse.PENDING)
    confirmed_price: Mapped[Decimal | None] = mapped_column(Amount())
    # The catalogue price when ordered; a unit_price that differs was set by hand (see
    # portal.access.permissions.can_set_prices). Empty on lines from before it was kept.
    list_price: Mapped[Decimal | None] = mapped_column(Amount())
    reject_reason: Mapped[str | None] = mapped_column(String(500))  # the supplier's, when rejected
    requested_date: Mapped[date | None] = mapped_column(Date)
    promised_date: Mapped[date | None] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(default=False)
    # A supplier's change beyond its tolerance, awaiting the buyer's review (issue #17): the answer
    # it proposes. The figures above stay the agreed ones until the buyer accepts it.
    proposed_response: Mapped[LineResponse | None] = mapped_column(enum_type(LineResponse))
    proposed_quantity: Mapped[Decimal | None] = mapped_column(Amount())
    proposed_price: Mapped[Decimal | None] = mapped_column(Amount())
    proposed_date: Mapped[date | None] = mapped_column(Date)
    proposed_reason: Mapped[str | None] = mapped_column(String(500))  # why the supplier rejects
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The buyer's last decision on a change (shown to the supplier until the next change).
    review_outcome: Mapped[ReviewOutcome | None] = mapped_column(enum_type(ReviewOutcome))
    review_reason: Mapped[str | None] = mapped_column(String(500))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The agreed deliveries of a split line (see `make_schedule`; None: not split, due on the promised
    # date) and the split a supplier proposes, awaiting the buyer's review with the proposal above.
    schedule: Mapped[list[dict[str, str]] | None] = mapped_column(SCHEDULE)
    proposed_schedule: Mapped[list[dict[str, str]] | None] = mapped_column(SCHEDULE)

    @property
    def proposed_amount(self) -> Decimal:
        """The net amount if the buyer accepted the change awaiting review (else `net_amount`)."""
        if not self.awaiting_review:
            return self.net_amount
        if self.proposed_response is LineResponse.REJECTED:
            return Decimal(0)
        quantity = self.proposed_quantity if self.proposed_quantity is not None else self.quantity_ordered
        price = self.proposed_price if self.proposed_price is not None else self.unit_price
        return quantity * price

    @property
    def deliveries(self) -> list[tuple[Decimal, date]]:
        """The agreed deliveries of a split line, (quantity, date) by date; [] when not split."""
        return schedule_parts(self.schedule)

    @property
    def proposed_deliveries(self) -> list[tuple[Decimal, date]]:
        """The deliveries of a split awaiting the buyer's review."""
        return schedule_parts(self.proposed_schedule)

    @property
    def price_overridden(self) -> bool:
        """Whether the unit price was set by hand instead of taken from the catalogue."""
        return self.list_price is not None and self.unit_price != self.list_price

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class OrderFacts(Protocol):
    cancelled_at: datetime | None
    supplier_id: int | None
    requested_date: date | None  # a line without a date of its own is due then


def derive_status(order: OrderFacts, lines: Sequence[LineRules]) -> OrderStatus:
    """The order's status from its lines' quantities and responses."""
    if order.cancelled_at is not None:
        return OrderStatus.CANCELLED
    live = [line for line in lines if not line.cancelled]
    if not live:
        return OrderStatus.CANCELLED
    if order.supplier_id is None:
        return OrderStatus.DRAFT
    answered = [line for line in live if line.response is not LineResponse.PENDING]
    if not answered:
        return OrderStatus.AWAITING_CONFIRMATION
    if all(line.response is LineResponse.REJECTED for line in live):
        return OrderStatus.REJECTED
    deliverable = [line for line in live if line.effective_quantity > 0]
    if deliverable and all(line.quantity_invoiced >= line.effective_quantity for line in deliverable):
        return OrderStatus.INVOICED
    if any(line.quantity_invoiced > 0 for line in live):
        return OrderStatus.PARTIALLY_INVOICED
    if deliverable and all(line.quantity_shipped >= line.effective_quantity for line in deliverable):
        return OrderStatus.SHIPPED
    if any(line.quantity_shipped > 0 for line in live):
        return OrderStatus.PARTIALLY_SHIPPED
    if len(answered) < len(live):
        return OrderStatus.PARTIALLY_CONFIRMED
    return OrderStatus.CONFIRMED


def order_total(lines: Sequence[LineRules]) -> Decimal:
    """The net total of the lines: effective quantity times effective price (cancelled and
    rejected lines count zero)."""
    return sum((line.net_amount for line in lines), Decimal(0))


def earliest_open_due(order: OrderFacts, lines: Sequence[LineRules]) -> date | None:
    """The earliest due day (:func:`line_due`: a split line's first delivery not yet shipped, else the
    promised date, else the line's requested date, else the order's) of the order's live, not
    rejected lines that are not fully shipped; None when no such line has a date, and for an order
    that is not routed or is cancelled. An order is late on ``today`` when this is before it."""
    if order.cancelled_at is not None or order.supplier_id is None:
        return None
    dues = [
        line_due(line, order.requested_date)
        for line in lines
        if not line.cancelled
        and line.response is not LineResponse.REJECTED
        and line.quantity_shipped
        < (line.quantity_confirmed if line.quantity_confirmed is not None else line.quantity_ordered)
    ]
    return min((due for due in dues if due is not None), default=None)


def awaits_confirmation(order: OrderFacts, lines: Sequence[LineRules]) -> bool:
    """Routed, not cancelled, and a live line still pending the supplier's answer (a line whose
    answer awaits the buyer's review no longer waits for the supplier)."""
    if order.cancelled_at is not None or order.supplier_id is None:
        return False
    return any(
        not line.cancelled and line.response is LineResponse.PENDING and line.proposed_response is None
        for line in lines
    )


def awaits_review(order: OrderFacts, lines: Sequence[LineRules]) -> bool:
    """Routed, not cancelled, and a live line's change awaits the buyer's review."""
    if order.cancelled_at is not None or order.supplier_id is None:
        return False
    return any(line.awaiting_review for line in lines)


@event.listens_for(Session, "before_flush")
def keep_summaries_current(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Recompute the stored facts (``current_status``, ``net_total``, ``earliest_open_due``,
    ``awaiting_confirmation``, ``awaiting_review``) of every order touched in this flush: new or
    changed orders and the orders of new, changed or deleted lines; and move the dashboard tallies
    (:mod:`portal.models.tallies`) of those orders and of new, changed or deleted invoices by what
    changed. Lines not yet loaded are read first (without autoflush, so the pending changes in
    memory are what counts)."""
    new, dirty, deleted = list(session.new), list(session.dirty), list(session.deleted)
    orders: dict[int, Order] = {}  # by id(): new orders have no primary key yet
    added: dict[int, list[OrderLine]] = {}  # new lines by order id, for orders whose lines are not loaded
    gone = {id(obj) for obj in deleted}
    with session.no_autoflush:
        for obj in new:
            if isinstance(obj, Invoice):
                _apply_invoice_defaults(obj)
            if isinstance(obj, OrderLine):
                _apply_line_defaults(obj)
                if "order" not in obj.__dict__ and obj.order_id is not None:
                    added.setdefault(obj.order_id, []).append(obj)
        for obj in (*new, *dirty, *deleted):
            order = (
                obj
                if isinstance(obj, Order)
                else _order_of(session, obj)
                if isinstance(obj, OrderLine)
                else None
            )
            if order is not None:
                orders[id(order)] = order
        deltas = Deltas()
        before = {key: _order_figures_before(order) for key, order in orders.items()}
        recompute(session, [order for order in orders.values() if id(order) not in gone], added, gone)
        for key, order in orders.items():
            deltas.change(ORDERS, before[key], None if key in gone else _order_figures(order))
        for obj in (*new, *dirty, *deleted):
            if isinstance(obj, Invoice):
                after = None if id(obj) in gone else _invoice_figures(obj)
                deltas.change(INVOICES, _invoice_figures_before(obj), after)
        deltas.write(session.connection())


@event.listens_for(Session, "do_orm_execute")
def keep_summaries_current_in_bulk(state: ORMExecuteState) -> Any:
    """The same for an UPDATE or DELETE statement on orders, lines or invoices run through a
    session (``session.execute(update(OrderLine).where(...).values(...))``): the affected orders'
    facts are recomputed (written by the next flush, which moves their tallies), and what the
    statement itself changed in the tallied columns of orders and invoices is moved here.
    An INSERT statement, or a statement run on a Connection, is not seen: after such bulk
    writes run :func:`portal.summaries.rebuild` (``portal stats rebuild``)."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    model = state.bind_mapper.class_
    if model not in (Order, OrderLine, Invoice):
        return None
    session = state.session
    where = getattr(state.statement, "whereclause", None)
    key = {Order: Order.id, OrderLine: OrderLine.order_id, Invoice: Invoice.id}[model]
    with session.no_autoflush:
        ids = set(session.scalars(select(key).where(*([] if where is None else [where]))))
        if not ids:
            return None
        figures = _figures_in_database(session, model, ids)
        result = state.invoke_statement()
        if model is not OrderLine:
            deltas = Deltas()
            after = _figures_in_database(session, model, ids)
            kind = INVOICES if model is Invoice else ORDERS
            for ident in ids:
                deltas.change(kind, figures.get(ident), after.get(ident))
            deltas.write(session.connection())
        if model is not Invoice:
            fresh = session.scalars(
                select(Order).where(Order.id.in_(ids)).execution_options(populate_existing=True)
            ).all()
            session.scalars(
                select(OrderLine).where(OrderLine.order_id.in_(ids)).execution_options(populate_existing=True)
            ).all()
            recompute(session, fresh)
    return result


def _figures_in_database(session: Session, model: type[Any], ids: set[int]) -> dict[int, Any]:
    if model is Invoice:
        rows = session.execute(
            select(Invoice.id, *(getattr(Invoice, name) for name in _INVOICE_FIGURES)).where(
                Invoice.id.in_(ids)
            )
        )
        return {row[0]: _invoice_tallied(*row[1:]) for row in rows}
    if model is Order:
        order_rows = session.execute(
            select(
                Order.id,
                Order.dealer_id,
                Order.supplier_id,
                Order.order_date,
                Order.current_status,
                Order.awaiting_confirmation,
                Order.awaiting_review,
                Order.earliest_open_due,
            ).where(Order.id.in_(ids))
        )
        return {
            ident: OrderFigures(dealer, supplier, day, str(status), bool(awaiting), bool(review), due)
            for ident, dealer, supplier, day, status, awaiting, review, due in order_rows
        }
    return {}


def recompute(
    session: Session,
    orders: Iterable[Order],
    added: dict[int, list[OrderLine]] | None = None,
    gone: set[int] | None = None,
) -> None:
    """Set the stored facts of ``orders`` from their lines (in memory where loaded, else read)."""
    for order in orders:
        if "lines" in order.__dict__:
            lines = list(order.lines)
        elif order.id is None:
            lines = []
        else:
            with session.no_autoflush:
                lines = list(session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)))
            lines += [line for line in (added or {}).get(order.id, ()) if line not in lines]
        lines = [line for line in lines if id(line) not in (gone or ())]
        facts = {
            "current_status": derive_status(order, lines),
            "net_total": order_total(lines),
            "earliest_open_due": earliest_open_due(order, lines),
            "awaiting_confirmation": awaits_confirmation(order, lines),
            "awaiting_review": awaits_review(order, lines),
        }
        for name, value in facts.items():
            if name not in order.__dict__ or order.__dict__[name] != value:
                setattr(order, name, value)


def _previous(obj: Any, names: Sequence[str]) -> list[Any] | None:
    """The values of ``names`` as the database holds them before this flush (None: a new object)."""
    state = inspect(obj)
    if state.key is None:
        return None
    values = []
    for name in names:
        history = state.attrs[name].load_history()
        if history.deleted:
            values.append(history.deleted[0])
        elif history.unchanged:
            values.append(history.unchanged[0])
        else:  # never set: a default the flush fills in
            values.append(None)
    return values


_ORDER_FIGURES = (
    "dealer_id",
    "supplier_id",
    "order_date",
    "current_status",
    "awaiting_confirmation",
    "awaiting_review",
    "earliest_open_due",
)
_INVOICE_FIGURES = ("supplier_id", "due_date", "amount_owed", "match_status", "status")


def _order_figures_before(order: Order) -> OrderFigures | None:
    values = _previous(order, _ORDER_FIGURES)
    if values is None:
        return None
    dealer_id, supplier_id, order_date, status, awaiting, review, due = values
    return OrderFigures(dealer_id, supplier_id, order_date, str(status), bool(awaiting), bool(review), due)


def _order_figures(order: Order) -> OrderFigures:
    return OrderFigures(
        order.dealer_id,
        order.supplier_id,
        order.order_date,
        str(order.current_status),
        bool(order.awaiting_confirmation),
        bool(order.awaiting_review),
        order.earliest_open_due,
    )


def _invoice_tallied(
    supplier_id: int, due_date: date | None, owed: Decimal, match_status: Any, status: Any
) -> InvoiceFigures | None:
    """What an invoice adds to the tallies: an open one (received, disputed, approved) what it
    still owes; a closed one (rejected, paid, credited) nothing."""
    if status is None or InvoiceStatus(str(status)) not in OPEN_INVOICE_STATUSES:
        return None
    return InvoiceFigures(supplier_id, due_date, owed, str(match_status) == MatchStatus.OVER_BILLED)


def _invoice_figures_before(invoice: Invoice) -> InvoiceFigures | None:
    values = _previous(invoice, _INVOICE_FIGURES)
    if values is None:
        return None
    return _invoice_tallied(*values)


def _invoice_figures(invoice: Invoice) -> InvoiceFigures | None:
    return _invoice_tallied(*(getattr(invoice, name) for name in _INVOICE_FIGURES))


def _apply_invoice_defaults(invoice: Invoice) -> None:
    """The workflow's defaults of a new invoice, needed by its tally before the INSERT."""
    if invoice.status is None:
        invoice.status = InvoiceStatus.RECEIVED
    if invoice.amount_credited is None:
        invoice.amount_credited = Decimal(0)
    if invoice.amount_paid is None:
        invoice.amount_paid = Decimal(0)
    if invoice.amount_owed is None:
        invoice.amount_owed = invoice.gross_total - invoice.amount_credited - invoice.amount_paid


def _order_of(session: Session, line: OrderLine) -> Order | None:
    order = line.__dict__.get("order")
    if order is None and line.order_id is not None:
        with session.no_autoflush:
            order = session.get(Order, line.order_id)
    return order


def _apply_line_defaults(line: OrderLine) -> None:
    """Column defaults apply at INSERT; the summary of a pending line needs them now."""
    if line.cancelled is None:
        line.cancelled = False
    if line.response is None:
        line.response = LineResponse.PENDING
    if line.quantity_shipped is None:
        line.quantity_shipped = Decimal(0)
    if line.quantity_invoiced is None:
        line.quantity_invoiced = Decimal(0)
    if line.quantity_received is None:
        line.quantity_received = Decimal(0)
