"""Case tallies: counts of cases for the dashboards, kept current in the same flush that opens,
routes or changes a case (:func:`keep_case_tallies_current`), so that a dashboard never counts a
dealer's or partner's cases row by row (issue #15: 12,800 cases of a dealer at 500,000 orders).

Rows are keyed by the pair of organizations a case belongs to: the one it is routed to (``0`` when
it is routed nowhere) and the one that opened it. A principal sees a case when either organization
is one of its own (`portal.access.policy`), so its count is the sum over the pairs with either
column among its organizations: each case lies in exactly one pair, and is counted once however
many of the principal's organizations it touches. There are few pairs (organizations that open
cases times organizations they route to), so that sum reads a few dozen rows.

``kind`` says what is counted in a row:

- ``status``: cases by status (``key``; ``day`` is :data:`NO_DAY`);
- ``open_due``: open cases by the UTC day their SLA ends (``day``; ``key`` empty). "Near its SLA"
  is the sum over the days before a moment's day plus the few cases of that day counted from
  their rows (`portal.stats.near_sla_count`);
- ``resolved``: resolved cases by the UTC day of resolution, ``key`` ``in_time`` or ``late``.

Deltas are applied as in :mod:`portal.models.tallies` (upserts in key order, rows never deleted);
:func:`portal.summaries.rebuild` recomputes them from the cases.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Date, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from portal.models.base import Base
from portal.models.cases import OPEN_CASE_STATUSES, Case, CaseStatus
from portal.models.tallies import upsert

NOWHERE = 0  # the routed_to_id of a case routed to no organization
NO_DAY = date(1, 1, 1)  # the day of the rows that have none
STATUS, OPEN_DUE, RESOLVED = "status", "open_due", "resolved"
IN_TIME, LATE = "in_time", "late"


class CaseTally(Base):
    __tablename__ = "case_tallies"

    routed_to_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opened_by_org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class CaseFigures(NamedTuple):
    """What a case contributes to the tallies."""

    routed_to_id: int | None
    opened_by_org_id: int
    status: str
    sla_due_at: datetime
    resolved_at: datetime | None

    def rows(self) -> list[tuple[str, date, str]]:
        """The (kind, day, key) rows of the case's pair that count it."""
        rows = [(STATUS, NO_DAY, self.status)]
        if self.status in OPEN_CASE_STATUSES:
            rows.append((OPEN_DUE, utc_day(self.sla_due_at), ""))
        if self.resolved_at is not None:
            key = IN_TIME if self.resolved_at <= self.sla_due_at else LATE
            rows.append((RESOLVED, utc_day(self.resolved_at), key))
        return rows


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


_FIGURES = ("routed_to_id", "opened_by_org_id", "status", "sla_due_at", "resolved_at")


class CaseDeltas:
    """Changes to the case tallies, gathered over the cases of one flush."""

    def __init__(self) -> None:
        self.rows: defaultdict[tuple[int, int, str, date, str], int] = defaultdict(int)

    def add(self, figures: CaseFigures | None, sign: int) -> None:
        if figures is None:
            return
        pair = (figures.routed_to_id or NOWHERE, figures.opened_by_org_id)
        for kind, day, key in figures.rows():
            self.rows[(*pair, kind, day, key)] += sign

    def change(self, before: CaseFigures | None, after: CaseFigures | None) -> None:
        if before != after:
            self.add(before, -1)
            self.add(after, 1)

    def as_rows(self) -> list[dict[str, Any]]:
        return [
            {"routed_to_id": routed, "opened_by_org_id": opened, "kind": kind, "day": day, "key": key, "n": n}
            for (routed, opened, kind, day, key), n in sorted(self.rows.items())
            if n
        ]


def figures_of(case: Case) -> CaseFigures:
    return CaseFigures(
        case.routed_to_id, case.opened_by_org_id, str(case.status), case.sla_due_at, case.resolved_at
    )


def _figures_before(case: Case) -> CaseFigures | None:
    state = inspect(case)
    if state.key is None:
        return None
    values: list[Any] = []
    for name in _FIGURES:
        history = state.attrs[name].load_history()
        values.append(
            history.deleted[0] if history.deleted else history.unchanged[0] if history.unchanged else None
        )
    routed, opened, status, due, resolved = values
    return CaseFigures(routed, opened, str(status), due, resolved)


@event.listens_for(Session, "before_flush")
def keep_case_tallies_current(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    """Move the case tallies by what this flush changes in new, changed or deleted cases."""
    deleted = set(map(id, session.deleted))
    deltas = CaseDeltas()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Case):
            deltas.change(_figures_before(obj), None if id(obj) in deleted else _pending_figures(obj))
    rows = deltas.as_rows()
    if rows:
        connection = session.connection()
        connection.execute(upsert(connection, CaseTally.__table__, ("n",)), rows)  # type: ignore[arg-type]


def _pending_figures(case: Case) -> CaseFigures:
    """A new case's status is its column default until the INSERT: count it as that."""
    if case.status is None:
        case.status = CaseStatus.OPEN
    return figures_of(case)


@event.listens_for(Session, "do_orm_execute")
def refuse_bulk_case_writes(state: Any) -> None:
    """An UPDATE or DELETE statement on cases would pass the tallies by: refused (no service
    writes cases that way; a repair by hand runs ``portal stats rebuild`` afterwards)."""
    if (
        (state.is_update or state.is_delete)
        and state.bind_mapper is not None
        and state.bind_mapper.class_ is Case
    ):
        raise RuntimeError(
            "cases are written one by one through the session (the case tallies follow each change); "
            "after a bulk statement on a Connection run `portal stats rebuild`"
        )


__all__ = [
    "IN_TIME",
    "LATE",
    "NOWHERE",
    "NO_DAY",
    "OPEN_DUE",
    "RESOLVED",
    "STATUS",
    "CaseDeltas",
    "CaseFigures",
    "CaseTally",
    "utc_day",
]
