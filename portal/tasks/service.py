"""Creating, changing, completing and reopening tasks (issue #18, part 6).

A task belongs to the organization of whoever creates it and is assigned to one of its active
users who may write (the owner's tasks: to the owner's staff). Every change writes a ``task.*``
event; a new assignee other than the actor also gets ``task.assigned`` (the notifier tells them).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Final

from portal import validation
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState, NotFound
from portal.events import record
from portal.models import Customer, Task, User
from portal.models.base import utcnow

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_NOTES = 20000


class _Keep(Enum):
    KEEP = "keep"


KEEP: Final = _Keep.KEEP  # update_task: leave the field as it is


def _due(due_on: date) -> date:
    if not isinstance(due_on, date):
        raise InvalidInput("due_on", "is not a date")
    if not EARLIEST <= due_on <= LATEST:
        raise InvalidInput("due_on", "must lie in the years 2000 to 2099")
    return due_on


def _assignee(uow: UnitOfWork, principal: Principal, organization_id: int, user_id: int) -> User:
    """A user of the task's own organization, active and allowed to write (a read-only viewer
    could not complete it). A user of another organization answers like a missing one."""
    problem = "must be an active user of the task's organization who may write"
    try:
        user = get_visible(uow.session, principal, User, user_id)
    except NotFound:
        raise InvalidInput("assignee", problem) from None
    if user.organization_id != organization_id or not user.is_active or not (user.role_set - {"viewer"}):
        raise InvalidInput("assignee", problem)
    return user


def _customer(uow: UnitOfWork, principal: Principal, customer_id: int | None) -> int | None:
    if customer_id is None:
        return None
    return get_visible(uow.session, principal, Customer, customer_id).id


def create_task(
    *,
    uow: UnitOfWork,
    principal: Principal,
    subject: str,
    due_on: date,
    assignee_id: int | None = None,
    customer_id: int | None = None,
    notes: str = "",
) -> Task:
    may.require(principal, may.can_create_task(principal), "create tasks")
    if assignee_id is None:
        if principal.user_id is None:
            raise InvalidInput("assignee", "an API token must name the user to assign the task to")
        assignee_id = principal.user_id
    task = Task(
        organization_id=principal.org_id,
        assignee_id=_assignee(uow, principal, principal.org_id, assignee_id).id,
        customer_id=_customer(uow, principal, customer_id),
        created_by_id=principal.user_id,
        subject=validation.required_text("subject", subject),
        notes=validation.text("notes", notes, max_length=MAX_NOTES, required=False) or "",
        due_on=_due(due_on),
    )
    uow.session.add(task)
    uow.flush()
    record(uow, principal, "task.created", "task", task.id, subject=task.subject, due_on=task.due_on,
           assignee_id=task.assignee_id, customer_id=task.customer_id)  # fmt: skip
    _announce(uow, principal, task)
    return task


def update_task(
    *,
    uow: UnitOfWork,
    principal: Principal,
    task_id: int,
    subject: str | None = None,
    notes: str | None = None,
    due_on: date | None = None,
    assignee_id: int | None = None,
    customer_id: int | _Keep | None = KEEP,
) -> Task:
    """Change the fields given (``None``: unchanged; ``customer_id=None`` unlinks the customer)."""
    task = get_visible(uow.session, principal, Task, task_id, for_update=True)
    may.require(principal, may.can_change_task(principal, task), "change this task")
    changed: dict[str, object] = {}
    if subject is not None:
        changed["subject"] = validation.required_text("subject", subject)
    if notes is not None:
        changed["notes"] = validation.text("notes", notes, max_length=MAX_NOTES, required=False) or ""
    if due_on is not None:
        changed["due_on"] = _due(due_on)
    if assignee_id is not None:
        changed["assignee_id"] = _assignee(uow, principal, task.organization_id, assignee_id).id
    if customer_id is not KEEP:
        changed["customer_id"] = _customer(uow, principal, customer_id)
    changed = {key: value for key, value in changed.items() if getattr(task, key) != value}
    if not changed:
        return task
    reassigned = "assignee_id" in changed
    for key, value in changed.items():
        setattr(task, key, value)
    uow.flush()
    record(uow, principal, "task.updated", "task", task.id, changed=sorted(changed))
    if reassigned:
        _announce(uow, principal, task)
    return task


def _announce(uow: UnitOfWork, principal: Principal, task: Task) -> None:
    if task.assignee_id != principal.user_id:
        record(uow, principal, "task.assigned", "task", task.id, assignee_id=task.assignee_id,
               subject=task.subject, due_on=task.due_on)  # fmt: skip


def complete_task(*, uow: UnitOfWork, principal: Principal, task_id: int) -> Task:
    task = get_visible(uow.session, principal, Task, task_id, for_update=True)
    may.require(principal, may.can_change_task(principal, task), "complete this task")
    if task.done_at is not None:
        raise InvalidState("task", "done", "complete")
    task.done_at = utcnow()
    uow.flush()
    record(uow, principal, "task.completed", "task", task.id)
    return task


def reopen_task(*, uow: UnitOfWork, principal: Principal, task_id: int) -> Task:
    task = get_visible(uow.session, principal, Task, task_id, for_update=True)
    may.require(principal, may.can_change_task(principal, task), "reopen this task")
    if task.done_at is None:
        raise InvalidState("task", "open", "reopen")
    task.done_at = None
    uow.flush()
    record(uow, principal, "task.reopened", "task", task.id)
    return task
