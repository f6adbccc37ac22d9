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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column, relationship

from portal.models.base import Amount, Base, UTCDateTime, enum_type, sort_indexes, utcnow


class LineResponse(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CHANGED = "changed"
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
    __table_args__ = sort_indexes(
        "orders",
        "created_at",
        "updated_at",
        "order_date",  # number: its unique index
        *(
            (org, sort)
            for org in ("dealer_id", "supplier_id")
            for sort in ("created_at", "updated_at", "order_date", "number")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    customer_reference: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    order_date: Mapped[date] = mapped_column(Date)
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
        enum_type(OrderStatus), default=OrderStatus.DRAFT, index=True
    )
    net_total: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.line_no", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def status(self, lines: Sequence[LineRules] | None = None) -> OrderStatus:
        return derive_status(self, self.lines if lines is None else lines)

    @property
    def total(self) -> Decimal:
        return order_total(self.lines)


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
    response: Mapped[LineResponse] = mapped_column(enum_type(LineResponse), default=LineResponse.PENDING)
    confirmed_price: Mapped[Decimal | None] = mapped_column(Amount())
    # The catalogue price when ordered; a unit_price that differs was set by hand (see
    # portal.access.permissions.can_set_prices). Empty on lines from before it was kept.
    list_price: Mapped[Decimal | None] = mapped_column(Amount())
    reject_reason: Mapped[str | None] = mapped_column(String(500))  # the supplier's, when rejected
    requested_date: Mapped[date | None] = mapped_column(Date)
    promised_date: Mapped[date | None] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(default=False)

    @property
    def price_overridden(self) -> bool:
        """Whether the unit price was set by hand instead of taken from the catalogue."""
        return self.list_price is not None and self.unit_price != self.list_price

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class OrderFacts(Protocol):
    cancelled_at: datetime | None
    supplier_id: int | None


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


@event.listens_for(Session, "before_flush")
def keep_summaries_current(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Recompute ``current_status`` and ``net_total`` of every order touched in this flush: new or
    changed orders and the orders of new, changed or deleted lines. Lines not yet loaded are read
    first (without autoflush, so the pending changes in memory are what counts)."""
    new, dirty, deleted = list(session.new), list(session.dirty), list(session.deleted)
    orders: dict[int, Order] = {}  # by id(): new orders have no primary key yet
    added: dict[int, list[OrderLine]] = {}  # new lines by order id, for orders whose lines are not loaded
    gone = {id(obj) for obj in deleted}
    for obj in new:
        if isinstance(obj, OrderLine):
            _apply_line_defaults(obj)
            if "order" not in obj.__dict__ and obj.order_id is not None:
                added.setdefault(obj.order_id, []).append(obj)
    for obj in (*new, *dirty, *deleted):
        order = (
            obj if isinstance(obj, Order) else _order_of(session, obj) if isinstance(obj, OrderLine) else None
        )
        if order is not None and id(order) not in gone:
            orders[id(order)] = order
    for order in orders.values():
        if "lines" in order.__dict__:
            lines = list(order.lines)
        elif order.id is None:
            lines = []
        else:
            with session.no_autoflush:
                lines = list(session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)))
            lines += [line for line in added.get(order.id, ()) if line not in lines]
        lines = [line for line in lines if id(line) not in gone]
        status, total = derive_status(order, lines), order_total(lines)
        if order.__dict__.get("current_status") != status:
            order.current_status = status
        if order.__dict__.get("net_total") != total:
            order.net_total = total


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
