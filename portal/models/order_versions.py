"""The versions of an order as the buyer sent it (issue #17, part 2).

An order that is changed or cancelled after routing keeps every version: version 1 is the order as
it was routed (written when the first change comes, from the lines as they were), each change or
cancellation adds the next. A version holds what the buyer asked for (the lines' quantities,
dates and prices, which lines are cancelled), not the supplier's answers, and what changed against
the version before it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, enum_type, utcnow


class VersionKind(enum.StrEnum):
    ORIGINAL = "original"  # the order as it was routed to the supplier
    CHANGED = "changed"  # lines added, changed or cancelled
    CANCELLED = "cancelled"  # the whole order cancelled


class LineChangeKind(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    CANCELLED = "cancelled"


class OrderVersion(Base):
    __tablename__ = "order_versions"
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per order
    kind: Mapped[VersionKind] = mapped_column(enum_type(VersionKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)  # the buyer's reason, sent to the supplier
    # The lines of this version: [{"line_no", "sku", "description", "unit", "quantity", "unit_price",
    # "requested_date", "cancelled"}] (decimals and dates as text).
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # What changed against the version before: [{"line_no", "change": added|changed|cancelled,
    # "quantity": [old, new], "requested_date": [old, new]}]; empty for version 1.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
