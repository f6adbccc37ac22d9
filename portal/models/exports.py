"""Prepared CSV exports (issue #15): a list too long to stream while the user waits is written by
the worker into a file kept in the database for a week.

An :class:`Export` belongs to the user who asked for it, and only to that user (not to the user's
organization: the filter and the rows are what that user saw). Its bytes are a row of
:data:`export_contents`, written and read only through `portal.exchange.contents` (in chunks), like
the bytes of exchange files.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, enum_type, utcnow


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Export(Base):
    __tablename__ = "exports"
    __table_args__ = (
        Index("ix_exports_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_exports_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    list_name: Mapped[str] = mapped_column(String(32))  # one of portal.web.views.lists.SPECS
    # The list's query string as [[name, value], ...] (filters, search, sort), without the cursor.
    params: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    dialect: Mapped[str] = mapped_column(String(16))  # portal.web.csv_dialect: "comma" or "semicolon"
    locale: Mapped[str] = mapped_column(String(8))  # column titles and labels in this language
    status: Mapped[ExportStatus] = mapped_column(enum_type(ExportStatus), default=ExportStatus.QUEUED)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    def query_items(self) -> list[tuple[str, str]]:
        return [(str(name), str(value)) for name, value in self.params]

    def __repr__(self) -> str:
        return f"<Export {self.id} {self.list_name} {self.status}>"


# The file of a finished export: same shape as exchange_contents (``export_id`` is SQLite's rowid,
# which incremental blob I/O opens a row by).
export_contents = Table(
    "export_contents",
    Base.metadata,
    Column("export_id", ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

__all__: list[Any] = ["Export", "ExportStatus", "export_contents"]
