"""Opportunity tallies: the pipeline board's column heads and the forecast by month, kept current in
the same flush that creates, moves or changes an opportunity (:func:`keep_opportunity_tallies_current`),
so that the board never sums a dealer's or the owner's whole pipeline row by row (issue #15: 300
opportunities per unit of scale, 600,000 at ten million orders).

Rows are keyed by the selling organization (``seller_id``: the opportunity's ``dealer_id``, ``0`` when
it has none), the stage and a month: the first day of the month of the expected close for an open
or lost one, of the day it was won (its ``closed_at`` as a Berlin calendar day) for a won one, which
the forecast shows "won in that month" (migration 0033 rebuilt the rows keyed the old way); each
holds how many opportunities it counts, their amounts and their amounts times their probability, in
ten-thousandths of the currency unit (``Amount`` keeps four decimals): integers, exact on SQLite as
on PostgreSQL. A principal sees an opportunity when its seller is one of the principal's selling organizations
(`portal.access.policy`), so its figures are the sums over the rows of those sellers
(`portal.access.opportunity_tally_rule`): a few rows per seller, stage and month.

Deltas are applied as in :mod:`portal.models.tallies` (upserts in key order, rows never deleted);
:func:`portal.summaries.rebuild_opportunity_tallies` recomputes them from the opportunities.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Date, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from portal.models.base import Base
from portal.models.opportunities import Opportunity, OpportunityStage
from portal.models.tallies import upsert

NO_SELLER = 0  # the seller_id of an opportunity without a selling organization
UNITS = Decimal(10_000)  # an amount's ten-thousandths (Amount keeps four decimals)
CALENDAR = ZoneInfo("Europe/Berlin")  # a won opportunity counts in the month of its Berlin day


def won_day(closed_at: datetime) -> date:
    """The calendar day (Europe/Berlin) a won opportunity was won on."""
    return closed_at.astimezone(CALENDAR).date()


class OpportunityTally(Base):
    __tablename__ = "opportunity_tallies"

    seller_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_units: Mapped[int] = mapped_column(BigInteger, default=0)
    weighted_units: Mapped[int] = mapped_column(BigInteger, default=0)  # amount x probability (percent)


class OpportunityFigures(NamedTuple):
    """What an opportunity contributes to the tallies."""

    dealer_id: int | None
    stage: str
    expected_close: date
    amount: Decimal
    probability: int
    closed_at: datetime | None

    def month(self) -> date:
        """Won: the month it was won in; else the month it is (or was) expected to close."""
        if self.stage == OpportunityStage.WON and self.closed_at is not None:
            return won_day(self.closed_at).replace(day=1)
        return self.expected_close.replace(day=1)

    def key(self) -> tuple[int, str, date]:
        return (self.dealer_id or NO_SELLER, self.stage, self.month())

    def units(self) -> int:
        return int((self.amount or Decimal(0)) * UNITS)


def to_money(units: int) -> Decimal:
    """Ten-thousandths back to an amount (four decimals, as ``Amount`` stores it)."""
    return Decimal(units) / UNITS


_FIGURES = OpportunityFigures._fields


class OpportunityDeltas:
    """Changes to the opportunity tallies, gathered over the opportunities of one flush."""

    def __init__(self) -> None:
        self.rows: defaultdict[tuple[int, str, date], list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(self, figures: OpportunityFigures | None, sign: int) -> None:
        if figures is None:
            return
        row = self.rows[figures.key()]
        units = figures.units()
        row[0] += sign
        row[1] += sign * units
        row[2] += sign * units * int(figures.probability or 0)

    def change(self, before: OpportunityFigures | None, after: OpportunityFigures | None) -> None:
        if before != after:
            self.add(before, -1)
            self.add(after, 1)

    def as_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "seller_id": seller,
                "stage": stage,
                "month": month,
                "n": n,
                "amount_units": a,
                "weighted_units": w,
            }
            for (seller, stage, month), (n, a, w) in sorted(self.rows.items())
            if n or a or w
        ]


def figures_of(opportunity: Opportunity) -> OpportunityFigures:
    return OpportunityFigures(
        opportunity.dealer_id,
        str(opportunity.stage),
        opportunity.expected_close,
        opportunity.amount,
        opportunity.probability,
        opportunity.closed_at,
    )


def _pending_figures(opportunity: Opportunity) -> OpportunityFigures:
    """A new opportunity's unset stage, amount and probability are their column defaults until the
    INSERT: set them now, so that the row and its tally agree."""
    if opportunity.stage is None:
        opportunity.stage = OpportunityStage.QUALIFICATION
    if opportunity.amount is None:
        opportunity.amount = Decimal(0)
    if opportunity.probability is None:
        opportunity.probability = 10
    return figures_of(opportunity)


def _figures_before(opportunity: Opportunity) -> OpportunityFigures | None:
    state = inspect(opportunity)
    if state.key is None:
        return None
    values: list[Any] = []
    for name in _FIGURES:
        history = state.attrs[name].load_history()
        values.append(
            history.deleted[0] if history.deleted else history.unchanged[0] if history.unchanged else None
        )
    dealer, stage, close, amount, probability, closed_at = values
    return OpportunityFigures(
        dealer, str(stage), close, amount if amount is not None else Decimal(0), probability or 0, closed_at
    )


@event.listens_for(Session, "before_flush")
def keep_opportunity_tallies_current(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Move the opportunity tallies by what this flush changes in new, changed or deleted ones."""
    deleted = set(map(id, session.deleted))
    deltas = OpportunityDeltas()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Opportunity):
            deltas.change(_figures_before(obj), None if id(obj) in deleted else _pending_figures(obj))
    rows = deltas.as_rows()
    if rows:
        connection = session.connection()
        table = OpportunityTally.__table__
        connection.execute(upsert(connection, table, ("n", "amount_units", "weighted_units")), rows)  # type: ignore[arg-type]


@event.listens_for(Session, "do_orm_execute")
def refuse_bulk_opportunity_writes(state: Any) -> None:
    """An UPDATE or DELETE statement on opportunities would pass the tallies by: refused (no service
    writes them that way; a repair by hand runs ``portal stats rebuild`` afterwards)."""
    if (
        (state.is_update or state.is_delete)
        and state.bind_mapper is not None
        and state.bind_mapper.class_ is Opportunity
    ):
        raise RuntimeError(
            "opportunities are written one by one through the session (the pipeline tallies follow "
            "each change); after a bulk statement on a Connection run `portal stats rebuild`"
        )


__all__ = [
    "CALENDAR",
    "NO_SELLER",
    "OpportunityDeltas",
    "OpportunityFigures",
    "OpportunityTally",
    "to_money",
    "won_day",
]
