"""Ship notices and supplier invoices, both referencing order lines."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Amount, Base, UTCDateTime, enum_type, sort_indexes, utcnow


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("supplier_id", "number"),
        *sort_indexes(
            "shipments",
            "created_at",
            "shipped_on",
            "number",
            ("supplier_id", "created_at"),
            ("supplier_id", "shipped_on"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    shipped_on: Mapped[date] = mapped_column(Date)
    expected_delivery: Mapped[date | None] = mapped_column(Date)
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    packages: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", lazy="raise", order_by="ShipmentLine.id", cascade="all, delete-orphan"
    )


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Amount())
    batch_number: Mapped[str | None] = mapped_column(String(64))
    sscc: Mapped[str | None] = mapped_column(String(18))

    shipment: Mapped[Shipment] = relationship(back_populates="lines", lazy="raise")


class MatchStatus(enum.StrEnum):
    """Three-way match of an invoice against order and shipments."""

    MATCHED = "matched"
    OVER_BILLED = "over_billed"  # some line bills more than was shipped: flagged for owner review
    # Nothing billed beyond what was shipped, but some line bills more than the receiving side
    # accepted in its goods receipts (issue #17.3; compared once the order has a receipt).
    ABOVE_RECEIVED = "above_received"


class InvoiceStatus(enum.StrEnum):
    """Where an invoice stands in the owner's review and payment (issue #17.4). Open (counted on the
    dashboard, ``state=open``): received, disputed, approved. Closed: rejected, paid (payments cover
    what is owed), credited (credit notes cover what is owed)."""

    RECEIVED = "received"  # waiting for the owner's review
    DISPUTED = "disputed"  # the owner asked the supplier a question (the thread)
    APPROVED = "approved"  # to be paid (payment_scheduled_on: when)
    REJECTED = "rejected"
    PAID = "paid"
    CREDITED = "credited"


OPEN_INVOICE_STATUSES = frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.DISPUTED, InvoiceStatus.APPROVED})


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("supplier_id", "number"),
        *sort_indexes(
            "invoices",
            "created_at",
            "issue_date",
            "number",
            ("supplier_id", "created_at"),
            ("supplier_id", "issue_date"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    # active_history on what the dashboard tallies count (portal.models.tallies): the flush hook
    # needs the value before a change.
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True, active_history=True)
    number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, active_history=True)
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(Amount())
    tax_total: Mapped[Decimal] = mapped_column(Amount())
    gross_total: Mapped[Decimal] = mapped_column(Amount(), active_history=True)
    match_status: Mapped[MatchStatus] = mapped_column(enum_type(MatchStatus), active_history=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The workflow (portal.invoicing): status, what credit notes and payments took off the gross
    # total, and what is still owed (gross - credited - paid; the dashboard sums it).
    status: Mapped[InvoiceStatus] = mapped_column(
        enum_type(InvoiceStatus), default=InvoiceStatus.RECEIVED, active_history=True
    )
    amount_credited: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    amount_paid: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    # Set at the first flush from the totals (portal.models.orders.keep_summaries_current).
    amount_owed: Mapped[Decimal] = mapped_column(Amount(), active_history=True)
    payment_scheduled_on: Mapped[date | None] = mapped_column(Date)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)
    # Two reviewers at once: the second's write finds another version (StaleDataError -> Conflict).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INVOICE_STATUSES

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", lazy="raise", order_by="InvoiceLine.id", cascade="all, delete-orphan"
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Amount())
    unit_price: Mapped[Decimal] = mapped_column(Amount())
    net_amount: Mapped[Decimal] = mapped_column(Amount())
    tax_rate: Mapped[Decimal] = mapped_column(Amount())
    # Quantity billed beyond what was shipped at the time of the invoice (three-way match).
    excess_quantity: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))

    invoice: Mapped[Invoice] = relationship(back_populates="lines", lazy="raise")
