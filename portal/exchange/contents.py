"""The raw bytes of exchange records (``exchange_contents``) and of prepared CSV exports
(``export_contents``, same shape: the owner's id and ``data``): the one place that writes and reads
them. Every function takes the table (default ``exchange_contents``) and the owning row's id.

The bytes are kept apart from the record (see `portal.models.exchange`), and they are read in chunks
(`CHUNK`), never whole by accident: SQLite's incremental blob I/O, elsewhere ``substring`` of the
column. (Fetching a 50 MB ``bytea`` at once costs psycopg about 300 MB: its hex text, the
connection's receive buffer, which keeps that size, and the bytes.)

Nothing here checks access: callers pass the id of a record they found through `portal.access`
(`portal.exchange.ledger.record_content`, `record_download`) or that the worker holds.
"""

from __future__ import annotations

import binascii
import mmap
import sqlite3
from collections.abc import Iterator

from sqlalchemy import Column, Table, bindparam, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from portal.models import exchange_contents

CHUNK = 4 * 1024 * 1024  # few queries: each slice of a compressed value decompresses up to it


def _key(table: Table) -> Column[int]:
    """The owner's id: the table's one primary key column (SQLite's rowid)."""
    (column,) = table.primary_key.columns
    return column


def save(
    session: Session, record_id: int, data: bytes | mmap.mmap, *, table: Table = exchange_contents
) -> None:
    """Store the bytes of a record just flushed, in the caller's transaction, a chunk at a time: a
    driver that takes a value whole copies it (sqlite3, and SQLite again to build the row; libpq
    into its send buffer), and keeps the copy for the connection's life (a cached statement's bound
    value, the send buffer's size). Not through the ORM either, so no session keeps the bytes."""
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    view = memoryview(data)
    key = _key(table)
    if isinstance(raw, sqlite3.Connection) and data:
        # A row of zeros, filled through incremental blob I/O.
        connection.execute(
            insert(table).values(
                {key.name: bindparam("record_id"), "data": func.zeroblob(bindparam("size"))}
            ),
            {"record_id": record_id, "size": len(data)},
        )
        with raw.blobopen(table.name, "data", record_id) as blob:
            for offset in range(0, len(view), CHUNK):
                blob.write(view[offset : offset + CHUNK])
    elif connection.dialect.driver == "psycopg":
        import psycopg  # loaded already with the driver; not imported by a worker on SQLite

        assert isinstance(raw, psycopg.Connection)
        # COPY streams one row in pieces: text format, the bytea as hex (``\\x`` is ``\x`` escaped).
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({key.name}, data) FROM STDIN") as copy,
        ):
            copy.write(f"{int(record_id)}\t\\\\x".encode())
            for offset in range(0, len(view), CHUNK):
                copy.write(binascii.hexlify(view[offset : offset + CHUNK]))
            copy.write(b"\n")
    else:
        # The values as parameters, not in the statement: SQLAlchemy's statement cache keeps the
        # statement it compiled, and with it any value written into it.
        connection.execute(insert(table), {key.name: record_id, "data": bytes(view)})


def size(session: Session, record_id: int, *, table: Table = exchange_contents) -> int:
    """How many bytes are stored (0 when none are), without reading them."""
    found = session.scalar(select(func.length(table.c.data)).where(_key(table) == record_id))
    return int(found or 0)


def read_all(session: Session, record_id: int) -> bytes:
    """All the bytes at once, for the files that are sent or shown whole (an outbound file's upload,
    GraphQL's ``contentBase64``); read in chunks all the same."""
    return StoredContent(session, record_id).read()


def chunks(
    factory: sessionmaker[Session], record_id: int, *, table: Table = exchange_contents
) -> Iterator[bytes]:
    """The bytes chunk by chunk, each read in a session of its own, for a download: no connection is
    held while a chunk waits to be sent (stored bytes never change, so the chunks fit together)."""
    offset = 0
    while True:
        with factory() as session:
            chunk = read_chunk(session, record_id, offset, CHUNK, table=table)
        if chunk:
            yield chunk
        if len(chunk) < CHUNK:
            return
        offset += len(chunk)


def read_chunk(
    session: Session, record_id: int, offset: int, length: int, *, table: Table = exchange_contents
) -> bytes:
    """Up to ``length`` bytes from ``offset`` (fewer at the end; empty past it, or for no row)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        try:
            blob = raw.blobopen(table.name, "data", record_id, readonly=True)
        except sqlite3.OperationalError:  # no such row or an empty value
            return b""
        with blob:
            blob.seek(min(offset, len(blob)))
            return blob.read(length)
    piece = connection.scalar(
        select(func.substring(table.c.data, offset + 1, length)).where(_key(table) == record_id)
    )
    return bytes(piece or b"")


def delete(session: Session, record_id: int, *, table: Table = exchange_contents) -> None:
    """Drop the stored bytes (an expired export's file)."""
    session.execute(table.delete().where(_key(table) == record_id))


class StoredContent:
    """The stored bytes of a record as a binary file that reads them from the database in chunks, in
    the caller's transaction (the worker decodes a big file as it reads it)."""

    CHUNK = CHUNK

    def __init__(self, session: Session, record_id: int) -> None:
        self._session = session
        self._id = record_id
        self._offset = 0  # of the next chunk to fetch
        self._buffer = memoryview(b"")
        self._done = False

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all the rest when negative), fewer only at the end."""
        parts: list[bytes] = []
        wanted = size if size >= 0 else None
        while wanted is None or wanted > 0:
            if not self._buffer:
                if self._done:
                    break
                chunk = read_chunk(self._session, self._id, self._offset, self.CHUNK)
                self._offset += len(chunk)
                self._done = len(chunk) < self.CHUNK
                self._buffer = memoryview(chunk)
                continue
            take = len(self._buffer) if wanted is None else min(wanted, len(self._buffer))
            parts.append(bytes(self._buffer[:take]))
            self._buffer = self._buffer[take:]
            if wanted is not None:
                wanted -= take
        return parts[0] if len(parts) == 1 else b"".join(parts)


__all__ = ["CHUNK", "StoredContent", "chunks", "delete", "read_all", "read_chunk", "save", "size"]
