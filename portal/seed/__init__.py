"""Deterministic, realistic demo data (`portal seed demo`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from portal.errors import Conflict
from portal.models import Activity, Case, Customer, Order
from portal.security import hash_password
from portal.seed.base import Batch, records
from portal.seed.load import is_empty, load_demo
from portal.seed.notifications import seed_notifications
from portal.seed.plan import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOKENS,
    DemoAccount,
    Plan,
    plan_demo,
    table_of,
)

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_TOKENS",
    "DemoAccount",
    "Plan",
    "SeedResult",
    "plan_demo",
    "seed_demo",
]


@dataclass(frozen=True, slots=True)
class SeedResult:
    rows: int
    seconds: float
    accounts: list[DemoAccount]

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def seed_demo(
    engine: Engine, *, scale: float = 1.0, anchor: date | None = None, progress: bool = False
) -> SeedResult:
    """Fill an empty database with the demo world, streamed in batches (memory flat in the scale),
    then ANALYZE. Refuses a database that has data."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if not is_empty(engine):
        raise Conflict("the database already has data; seed an empty database")
    started = time.perf_counter()
    password_hash = hash_password(DEMO_PASSWORD)
    if not progress:
        plan = load_demo(engine, scale=scale, anchor=anchor, password_hash=password_hash)
        seed_notifications(engine)
        return SeedResult(plan.row_count, time.perf_counter() - started, plan.accounts)
    columns = (
        TextColumn("seeding demo data"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records ({task.fields[rows]:,} rows)"),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as bar:
        task = bar.add_task("seed", total=records(scale), rows=0)
        written = 0

        def advance(batch: Batch) -> None:
            nonlocal written
            written += sum(len(rows) for _table, rows in batch)
            done = sum(len(rows) for table, rows in batch if table in _RECORDS)
            bar.update(task, advance=done, rows=written)

        plan = load_demo(engine, scale=scale, anchor=anchor, password_hash=password_hash, advance=advance)
    seed_notifications(engine)
    return SeedResult(plan.row_count, time.perf_counter() - started, plan.accounts)


_RECORDS = {table_of(model) for model in (Customer, Order, Case, Activity)}
