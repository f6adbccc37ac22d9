"""Leads and their distribution to dealers (issue #18.2) and the dealers' territories; a lead names
the campaign it came from (``portal.models.campaigns``)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, enum_type, sort_indexes, utcnow


class LeadStatus(enum.StrEnum):
    NEW = "new"  # waiting in marketing's queue: no dealer (yet)
    OFFERED = "offered"  # offered to ``dealer_id``, answer due by ``answer_due_at``
    ACCEPTED = "accepted"  # the dealer works it
    DECLINED = "declined"  # back in marketing's queue: every dealer in reach declined or let it expire
    CONVERTED = "converted"  # became a customer and an opportunity
    DISQUALIFIED = "disqualified"  # marketing gave up on it


# Leads a dealer has on its plate: what its capacity counts.
OPEN_LEAD_STATUSES = (LeadStatus.OFFERED, LeadStatus.ACCEPTED)
# Leads without a dealer, in marketing's queue.
QUEUED_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.DECLINED)
# Leads a dealer sees: those offered to it, accepted by it, converted by it.
DEALER_LEAD_STATUSES = (LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONVERTED)


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = sort_indexes(
        "leads",
        "created_at",
        "updated_at",
        "company",
        ("dealer_id", "created_at"),
        ("status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    country_code: Mapped[str] = mapped_column(String(2), default="DE")
    region: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(100), default="")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[LeadStatus] = mapped_column(enum_type(LeadStatus), default=LeadStatus.NEW, index=True)
    # The dealer it is offered to, accepted by or converted by; None while in marketing's queue.
    dealer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disqualified_reason: Mapped[str | None] = mapped_column(Text)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)  # converted
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"), index=True)
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class OfferOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"  # no answer by the deadline: routed on by the worker
    WITHDRAWN = "withdrawn"  # marketing took it back (reassigned or disqualified it)


class LeadOffer(Base):
    """The assignment history of a lead: each dealer it was offered to and how that ended."""

    __tablename__ = "lead_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    dealer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_hand: Mapped[bool] = mapped_column(Boolean, default=False)  # reassigned by marketing
    outcome: Mapped[OfferOutcome | None] = mapped_column(enum_type(OfferOutcome))
    reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Territory(Base):
    """A dealer's territory for lead distribution: postal-code ranges per country and regions, and
    how many open leads (offered or accepted) it takes at most. One per dealer organization."""

    __tablename__ = "lead_territories"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    # ["DE 20000-22999", "AT 1010"]: country, then a postal code or a range of them
    postal_ranges: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)  # "DE-HH", "AT" (a whole country)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
