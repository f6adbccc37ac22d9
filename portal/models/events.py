"""The transactional outbox: one row per change, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class Event(Base):
    __tablename__ = "events"
    # An entity's history (an order's timeline, the latest state of a changed entity) is read by it.
    # Outbound EDI reads only the kinds it sends, after its cursor (portal.exchange.outbound).
    __table_args__ = (
        Index("ix_events_entity_entity_id", "entity", "entity_id"),
        Index("ix_events_kind_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(64))  # "order.confirmed"
    entity: Mapped[str] = mapped_column(String(32))  # "order"
    entity_id: Mapped[int] = mapped_column(Integer)
    actor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Counter(Base):
    """Named sequences (order numbers, case numbers, EDI control numbers per partner)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
