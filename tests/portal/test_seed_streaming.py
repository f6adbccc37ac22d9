"""The demo seed streams (issue #15): batches of a bounded number of records, each committed as it
comes, memory flat in the scale, the same rows as the in-memory plan every time, ANALYZE at the end."""

from __future__ import annotations

import hashlib
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine
from portal.models import (
    Activity,
    Base,
    Case,
    Customer,
    Event,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    ShipmentLine,
)
from portal.seed import seed_demo
from portal.seed.base import FLUSH_EVERY, Batch, table_of
from portal.seed.load import load_demo
from portal.seed.plan import plan_demo

ANCHOR = date(2026, 3, 2)
CHECKED = (Customer, Order, OrderLine, ShipmentLine, Invoice, InvoiceLine, Event, Case, Activity)
RECORDS = {table_of(model) for model in (Customer, Order, Case, Activity)}


def sqlite_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return engine


def stored(engine: Engine, model: type[Any]) -> list[dict[str, Any]]:
    table = table_of(model)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(table).order_by(table.c.id))]


def checksum(rows: list[dict[str, Any]]) -> str:
    return hashlib.sha256(repr([sorted(row.items()) for row in rows]).encode()).hexdigest()


def seeded_peak(path: Path, scale: float) -> int:
    """Peak of Python's allocations while seeding a fresh SQLite database at ``scale``."""
    engine = sqlite_engine(path)
    tracemalloc.start()
    try:
        seed_demo(engine, scale=scale, anchor=ANCHOR)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        engine.dispose()
    return peak


@pytest.mark.slow
def test_seeding_memory_stays_flat_as_the_scale_grows(tmp_path: Path) -> None:
    # Both scales span several batches of orders; holding the whole plan, four times the scale took
    # 3.3 times the memory (9.7 -> 32.5 MB).
    small = seeded_peak(tmp_path / "small.sqlite3", 0.2)
    large = seeded_peak(tmp_path / "large.sqlite3", 0.8)
    assert large < 1.5 * small, f"peak {small:,} bytes at scale 0.2, {large:,} at 0.8"


def test_the_same_scale_seeds_the_same_rows_as_the_plan_in_memory_every_time(tmp_path: Path) -> None:
    planned = plan_demo(scale=0.3, anchor=ANCHOR, password_hash="x")
    first, again = (sqlite_engine(tmp_path / f"{name}.sqlite3") for name in ("first", "again"))
    try:
        for engine in (first, again):
            seed_demo(engine, scale=0.3, anchor=ANCHOR)
        for model in CHECKED:
            rows = stored(first, model)
            assert checksum(rows) == checksum(stored(again, model)), model.__name__
            expected = planned.tables[table_of(model)]
            assert len(rows) == len(expected) > 0, model.__name__
            assert [{k: row[k] for k in want} for row, want in zip(rows, expected, strict=True)] == expected
    finally:
        first.dispose()
        again.dispose()


def test_seed_commits_batch_by_batch_then_analyzes_and_new_rows_continue_the_ids(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    batches: list[Batch] = []
    commits: list[int] = []

    def count_commit(_conn: object) -> None:
        commits.append(len(batches))

    event.listen(engine, "commit", count_commit)
    try:
        plan = load_demo(engine, scale=0.5, anchor=ANCHOR, password_hash="x", advance=batches.append)
    finally:
        event.remove(engine, "commit", count_commit)
    assert len(batches) >= 8  # 2,500 orders alone are three batches
    for batch in batches:
        records = [len(rows) for table, rows in batch if table in RECORDS]
        assert max(records, default=0) <= FLUSH_EVERY, [(t.name, len(rows)) for t, rows in batch]
    # each batch is committed before the next one is planned; sequences and statistics at the end
    assert commits == list(range(len(batches) + 1))
    assert sum(len(rows) for batch in batches for _, rows in batch) == plan.row_count

    with engine.connect() as conn:
        orders = conn.execute(select(Order.id).order_by(Order.id.desc())).scalars().first()
        assert orders == 2500
        if conn.dialect.name == "postgresql":
            analyzed = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'orders'::regclass"))
        else:
            # one row per index; a partial index counts only its own rows, so take the largest
            analyzed = conn.execute(
                text("SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = 'orders'")
            )
        assert str(analyzed.scalar_one()).startswith("2500")
        # the events' writing transactions (the change feed's order): COPY takes the column default
        txids = set(conn.scalars(select(Event.txid).distinct()))
        if conn.dialect.name == "sqlite":
            assert txids == {0}
        else:  # one per batch that wrote events
            assert 0 not in txids and len(txids) > 1
    with factory.begin() as session:
        fresh = Event(kind="test.after_seed", entity="order", entity_id=1, payload={})
        session.add(fresh)
        session.flush()
        assert fresh.id == plan.counts[table_of(Event)] + 1
