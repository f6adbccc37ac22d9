"""What the demo plan is made of: rows per table with ids assigned by the plan, and the calendar people
work by (weekdays, working hours in Europe/Berlin)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from portal.models import Event

Row = dict[str, Any]
PARTNERS = ["servicepartner-west", "kundendienst-ost"]
SUPPLIERS = ["nordtec", "alpenventil", "brightheat"]

CENT = Decimal("0.01")
BERLIN = ZoneInfo("Europe/Berlin")
WORKDAY = (7, 19)  # local hours in which people work (appointments start and end inside)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    organization: str
    roles: str


@dataclass
class Plan:
    tables: dict[Table, list[Row]] = field(default_factory=lambda: defaultdict(list))
    accounts: list[DemoAccount] = field(default_factory=list)

    def add(self, model: type[Any], row: Row) -> int:
        rows = self.tables[model.__table__]
        if "id" not in row:
            if model.__tablename__ == "counters":
                rows.append(row)
                return 0
            row["id"] = len(rows) + 1
        rows.append(row)
        return int(row["id"])

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def ordered(self) -> Iterator[tuple[Table, list[Row]]]:
        from portal.models import Base

        for table in Base.metadata.sorted_tables:
            if self.tables.get(table):
                yield table, self.tables[table]


def table_of(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def gtin13(base: int) -> str:
    digits = f"{base:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


@cache  # a few thousand distinct moments, asked for many times
def local_time(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day`` in Berlin, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def working_time(rng: random.Random, day: date, first: int = 8, last: int = 17) -> datetime:
    """A moment of the working day: a weekday, between ``first`` and ``last`` o'clock local time."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return local_time(day, rng.randint(first, last - 1), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)))


def past_working_time(rng: random.Random, day: date, now: datetime) -> datetime:
    """A working moment on ``day``, or on the working day before when that is still to come."""
    moment = working_time(rng, day)
    while moment > now:
        day -= timedelta(days=1)
        moment = working_time(rng, day)
    return moment


def slugify(text: str) -> str:
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("&", "und")):
        text = text.replace(a, b)
    out = "".join(ch if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)


def mail_local_part(first: str, last: str) -> str:
    """The local part of a contact's e-mail: ``vorname.nachname``, transliterated."""
    return f"{slugify(first)}.{slugify(last)}".replace("-", "")


def weekday(day: date) -> date:
    """The next working day (Monday to Friday) from ``day`` on."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    id: int
    row: Row
    dealer: str | None
    english: bool
    contacts: tuple[int, ...]


def event(
    plan: Plan, kind: str, entity: str, entity_id: int, actor: int, at: datetime, **payload: Any
) -> None:
    plan.add(
        Event,
        {
            "kind": kind,
            "entity": entity,
            "entity_id": entity_id,
            "actor_org_id": actor,
            "occurred_at": at,
            "payload": payload,
        },
    )
