"""The task connection."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.gql.base import Connection, ctx, field
from portal.gql.connection import connection
from portal.gql.tasks.inputs import TaskFilter, TaskOrder, task_query
from portal.gql.tasks.types import Task
from portal.tasks.queries import list_tasks


@strawberry.type
class TasksQuery:
    @field(description="Tasks of the caller's organizations (owner staff: every task).")
    def tasks(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: TaskFilter | None = None,
        order_by: TaskOrder | None = None,
    ) -> Connection[Task]:
        query = task_query(filter, ctx(info).principal.user_id)
        return connection(
            info, list_tasks, query, order_by or TaskOrder(), Task, m.Task,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip
