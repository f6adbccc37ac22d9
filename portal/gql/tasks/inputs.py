"""The task connection's filter and ordering, and the inputs of the task mutations."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import UNSET

from portal.errors import InvalidInput
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id
from portal.tasks.queries import TaskQuery, TaskSort

TaskSortField = strawberry.enum(TaskSort, name="TaskSortField")


@strawberry.input
class TaskFilter:
    assigned_to_me: bool | None = strawberry.field(
        default=None, description="True: only the caller's tasks (a user; an API token has none)."
    )
    assignee: strawberry.ID | None = strawberry.field(default=None, description="Only this user's tasks.")
    customer: strawberry.ID | None = None
    done: bool | None = strawberry.field(default=None, description="True: done only; false: open only.")
    due_from: date | None = strawberry.field(default=None, description="Due on or after this day.")
    due_before: date | None = strawberry.field(
        default=None, description="Due before this day (overdue and due today: dueBefore = tomorrow)."
    )


@strawberry.input
class TaskOrder:
    field: TaskSort = TaskSort.DUE_ON
    direction: SortDirection = SortDirection.ASC


def task_query(f: TaskFilter | None, user_id: int | None) -> TaskQuery:
    if f is None:
        return TaskQuery()
    assignee = filter_id("filter.assignee", f.assignee, "User")
    if f.assigned_to_me:
        if user_id is None:
            raise InvalidInput("filter.assignedToMe", "an API token has no tasks of its own")
        if assignee is not None and assignee != user_id:
            raise InvalidInput("filter.assignee", "contradicts assignedToMe")
        assignee = user_id
    return TaskQuery(
        assignee_id=assignee,
        customer_id=filter_id("filter.customer", f.customer, "Customer"),
        done=f.done,
        due_from=f.due_from,
        due_before=f.due_before,
    )


@strawberry.input
class CreateTaskInput:
    subject: str
    due_on: date
    assignee: strawberry.ID | None = strawberry.field(
        default=None, description="A user of the caller's organization; omitted: the calling user."
    )
    customer: strawberry.ID | None = None
    notes: str = ""


@strawberry.input
class UpdateTaskInput:
    task: strawberry.ID
    subject: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    notes: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    due_on: date | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    assignee: strawberry.ID | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    customer: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Omitted: unchanged; null: no customer."
    )


@strawberry.input
class TaskIdInput:
    task: strawberry.ID
