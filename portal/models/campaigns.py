"""Campaigns (issue #18.5), the customer segments they target (saved filters of the customers list),
and the customers a campaign reaches (its segment's members, taken from the filter)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Amount, Base, UTCDateTime, sort_indexes, utcnow


class CampaignChannel(enum.StrEnum):
    EMAIL = "email"
    EVENT = "event"
    TRADE_FAIR = "trade_fair"
    PRINT = "print"
    ONLINE = "online"
    PHONE = "phone"


class CampaignStatus(enum.StrEnum):
    """Derived from the period and today's date (Berlin calendar), never stored."""

    PLANNED = "planned"  # starts after today
    RUNNING = "running"  # today lies in the period
    ENDED = "ended"  # its last day has passed


def campaign_status(starts_on: date | None, ends_on: date | None, today: date) -> CampaignStatus:
    if starts_on is not None and starts_on > today:
        return CampaignStatus.PLANNED
    if ends_on is not None and ends_on < today:
        return CampaignStatus.ENDED
    return CampaignStatus.RUNNING


class Segment(Base):
    """A saved filter of the customers list (``portal.customers.queries.CustomerQuery`` as JSON)."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Campaign(Base):
    """A marketing campaign; leads name the one they came from (``leads.campaign_id``), and so do the
    opportunities those leads became (``opportunities.campaign_id``)."""

    __tablename__ = "campaigns"
    __table_args__ = sort_indexes("campaigns", "created_at")  # name: unique; few rows by start

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(50), default="")  # a CampaignChannel value
    budget: Mapped[Decimal] = mapped_column(Amount(), default=Decimal(0))  # EUR
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The segment it targets: its filter and name are copied, so the campaign keeps its target when
    # the segment is deleted (the service then sets segment_id to null).
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"), index=True)
    segment_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    segment_filter: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # When campaign_members was last taken from the filter (null: never, no segment).
    members_counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CampaignMember(Base):
    """A customer the campaign's segment holds: what "the campaign touches this customer" means to
    the access policy (a dealer sees a campaign that touches a customer shared with it)."""

    __tablename__ = "campaign_members"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
