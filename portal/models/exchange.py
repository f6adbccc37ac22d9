"""B2B file exchange: per-organization profiles and the exchange ledger.

Every file that comes in or goes out is an :class:`ExchangeRecord` with its size and sha256; its raw
bytes are a row of :data:`exchange_contents`. Idempotency rests on unique constraints, not on locks:
``sha_key`` and ``ref_key`` are unique per organization and direction and are set only on the first
record of a file, so a resent file (same bytes, or same interchange reference) can only ever be
recorded as a duplicate.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, enum_type, sort_indexes, utcnow


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class RecordState(enum.StrEnum):
    # inbound
    RECEIVED = "received"
    APPLIED = "applied"
    PARTIALLY_APPLIED = "partially_applied"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    DISCARDED = "discarded"  # owner staff gave up on the file: never applied
    # outbound
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    # both: the partner (or we) acknowledged it
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"


class ExchangeProfile(Base):
    """How one organization exchanges files: transport, paths, formats, identifiers."""

    __tablename__ = "exchange_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    transport: Mapped[str] = mapped_column(String(16))  # "folder" or "sftp"
    # Transport settings: folder {"root"}; sftp {"host", "port", "username", "key_file",
    # "known_hosts", "password_env"}. Secrets are never stored here, only where to find them.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    inbox: Mapped[str] = mapped_column(String(200), default="out")  # where the partner puts files for us
    outbox: Mapped[str] = mapped_column(String(200), default="in")  # where we put files for the partner
    archive: Mapped[str] = mapped_column(String(200), default="archive")
    # Outbound format per document: {"order": "edifact", "ack": ...}; version per format.
    format: Mapped[str] = mapped_column(String(16), default="edifact")
    version: Mapped[str | None] = mapped_column(String(16))
    partner_id: Mapped[str] = mapped_column(String(35))  # the partner's interchange id (GLN, DUNS, ...)
    partner_qualifier: Mapped[str | None] = mapped_column(String(4))
    our_id: Mapped[str] = mapped_column(String(35))  # our interchange id towards this partner
    our_qualifier: Mapped[str | None] = mapped_column(String(4))
    poll_seconds: Mapped[int] = mapped_column(Integer, default=60)
    ack_hours: Mapped[int] = mapped_column(Integer, default=24)  # acknowledgement overdue after
    # Inbound e-invoices (UBL, CII, ZUGFeRD) that break the rules of their scenario: "reject" them
    # (negative acknowledgement naming the rules) or "accept" them with the findings on the record.
    invalid_einvoices: Mapped[str] = mapped_column(String(8), default="reject", server_default="reject")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExchangeRecord(Base):
    __tablename__ = "exchange_records"
    __table_args__ = (
        UniqueConstraint("organization_id", "direction", "sha_key"),
        UniqueConstraint("organization_id", "direction", "ref_key"),
        UniqueConstraint("source_key"),
        *sort_indexes("exchange_records", "created_at", ("organization_id", "created_at")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    direction: Mapped[Direction] = mapped_column(enum_type(Direction))
    state: Mapped[RecordState] = mapped_column(enum_type(RecordState), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str | None] = mapped_column(String(16))
    message_type: Mapped[str | None] = mapped_column(String(32))
    interchange_ref: Mapped[str | None] = mapped_column(String(35))
    # Idempotency keys (see module docstring); NULL on duplicates so they never collide.
    sha_key: Mapped[str | None] = mapped_column(String(64))
    ref_key: Mapped[str | None] = mapped_column(String(80))
    # Outbound records made from an outbox event: "event:<id>:<org>" (one file per event and partner).
    source_key: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    # Per message: [{"reference", "type", "ok", "error", "links": [{"entity", "id"}]}]
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    acknowledges_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_records.id"), index=True)
    ack_record_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_records.id"))
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# The raw bytes of each record, in a table of their own: SQLite rewrites a whole row on every UPDATE,
# and a record's state, attempts and claim change several times while its file is processed (a 50 MB
# file in the row cost the worker twice its size on each). A Core table, not a mapped class, so no
# query and no relationship can load the bytes with a record: they are read and written only
# through portal.exchange.contents, in chunks, after the record was found through portal.access.
# ``record_id`` is SQLite's rowid (incremental blob I/O opens a row by it).
exchange_contents = Table(
    "exchange_contents",
    Base.metadata,
    Column("record_id", ForeignKey("exchange_records.id", ondelete="CASCADE"), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)


class ExchangeLink(Base):
    """A business object an exchange record touched (order, shipment, invoice)."""

    __tablename__ = "exchange_links"
    __table_args__ = (UniqueConstraint("record_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("exchange_records.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
