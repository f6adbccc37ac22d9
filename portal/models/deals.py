"""Deal registrations (issue #18.3): a dealer registers a deal on a prospect; the owner's sales staff
approve it (the dealer is protected for the prospect until a day) or reject it with a reason."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Amount, Base, UTCDateTime, enum_type, sort_indexes, utcnow


class DealStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class DealRegistration(Base):
    __tablename__ = "deal_registrations"
    __table_args__ = sort_indexes(
        "deal_registrations",
        "created_at",
        "updated_at",
        "expected_close",
        "amount",
        ("dealer_id", "created_at"),
        ("status", "protected_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # The registering dealer (or partner) and the user who registered it (None: an API token).
    dealer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    registered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The prospect as the dealer typed it; name_key and vat_id as the duplicate check compares them
    # (portal.customers.duplicates), indexed for the conflict check between registrations.
    prospect_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    vat_id: Mapped[str | None] = mapped_column(String(32), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    country_code: Mapped[str] = mapped_column(String(2), default="DE")
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(Text)  # the deal and the products it is about
    amount: Mapped[Decimal] = mapped_column(Amount())  # expected, in currency (EUR)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    expected_close: Mapped[date] = mapped_column(Date)
    status: Mapped[DealStatus] = mapped_column(
        enum_type(DealStatus), default=DealStatus.SUBMITTED, index=True
    )
    decided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)  # required to reject; the dealer reads it
    protected_until: Mapped[date | None] = mapped_column(Date)  # approved: the last protected day
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def shown_status(self, today: date) -> DealStatus:
        """The status as pages show it: an approval whose protection has passed is "expired" even
        before the scheduler has marked it so."""
        if (
            self.status is DealStatus.APPROVED
            and self.protected_until is not None
            and self.protected_until < today
        ):
            return DealStatus.EXPIRED
        return self.status
