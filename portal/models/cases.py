"""Support cases with comments and attachments."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, enum_type, sort_indexes, utcnow


class CasePriority(enum.StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


SLA = {
    CasePriority.URGENT: timedelta(hours=4),
    CasePriority.HIGH: timedelta(hours=8),
    CasePriority.NORMAL: timedelta(hours=24),
    CasePriority.LOW: timedelta(hours=72),
}


class CaseCategory(enum.StrEnum):
    """What a case is about (a small fixed set, for filtering and routing)."""

    COMPLAINT = "complaint"
    QUESTION = "question"
    RETURN = "return"
    TECHNICAL = "technical"
    OTHER = "other"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_CASE_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING})
# The open statuses as the predicate of a partial index.
OPEN_CASES_WHERE = "status IN ('open', 'in_progress', 'waiting')"


class Case(Base):
    __tablename__ = "cases"
    # number: its unique index; priority: a CASE over the enum, sorted in memory-sized case lists
    # The dashboard's case tiles (issue #15): the open cases by SLA end (the near-SLA list and
    # count, an index range), and the resolved ones by resolution time (SLA compliance, counted
    # from the index alone).
    __table_args__ = (
        *sort_indexes("cases", "created_at", "updated_at", "sla_due_at"),
        Index(
            "ix_cases_open_sla_due_at_id",
            "sla_due_at",
            "id",
            postgresql_where=text(OPEN_CASES_WHERE),
            sqlite_where=text(OPEN_CASES_WHERE),
        ),
        Index(
            "ix_cases_resolved_at_sla_due_at",
            "resolved_at",
            "sla_due_at",
            postgresql_where=text("resolved_at IS NOT NULL"),
            sqlite_where=text("resolved_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    priority: Mapped[CasePriority] = mapped_column(enum_type(CasePriority))
    category: Mapped[CaseCategory] = mapped_column(
        enum_type(CaseCategory),
        default=CaseCategory.OTHER,
        server_default=CaseCategory.OTHER.value,
        index=True,
    )
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus), default=CaseStatus.OPEN, index=True, active_history=True
    )
    # One external organization at a time; None = the owner's own queue.
    routed_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id"), index=True, active_history=True
    )
    opened_by_org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id"), index=True, active_history=True
    )
    opened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, active_history=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), active_history=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    comments: Mapped[list[CaseComment]] = relationship(
        lazy="raise", order_by="CaseComment.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseComment(Base):
    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)  # owner staff only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseAttachment(Base):
    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    uploaded_by_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    internal: Mapped[bool] = mapped_column(default=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
