"""The invoice workflow's rows (issue #17.4 and 17.5): payments, the dispute thread, credit notes.

Each belongs to one supplier invoice and is seen exactly where its invoice is
(`portal.access.policy`): by the owner's staff and the supplier that issued the invoice.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Amount, Base, UTCDateTime, enum_type, utcnow


class InvoicePayment(Base):
    """One payment of an invoice (several make a partial payment)."""

    __tablename__ = "invoice_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Amount())
    reference: Mapped[str | None] = mapped_column(String(140))  # the bank transfer's reference
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MessageKind(enum.StrEnum):
    DISPUTE = "dispute"  # the owner's question or objection (the invoice becomes disputed)
    ANSWER = "answer"  # the supplier's answer
    REJECTION = "rejection"  # the owner's reason for rejecting the invoice


class InvoiceMessage(Base):
    """One message of an invoice's thread between the owner's staff and the supplier."""

    __tablename__ = "invoice_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MessageKind] = mapped_column(enum_type(MessageKind))
    body: Mapped[str] = mapped_column(Text)
    author_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("credit_notes.id"))  # an answer's
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CreditNote(Base):
    """A credit note of the supplier against one of its invoices: reduces what is owed."""

    __tablename__ = "credit_notes"
    __table_args__ = (UniqueConstraint("supplier_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(Amount())
    tax_total: Mapped[Decimal] = mapped_column(Amount())
    gross_total: Mapped[Decimal] = mapped_column(Amount())
    reason: Mapped[str | None] = mapped_column(Text)
    exchange_record_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_records.id"))  # by EDI
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
