"""Dashboard tallies: counts of orders and sums of open invoices per organization, kept current in
the same flush that changes an order, a line or an invoice (see
:func:`portal.models.orders.keep_summaries_current`), so that a dashboard reads a few dozen tally
rows instead of aggregating over every order it may see.

Two tables, both keyed by the organization (``0`` for the owner's total over everything), the role
the organization plays in the counted rows (``all``, ``dealer``: the order's ``dealer_id``,
``supplier``: the order's or invoice's ``supplier_id``) and what is counted:

- ``order_tallies``: ``key`` is an order status (orders by ``current_status``), ``waiting``
  (orders with ``awaiting_confirmation``) or ``review`` (orders with ``awaiting_review``);
- ``day_tallies``: ``kind`` ``orders`` counts orders per ``order_date``; ``due`` counts orders per
  stored ``earliest_open_due`` (the late tile sums the days before today); ``invoices`` counts the
  open invoices (received, disputed or approved: not rejected, paid or credited) per ``due_date``
  (:data:`NO_DUE` for an invoice without one) with what they still owe (``amount_owed``: the gross
  total less credit notes and payments; in ten-thousandths, as an integer: exact on SQLite too) and
  how many are over-billed.

Each change is a delta, written as ``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`` (both
databases), rows touched in one sorted order so that two transactions never wait for each other in
a cycle. Rows are never deleted: a count that falls to zero stays as a zero row.
:func:`portal.summaries.rebuild` recomputes every tally from the base rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Connection, Date, Integer, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base

ALL_ORGS = 0  # the org_id of the owner's total
ALL, DEALER, SUPPLIER = "all", "dealer", "supplier"
WAITING = "waiting"  # the order_tallies key of orders awaiting confirmation
REVIEW = "review"  # the order_tallies key of orders with a supplier's change awaiting the buyer
ORDERS, INVOICES, DUE = "orders", "invoices", "due"  # the kinds of day_tallies
NO_DUE = date(9999, 12, 31)  # the due day of an invoice without a due date: open on every day
AMOUNT_UNITS = 10_000  # Amount has four decimals: sums are kept as integers of 1/10,000


class OrderTally(Base):
    __tablename__ = "order_tallies"

    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class DayTally(Base):
    __tablename__ = "day_tallies"

    org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(8), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)  # in 1/AMOUNT_UNITS
    flagged: Mapped[int] = mapped_column(BigInteger, default=0)


class OrderFigures(NamedTuple):
    """What an order contributes to the tallies."""

    dealer_id: int | None
    supplier_id: int | None
    order_date: date
    status: str
    awaiting: bool
    review: bool
    due: date | None  # earliest_open_due: None unless routed, live and not fully shipped


class InvoiceFigures(NamedTuple):
    """What an invoice contributes to the tallies."""

    supplier_id: int
    due_date: date | None
    owed: Decimal  # the invoice's amount_owed (gross less credit notes and payments)
    over_billed: bool


def units(amount: Decimal) -> int:
    return int((amount * AMOUNT_UNITS).to_integral_value())


def amount_of(value: int) -> Decimal:
    return Decimal(int(value)).scaleb(-4) if value else Decimal(0)


def _scopes(dealer_id: int | None, supplier_id: int | None) -> list[tuple[int, str]]:
    scopes = [(ALL_ORGS, ALL)]
    if dealer_id is not None:
        scopes.append((dealer_id, DEALER))
    if supplier_id is not None:
        scopes.append((supplier_id, SUPPLIER))
    return scopes


class Deltas:
    """Changes to the tallies, gathered over the orders and invoices of one flush."""

    def __init__(self) -> None:
        self.keys: defaultdict[tuple[int, str, str], int] = defaultdict(int)
        self.days: defaultdict[tuple[int, str, str, date], list[int]] = defaultdict(lambda: [0, 0, 0])

    def order(self, figures: OrderFigures | None, sign: int) -> None:
        if figures is None:
            return
        for org, role in _scopes(figures.dealer_id, figures.supplier_id):
            self.keys[(org, role, str(figures.status))] += sign
            if figures.awaiting:
                self.keys[(org, role, WAITING)] += sign
            if figures.review:
                self.keys[(org, role, REVIEW)] += sign
            self.days[(org, role, ORDERS, figures.order_date)][0] += sign
            if figures.due is not None:
                self.days[(org, role, DUE, figures.due)][0] += sign

    def invoice(self, figures: InvoiceFigures | None, sign: int) -> None:
        if figures is None:
            return
        for org, role in _scopes(None, figures.supplier_id):
            row = self.days[(org, role, INVOICES, figures.due_date or NO_DUE)]
            row[0] += sign
            row[1] += sign * units(figures.owed)
            row[2] += sign * int(figures.over_billed)

    def change(self, kind: str, before: Any, after: Any) -> None:
        """Count ``after`` in place of ``before`` (either None: added or removed)."""
        if before == after:
            return
        add = self.order if kind == ORDERS else self.invoice
        add(before, -1)
        add(after, 1)

    def write(self, connection: Connection) -> None:
        """Apply the non-zero deltas, each table's rows in key order."""
        keys = [
            {"org_id": org, "role": role, "key": key, "n": n}
            for (org, role, key), n in sorted(self.keys.items())
            if n
        ]
        days = [
            {
                "org_id": org,
                "role": role,
                "kind": kind,
                "day": day,
                "n": n,
                "amount": amount,
                "flagged": flagged,
            }
            for (org, role, kind, day), (n, amount, flagged) in sorted(self.days.items())
            if n or amount or flagged
        ]
        if keys:
            connection.execute(upsert(connection, OrderTally.__table__, ("n",)), keys)  # type: ignore[arg-type]
        if days:
            connection.execute(upsert(connection, DayTally.__table__, ("n", "amount", "flagged")), days)  # type: ignore[arg-type]
        self.keys.clear()
        self.days.clear()


def upsert(connection: Connection, table: Table, counters: Iterable[str]) -> Any:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[c for c in table.primary_key.columns],
        set_={name: table.c[name] + stmt.excluded[name] for name in counters},
    )
