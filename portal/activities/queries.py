"""Activity lists (calls, meetings, appointments, e-mails, notes, tasks)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import FIRST_PAGE, IdWindow, Page, PageRequest, RowPage, keyset_rows, paginate
from portal.models import Activity, ActivityKind


class ActivitySort(enum.StrEnum):
    OCCURRED_AT = "occurred_at"
    STARTS_AT = "starts_at"


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    customer_id: int | None = None
    kinds: frozenset[ActivityKind] = field(default_factory=frozenset)
    starts_from: datetime | None = None
    starts_to: datetime | None = None
    open_tasks_only: bool = False


def _activity_filters(stmt: Select[Activity], flt: ActivityFilter) -> Select[Activity]:
    if flt.customer_id is not None:
        stmt = stmt.where(Activity.customer_id == flt.customer_id)
    if flt.kinds:
        stmt = stmt.where(Activity.kind.in_(flt.kinds))
    if flt.starts_from is not None:
        stmt = stmt.where(Activity.starts_at >= flt.starts_from)
    if flt.starts_to is not None:
        stmt = stmt.where(Activity.starts_at < flt.starts_to)
    if flt.open_tasks_only:
        stmt = stmt.where(Activity.kind == ActivityKind.TASK, Activity.done_at.is_(None))
    return stmt


def count_activities(session: Session, principal: Principal, *, filter: ActivityFilter) -> int:
    """How many rows :func:`list_activities` with the same filter has (one COUNT in SQL)."""
    stmt = _activity_filters(visible(principal, Activity), filter).with_only_columns(func.count())
    return int(session.scalar(stmt) or 0)


def list_activities(
    session: Session,
    principal: Principal,
    *,
    filter: ActivityFilter = ActivityFilter(),
    sort: ActivitySort = ActivitySort.OCCURRED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Activity]:
    stmt = _activity_filters(visible(principal, Activity), filter)
    column = (
        Activity.occurred_at
        if sort is ActivitySort.OCCURRED_AT
        else func.coalesce(Activity.starts_at, Activity.occurred_at)
    )
    return paginate(
        session,
        stmt,
        Activity,
        sort_column=column,
        descending=descending,
        page=page,
    )


# --- the GraphQL API's activity list (Core rows, id cursors) -------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityCriteria:
    """Ids are row ids; an id of the wrong kind arrives as -1 (no match)."""

    customer_id: int | None = None
    kinds: frozenset[ActivityKind] = field(default_factory=frozenset)
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


def activity_rows(
    session: Session,
    principal: Principal,
    criteria: ActivityCriteria,
    *,
    sort: str = "occurred_at",
    descending: bool = True,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.customer_id is not None:
        conds.append(Activity.customer_id == c.customer_id)
    if c.kinds:
        conds.append(Activity.kind.in_(c.kinds))
    if c.occurred_from:
        conds.append(Activity.occurred_at >= c.occurred_from)
    if c.occurred_to:
        conds.append(Activity.occurred_at < c.occurred_to)
    return keyset_rows(session, principal, Activity, conds, sort=sort, descending=descending, window=window)
