"""The read model of cases."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case
from sqlalchemy.orm import Session

from portal.access import Principal
from portal.models import Case, CaseCategory, CasePriority, CaseStatus
from portal.models.cases import OPEN_CASE_STATUSES
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search

OPEN_STATUSES = OPEN_CASE_STATUSES
NEAR_SLA = timedelta(hours=8)  # "near its SLA": an open case due within this time, or overdue


def priority_rank() -> ColumnElement[int]:
    return case({p.value: rank for rank, p in enumerate(CasePriority)}, value=Case.priority)


def near_sla_conditions(until: datetime) -> tuple[ColumnElement[bool], ...]:
    """Open cases whose SLA ends before ``until`` (those already past it included)."""
    return (Case.sla_due_at < until, Case.status.in_(OPEN_STATUSES))


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Which cases a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the case number or the subject
    statuses: frozenset[CaseStatus] = field(default_factory=frozenset)
    priorities: frozenset[CasePriority] = field(default_factory=frozenset)
    categories: frozenset[CaseCategory] = field(default_factory=frozenset)
    customer_id: int | None = None
    order_id: int | None = None
    routed_to_id: int | None = None
    due_before: datetime | None = None  # open cases whose SLA ends before this time (`near_sla_conditions`)
    updated_after: datetime | None = None  # updated_at after this moment


class CaseSort(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    SLA_DUE_AT = "sla_due_at"
    NUMBER = "number"
    PRIORITY = "priority"


def case_conditions(q: CaseQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Case.number, Case.subject))
    if q.statuses:
        conds.append(Case.status.in_(q.statuses))
    if q.priorities:
        conds.append(Case.priority.in_(q.priorities))
    if q.categories:
        conds.append(Case.category.in_(q.categories))
    if q.customer_id is not None:
        conds.append(Case.customer_id == q.customer_id)
    if q.order_id is not None:
        conds.append(Case.order_id == q.order_id)
    if q.routed_to_id is not None:
        conds.append(Case.routed_to_id == q.routed_to_id)
    if q.due_before is not None:
        conds.extend(near_sla_conditions(q.due_before))
    if q.updated_after is not None:
        conds.append(Case.updated_at > q.updated_after)
    return conds


CASES = Keyset(
    "case",
    Case,
    {
        CaseSort.CREATED_AT: Case.created_at,
        CaseSort.UPDATED_AT: Case.updated_at,
        CaseSort.SLA_DUE_AT: Case.sla_due_at,
        CaseSort.NUMBER: Case.number,
        CaseSort.PRIORITY: priority_rank(),
    },
    case_conditions,
)


def list_cases(
    session: Session,
    principal: Principal,
    query: CaseQuery = CaseQuery(),
    *,
    sort: CaseSort = CaseSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return CASES.page(session, principal, query, sort=sort, descending=descending, page=page, columns=columns)
