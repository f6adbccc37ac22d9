"""Loading demo data: `seed_demo` (plan + typed bulk insert) against a raw SQLAlchemy Core bulk insert of
the very same rows, pre-converted to database values, into plain tables without type processing.

    python -m benchmarks.seed_bench [--scale 10] [--database-url URL]

Both run in this process, one after the other, on fresh schemas of the same database, so the ratio
holds on a loaded machine too. Target: seed rate >= 0.5 x raw rate.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, MetaData, Table, text

from portal.db import make_engine
from portal.models import Base
from portal.seed import seed_demo
from portal.seed.plan import plan_demo


def _plain_copy(metadata: MetaData) -> MetaData:
    """The same tables with each TypeDecorator replaced by its underlying type and no constraints."""
    plain = MetaData()
    for table in metadata.sorted_tables:
        columns = []
        for column in table.columns:
            col_type = column.type
            impl = getattr(col_type, "impl", None)
            columns.append(Column(column.name, impl if impl is not None else col_type))
        Table(table.name, plain, *columns)
    return plain


def _engine(url: str | None, tmp: Path, name: str) -> tuple[Engine, Any]:
    if not url:
        return make_engine(f"sqlite:///{tmp / name}.sqlite3"), None
    schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return make_engine(f"{url}?options=-csearch_path%3D{schema}"), drop


def run(scale: float = 10.0, url: str | None = None) -> dict[str, float]:
    anchor = date(2026, 3, 2)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        # Baseline: the same rows, converted to database values up front, inserted into plain tables.
        plan = plan_demo(scale=scale, anchor=anchor, password_hash="x")
        raw_engine, raw_drop = _engine(url, tmp, "raw")
        dialect = raw_engine.dialect
        converted: list[tuple[Table, list[dict[str, Any]]]] = []
        plain = _plain_copy(Base.metadata)
        for table, rows in plan.ordered():
            processors = {
                c.name: c.type.bind_processor(dialect) for c in table.columns if hasattr(c.type, "impl")
            }
            fixed = [
                {k: (processors[k](v) if processors.get(k) else v) for k, v in row.items()} for row in rows
            ]
            converted.append((plain.tables[table.name], fixed))
        plain.create_all(raw_engine)
        started = time.perf_counter()
        raw_rows = 0
        with raw_engine.begin() as conn:
            for table, rows in converted:
                for start in range(0, len(rows), 5000):
                    conn.execute(table.insert(), rows[start : start + 5000])
                raw_rows += len(rows)
        raw_seconds = time.perf_counter() - started
        raw_engine.dispose()
        if raw_drop:
            raw_drop()

        seed_engine, seed_drop = _engine(url, tmp, "seed")
        Base.metadata.create_all(seed_engine)
        result = seed_demo(seed_engine, scale=scale, anchor=anchor)
        seed_engine.dispose()
        if seed_drop:
            seed_drop()
    figures = {
        "rows": float(result.rows),
        "seed_rows_per_s": result.rows_per_second,
        "raw_rows_per_s": raw_rows / raw_seconds,
    }
    figures["ratio"] = figures["seed_rows_per_s"] / figures["raw_rows_per_s"]
    assert raw_rows == result.rows, "the baseline must insert the same rows"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    figures = run(args.scale, args.database_url)
    where = "postgresql" if args.database_url else "sqlite"
    print(f"seed --scale {args.scale:g} on {where}: {figures['rows']:,.0f} rows")
    print(f"  seed_demo (plan + typed insert): {figures['seed_rows_per_s']:>10,.0f} rows/s")
    print(f"  raw Core bulk insert (ceiling):  {figures['raw_rows_per_s']:>10,.0f} rows/s")
    print(f"  ratio: {figures['ratio']:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
