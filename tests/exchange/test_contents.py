"""A record's stored file lives apart from the record (issue #12 item 4): changing the record (its
state, attempts, claim) never copies the file. SQLite rewrites a whole row on every UPDATE, so with
the bytes in the record's row each change cost the worker twice the file in memory."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import Engine, LargeBinary, event, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from adapters import FetchedFile
from portal.db import unit_of_work
from portal.exchange import contents, inbound
from portal.models import ExchangeProfile, ExchangeRecord, RecordState
from tests.exchange.helpers import partner_scene

MB = 1024 * 1024


def test_the_record_row_holds_no_bytes(engine: Engine) -> None:
    binary = [
        column["name"]
        for column in inspect(engine).get_columns("exchange_records")
        if isinstance(column["type"], LargeBinary)
    ]
    assert binary == []
    mapper = inspect(ExchangeRecord)
    assert [c.key for c in mapper.columns if isinstance(c.type, LargeBinary)] == []
    assert [r.key for r in mapper.relationships if r.target.name == "exchange_contents"] == []


def test_changing_a_record_does_not_touch_its_stored_file(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner_scene(factory, tmp_path)
    data = os.urandom(4 * MB + 12345)  # not compressible; more than one chunk (contents.CHUNK)
    with factory() as session:
        profile = session.scalars(select(ExchangeProfile)).one()
    fetched = FetchedFile("big.edi", data, len(data), hashlib.sha256(data).hexdigest())
    assert inbound.store(factory, profile, fetched) == "stored"
    with factory() as session:
        record_id = session.scalars(select(ExchangeRecord.id)).one()
    engine = factory.kw["bind"]
    writes = FileWrites(engine, record_id)

    statements: list[tuple[str, object]] = []

    def seen(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        claim = inbound.claim_next(factory)  # attempts and claim
        assert claim is not None and claim.record_id == record_id
        with unit_of_work(factory) as uow:
            record = uow.session.get_one(ExchangeRecord, record_id)
            record.state = RecordState.DISCARDED
            record.error = "discarded by the test"
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    updates = [s for s, _ in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) >= 2 and all("exchange_records" in s for s in updates)
    assert not any("exchange_contents" in s for s, _ in statements)
    assert not any(isinstance(p, bytes) for _, ps in statements for p in _values(ps))
    # ... and the database itself did not write the file again.
    assert writes.rewritten() is None
    with factory() as session:
        assert contents.read_all(session, record_id) == data
        assert session.get_one(ExchangeRecord, record_id).state is RecordState.DISCARDED


def _values(parameters: object) -> list[object]:
    if isinstance(parameters, dict):
        return list(parameters.values())
    if isinstance(parameters, list | tuple):
        return [v for p in parameters for v in (_values(p) if isinstance(p, dict | list | tuple) else [p])]
    return [parameters]


class FileWrites:
    """Whether the database wrote a stored file anew since this was made. PostgreSQL: the transaction
    that wrote its row (``xmin``) changed. SQLite: the write-ahead log, emptied here, grew by more than
    a few pages (an UPDATE appends every page it writes: the whole file when it rewrites it)."""

    def __init__(self, engine: Engine, record_id: int) -> None:
        self.engine = engine
        self.record_id = record_id
        self.wal = Path(f"{engine.url.database}-wal")
        self.xmin = self._xmin()
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                busy, _, _ = conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
            assert busy == 0 and self.wal.stat().st_size == 0

    def _xmin(self) -> str | None:
        if self.engine.dialect.name != "postgresql":
            return None
        with self.engine.connect() as conn:
            found = conn.scalar(
                text("SELECT xmin::text FROM exchange_contents WHERE record_id = :id"), {"id": self.record_id}
            )
        assert found is not None
        return str(found)

    def rewritten(self) -> str | None:
        if self.engine.dialect.name == "postgresql":
            return None if self._xmin() == self.xmin else "the row of the stored file was written again"
        size = self.wal.stat().st_size
        return None if size < MB / 4 else f"{size:,} bytes written for a change of the record"
