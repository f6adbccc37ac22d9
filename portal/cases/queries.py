"""Case lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import (
    FIRST_PAGE,
    IdWindow,
    Page,
    PageRequest,
    RowPage,
    contains,
    keyset_rows,
    matches,
    paginate,
    search_pattern,
)
from portal.models import Case, CasePriority, CaseStatus

OPEN_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING})
NEAR_SLA = timedelta(hours=8)  # "near its SLA": an open case due within this time, or overdue


class CaseSort(enum.StrEnum):
    CREATED_AT = "created_at"
    SLA_DUE_AT = "sla_due_at"
    NUMBER = "number"
    PRIORITY = "priority"


@dataclass(frozen=True, slots=True)
class CaseFilter:
    statuses: frozenset[CaseStatus] = field(default_factory=frozenset)
    priorities: frozenset[CasePriority] = field(default_factory=frozenset)
    customer_id: int | None = None
    order_id: int | None = None
    routed_to_id: int | None = None
    search: str | None = None
    due_before: datetime | None = None  # open cases whose SLA ends before this time


def priority_rank() -> ColumnElement[int]:
    return case({p.value: rank for rank, p in enumerate(CasePriority)}, value=Case.priority)


def near_sla_conditions(until: datetime) -> tuple[ColumnElement[bool], ...]:
    """Open cases whose SLA ends before ``until`` (those already past it included)."""
    return (Case.sla_due_at < until, Case.status.in_(OPEN_STATUSES))


def _case_filters(stmt: Select[Case], flt: CaseFilter) -> Select[Case]:
    if flt.statuses:
        stmt = stmt.where(Case.status.in_(flt.statuses))
    if flt.priorities:
        stmt = stmt.where(Case.priority.in_(flt.priorities))
    if flt.customer_id is not None:
        stmt = stmt.where(Case.customer_id == flt.customer_id)
    if flt.order_id is not None:
        stmt = stmt.where(Case.order_id == flt.order_id)
    if flt.routed_to_id is not None:
        stmt = stmt.where(Case.routed_to_id == flt.routed_to_id)
    if flt.search:
        stmt = stmt.where(matches(search_pattern(flt.search), Case.number, Case.subject))
    if flt.due_before is not None:
        stmt = stmt.where(*near_sla_conditions(flt.due_before))
    return stmt


def count_cases(session: Session, principal: Principal, *, filter: CaseFilter) -> int:
    """How many rows :func:`list_cases` with the same filter has (one COUNT in SQL)."""
    stmt = _case_filters(visible(principal, Case), filter).with_only_columns(func.count())
    return int(session.scalar(stmt) or 0)


def list_cases(
    session: Session,
    principal: Principal,
    *,
    filter: CaseFilter = CaseFilter(),
    sort: CaseSort = CaseSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Case]:
    stmt = _case_filters(visible(principal, Case), filter)
    column: Any = {
        CaseSort.CREATED_AT: Case.created_at,
        CaseSort.SLA_DUE_AT: Case.sla_due_at,
        CaseSort.NUMBER: Case.number,
        CaseSort.PRIORITY: priority_rank(),
    }[sort]
    return paginate(session, stmt, Case, sort_column=column, descending=descending, page=page)


# --- the GraphQL API's case list (Core rows, id cursors) -----------------------------------------


@dataclass(frozen=True, slots=True)
class CaseCriteria:
    """The API's case filter. Ids are row ids; an id of the wrong kind arrives as -1 (no match)."""

    statuses: frozenset[CaseStatus] = field(default_factory=frozenset)
    priorities: frozenset[CasePriority] = field(default_factory=frozenset)
    customer_id: int | None = None
    order_id: int | None = None
    subject_contains: str | None = None
    updated_after: datetime | None = None


def case_rows(
    session: Session,
    principal: Principal,
    criteria: CaseCriteria,
    *,
    sort: str = "created_at",
    descending: bool = True,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.statuses:
        conds.append(Case.status.in_(c.statuses))
    if c.priorities:
        conds.append(Case.priority.in_(c.priorities))
    if c.customer_id is not None:
        conds.append(Case.customer_id == c.customer_id)
    if c.order_id is not None:
        conds.append(Case.order_id == c.order_id)
    if c.subject_contains:
        conds.append(contains(Case.subject, c.subject_contains))
    if c.updated_after:
        conds.append(Case.updated_at > c.updated_after)
    return keyset_rows(session, principal, Case, conds, sort=sort, descending=descending, window=window)
