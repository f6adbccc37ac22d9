"""What the demo plan is made of: rows per table with ids assigned by the plan, and the calendar people
work by (weekdays, working hours in Europe/Berlin)."""

from __future__ import annotations

import random
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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
# Records per unit of scale (scale 1: 500 customers, 5,000 orders, 800 cases, 3,000 activities).
CUSTOMERS, ORDERS, CASES, ACTIVITIES = 500, 5000, 800, 3000
FLUSH_EVERY = 1000  # records between two flushes of a streaming plan (about 10,000 rows of orders)
BERLIN = ZoneInfo("Europe/Berlin")
WORKDAY = (7, 19)  # local hours in which people work (appointments start and end inside)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    organization: str
    roles: str


Batch = list[tuple[Table, list[Row]]]


class Plan:
    """The rows the generators add, with ids assigned per table in the order they come.

    Without a sink the plan keeps every row in ``tables`` (tests, small worlds). With one, each
    ``flush()`` hands the rows added since the last flush to the sink, tables in foreign-key order,
    and forgets them: the generators flush every ``FLUSH_EVERY`` records, so memory stays flat in
    the scale. ``counts`` holds how many rows each table has had in all."""

    def __init__(self, sink: Callable[[Batch], None] | None = None) -> None:
        self.tables: dict[Table, list[Row]] = defaultdict(list)
        self.counts: dict[Table, int] = defaultdict(int)
        self.accounts: list[DemoAccount] = []
        self._sink = sink

    def add(self, model: type[Any], row: Row) -> int:
        table: Table = model.__table__
        self.counts[table] += 1
        self.tables[table].append(row)
        if "id" not in table.c:
            return 0
        row.setdefault("id", self.counts[table])
        return int(row["id"])

    def next_id(self, model: type[Any]) -> int:
        """The id the next row of ``model`` gets."""
        return self.counts[model.__table__] + 1

    @property
    def row_count(self) -> int:
        return sum(self.counts.values())

    def ordered(self) -> Iterator[tuple[Table, list[Row]]]:
        from portal.models import Base

        for table in Base.metadata.sorted_tables:
            if self.tables.get(table):
                yield table, self.tables[table]

    def flush(self) -> None:
        if self._sink is None:
            return
        batch = list(self.ordered())
        self.tables.clear()
        if batch:
            self._sink(batch)


def count(per_scale: int, scale: float) -> int:
    """How many records of a kind the demo world has at ``scale``."""
    return max(1, round(per_scale * scale))


def records(scale: float) -> int:
    """Customers, orders, cases and activities at ``scale`` (what a progress bar counts)."""
    return sum(count(n, scale) for n in (CUSTOMERS, ORDERS, CASES, ACTIVITIES))


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
    dealer: str | None
    english: bool
    contacts: range  # the ids of the customer's contacts


# What an order copies from its customer: the delivery party.
DELIVERY = ("name", "street", "postal_code", "city", "country_code", "gln", "phone", "email")
_SEPARATOR = "\x1f"  # ASCII unit separator: in no name, street or e-mail


class Customers:
    """The customers orders, cases and activities draw from, held compactly (a few arrays and the
    delivery parties as one UTF-8 buffer, about 200 bytes a customer) so that a million customers
    do not cost gigabytes. ``rng.choice(customers)`` draws exactly as from a list."""

    def __init__(self, dealers: Sequence[str]) -> None:
        self._dealer_names: tuple[str | None, ...] = (None, *dealers)
        self._ids = array("q")
        self._dealers = array("B")
        self._english = array("B")
        self._first_contact = array("q")
        self._contacts = array("B")
        self._delivery = bytearray()
        self._ends = array("Q")

    def append(self, row: Row, dealer: str | None, english: bool, contacts: range) -> None:
        self._ids.append(row["id"])
        self._dealers.append(self._dealer_names.index(dealer))
        self._english.append(english)
        self._first_contact.append(contacts.start)
        self._contacts.append(len(contacts))
        values = (row[key] or "" for key in DELIVERY)
        self._delivery += _SEPARATOR.join(values).encode()
        self._ends.append(len(self._delivery))

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> DemoCustomer:
        first = self._first_contact[index]
        return DemoCustomer(
            self._ids[index],
            self._dealer_names[self._dealers[index]],
            bool(self._english[index]),
            range(first, first + self._contacts[index]),
        )

    def delivery(self, index: int) -> Row:
        """The delivery party of an order for this customer: the customer's name, address and phone
        and e-mail (``None`` where the customer has none)."""
        start = self._ends[index - 1] if index else 0
        values = self._delivery[start : self._ends[index]].decode().split(_SEPARATOR)
        return {key: value or None for key, value in zip(DELIVERY, values, strict=True)}


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
