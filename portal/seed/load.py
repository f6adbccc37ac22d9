"""Bulk loading of a seed plan, with a progress bar."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, select, text

from portal.models import Organization
from portal.seed.plan import Plan

BATCH = 5000


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Organization)).scalar_one() == 0


def load_plan(engine: Engine, plan: Plan, *, advance: Callable[[int], None] = lambda n: None) -> int:
    """Insert every row of the plan in one transaction; returns the number of rows."""
    total = 0
    with engine.begin() as conn:
        for table, rows in plan.ordered():
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                conn.execute(table.insert(), batch)
                total += len(batch)
                advance(len(batch))
        if engine.dialect.name == "postgresql":
            # Ids were assigned by the plan: move each sequence past them.
            for table, _rows in plan.ordered():
                if "id" in table.c:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
                        )
                    )
    return total
