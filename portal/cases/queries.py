"""Case lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import FIRST_PAGE, Page, PageRequest, matches, paginate, search_pattern
from portal.models import Case, CasePriority, CaseStatus

OPEN_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING})


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


def list_cases(
    session: Session,
    principal: Principal,
    *,
    filter: CaseFilter = CaseFilter(),
    sort: CaseSort = CaseSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
) -> Page[Case]:
    stmt = visible(principal, Case)
    if filter.statuses:
        stmt = stmt.where(Case.status.in_(filter.statuses))
    if filter.priorities:
        stmt = stmt.where(Case.priority.in_(filter.priorities))
    if filter.customer_id is not None:
        stmt = stmt.where(Case.customer_id == filter.customer_id)
    if filter.order_id is not None:
        stmt = stmt.where(Case.order_id == filter.order_id)
    if filter.routed_to_id is not None:
        stmt = stmt.where(Case.routed_to_id == filter.routed_to_id)
    if filter.search:
        stmt = stmt.where(matches(search_pattern(filter.search), Case.number, Case.subject))
    if filter.due_before is not None:
        stmt = stmt.where(Case.sla_due_at < filter.due_before, Case.status.in_(OPEN_STATUSES))
    column: Any = {
        CaseSort.CREATED_AT: Case.created_at,
        CaseSort.SLA_DUE_AT: Case.sla_due_at,
        CaseSort.NUMBER: Case.number,
        CaseSort.PRIORITY: priority_rank(),
    }[sort]
    return paginate(session, stmt, Case, sort_column=column, descending=descending, page=page)
