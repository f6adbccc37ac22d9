"""The in-app inbox and each user's choices of what to be told (portal.notify writes and reads them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class Notification(Base):
    """One thing one user is told about, once per channel.

    ``event_id`` is the outbox event it came from; a time-based occasion (an SLA breach, a
    reminder) has no event but an ``occasion`` key naming the item and the moment ("case:7:
    sla_breached:2026-12-06T10:00"). Either key is unique per user and channel, so the notifier
    may run a batch twice (at-least-once) and still inserts each row once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "channel", name="uq_notifications_event_user_channel"),
        UniqueConstraint("occasion", "user_id", "channel", name="uq_notifications_occasion_user_channel"),
        # The bell on every page: a user's unread count, from the index alone.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16), default="inbox")  # inbox; email: only mailed
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    occasion: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))  # a portal.notify.rules kind: "order_routed"
    entity: Mapped[str] = mapped_column(String(32))  # what it links to: "order"
    entity_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # for the title (number, ...)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # none: no e-mail; pending: to be mailed now; digest: in the next daily digest; sent.
    email_state: Mapped[str] = mapped_column(String(16), default="none")


class NotificationPreference(Base):
    """A user's choice for one kind; without a row the kind's default for the user's roles holds."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    inbox: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str] = mapped_column(String(16), default="off")  # immediate, digest, off
    lead_minutes: Mapped[int | None] = mapped_column(Integer)  # appointment reminders only
