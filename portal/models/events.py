"""The transactional outbox: one row per change, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from portal.models.base import Base, UTCDateTime, utcnow

# PostgreSQL has no cast from xid8 to bigint; the text of an xid8 is its decimal number.
TXID_DEFAULT = "(pg_current_xact_id()::text)::bigint"


class writing_transaction(FunctionElement[int]):  # noqa: N801 - used like a SQL function
    """The id of the transaction that writes a row, as the column default of ``events.txid``: the
    64-bit ``pg_current_xact_id()`` on PostgreSQL (the same for every row of a transaction, handed
    out at its first write), 0 on SQLite (one writer at a time: commit order is id order). A server
    default, so every way of writing an event (ORM, the seed's COPY, raw SQL) sets it."""

    type = BigInteger()
    inherit_cache = True
    name = "writing_transaction"


@compiles(writing_transaction)
def _writing_transaction(element: writing_transaction, compiler: SQLCompiler, **kw: Any) -> str:
    return "0"


@compiles(writing_transaction, "postgresql")
def _writing_transaction_postgresql(element: writing_transaction, compiler: SQLCompiler, **kw: Any) -> str:
    return TXID_DEFAULT


class Event(Base):
    __tablename__ = "events"
    # An entity's history (an order's timeline, the latest state of a changed entity) is read by it.
    # Outbound EDI reads only the kinds it sends, after its cursor (portal.exchange.outbound).
    __table_args__ = (
        Index("ix_events_entity_entity_id", "entity", "entity_id"),
        Index("ix_events_kind_id", "kind", "id"),
        # The change feed's order (portal.changes).
        Index("ix_events_txid_id", "txid", "id"),
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
    # The writing transaction (:class:`writing_transaction`); 0 on SQLite and for the events written
    # before migration 0035. The change feed's order is (txid, id).
    txid: Mapped[int] = mapped_column(BigInteger, server_default=writing_transaction())


class Counter(Base):
    """Named sequences (order numbers, case numbers, EDI control numbers per partner)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
