"""Tasks (something to do by a day, assigned to one person) and each user's calendar feed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, sort_indexes, utcnow


class Task(Base):
    """A task of one organization, assigned to one of its users, due on a day (not a moment: a
    task is done "by Friday"; appointments have times). ``customer_id`` links it to a customer;
    ``done_at`` is set while it is done."""

    __tablename__ = "tasks"
    __table_args__ = sort_indexes(
        "tasks",
        "due_on",
        "created_at",
        "updated_at",
        ("organization_id", "due_on"),  # an external organization's list
        ("assignee_id", "due_on"),  # "my day", the week and the calendar feed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CalendarFeed(Base):
    """A user's secret iCalendar address: only the SHA-256 of its token is kept (the address is
    shown once, when it is made); deleting the row revokes it, a new token replaces it."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
