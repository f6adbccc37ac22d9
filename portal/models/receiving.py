"""Goods receipts: what the receiving side counted per order line (issue #17.3)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Amount, Base, UTCDateTime, enum_type, utcnow


class ReceiptReason(enum.StrEnum):
    """Why a receipt line differs from what was shipped (RECADV / 861 discrepancy codes map here)."""

    SHORT = "short"  # fewer arrived than were shipped
    DAMAGED = "damaged"  # arrived, some of it unusable
    WRONG_ITEM = "wrong_item"
    OTHER = "other"


class GoodsReceipt(Base):
    __tablename__ = "goods_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    # The order's supplier, kept here for the access rule (a supplier sees the receipts of its orders).
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    # The organization that counted the goods (the owner, or the dealer the order was delivered to).
    received_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(500))
    # Some line has damages or a shortfall (the supplier is notified).
    has_discrepancy: Mapped[bool] = mapped_column(default=False)
    # Some line counts more than was shipped: stored as counted, and flagged.
    over_received: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    lines: Mapped[list[GoodsReceiptLine]] = relationship(
        back_populates="receipt", lazy="raise", order_by="GoodsReceiptLine.id", cascade="all, delete-orphan"
    )


class GoodsReceiptLine(Base):
    __tablename__ = "goods_receipt_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("goods_receipts.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    # Counted in all; of these, ``quantity_damaged`` are unusable. What is accepted (and what the
    # three-way match compares the invoice with) is the difference.
    quantity: Mapped[Decimal] = mapped_column(Amount())
    quantity_damaged: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    # Accepted beyond what had been shipped of the line when counted.
    excess_quantity: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    # Counted fewer than the ship notice announced for the line (when the receipt refers to one).
    shortfall_quantity: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))
    reason: Mapped[ReceiptReason | None] = mapped_column(enum_type(ReceiptReason))
    note: Mapped[str | None] = mapped_column(String(500))

    receipt: Mapped[GoodsReceipt] = relationship(back_populates="lines", lazy="raise")

    @property
    def quantity_accepted(self) -> Decimal:
        return self.quantity - self.quantity_damaged
