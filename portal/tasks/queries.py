"""The read model of tasks: one query type, one sort, one conditions function, one list."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from portal.access import Principal
from portal.models import Task
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """Which tasks a list shows (docs/developing.md, "Read models"). Days are calendar days (a
    task is due on a day, not at a moment): ``due_from`` inclusive, ``due_before`` exclusive, so
    "overdue and due today" is ``due_before=tomorrow``."""

    assignee_id: int | None = None
    customer_id: int | None = None
    done: bool | None = None  # True: done only; False: open only; None: both
    due_from: date | None = None
    due_before: date | None = None


class TaskSort(enum.StrEnum):
    DUE_ON = "due_on"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


def task_conditions(q: TaskQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.assignee_id is not None:
        conds.append(Task.assignee_id == q.assignee_id)
    if q.customer_id is not None:
        conds.append(Task.customer_id == q.customer_id)
    if q.done is not None:
        conds.append(Task.done_at.is_not(None) if q.done else Task.done_at.is_(None))
    if q.due_from is not None:
        conds.append(Task.due_on >= q.due_from)
    if q.due_before is not None:
        conds.append(Task.due_on < q.due_before)
    return conds


TASKS = Keyset(
    "task",
    Task,
    {
        TaskSort.DUE_ON: Task.due_on,
        TaskSort.CREATED_AT: Task.created_at,
        TaskSort.UPDATED_AT: Task.updated_at,
    },
    task_conditions,
)


def list_tasks(
    session: Session,
    principal: Principal,
    query: TaskQuery = TaskQuery(),
    *,
    sort: TaskSort = TaskSort.DUE_ON,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return TASKS.page(session, principal, query, sort=sort, descending=descending, page=page, columns=columns)
