"""Deterministic, realistic demo data (`portal seed demo`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from portal.errors import Conflict
from portal.security import hash_password
from portal.seed.load import is_empty, load_plan
from portal.seed.plan import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOKENS, DemoAccount, Plan, plan_demo

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
    """Fill an empty database with the demo world. Refuses a database that has data."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if not is_empty(engine):
        raise Conflict("the database already has data; seed an empty database")
    started = time.perf_counter()
    plan = plan_demo(scale=scale, anchor=anchor, password_hash=hash_password(DEMO_PASSWORD))
    if progress:
        columns = (
            TextColumn("seeding demo data"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows"),
            TimeElapsedColumn(),
        )
        with Progress(*columns) as bar:
            task = bar.add_task("seed", total=plan.row_count)
            rows = load_plan(engine, plan, advance=lambda n: bar.advance(task, n))
    else:
        rows = load_plan(engine, plan)
    return SeedResult(rows, time.perf_counter() - started, plan.accounts)
