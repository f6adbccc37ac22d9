"""The task mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.gql.base import mutation, opt_pk, pk, reload, run
from portal.gql.errors import UserError
from portal.gql.tasks.inputs import CreateTaskInput, TaskIdInput, UpdateTaskInput
from portal.gql.tasks.types import Task
from portal.tasks import service as tasks


@strawberry.type
class TaskPayload:
    task: Task | None
    user_errors: list[UserError]


@strawberry.type
class TasksMutation:
    @mutation(description="A task of the caller's organization, assigned to the caller or a colleague.")
    def create_task(self, info: strawberry.Info, input: CreateTaskInput) -> TaskPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return tasks.create_task(
                uow=uow,
                principal=p,
                subject=input.subject,
                due_on=input.due_on,
                assignee_id=opt_pk(input.assignee, "User", "user"),
                customer_id=opt_pk(input.customer, "Customer", "customer"),
                notes=input.notes,
            ).id

        ident, errors = run(info, act)
        return TaskPayload(task=reload(info, m.Task, Task, ident), user_errors=errors)

    @mutation(description="Change a task's subject, notes, due day, assignee or customer.")
    def update_task(self, info: strawberry.Info, input: UpdateTaskInput) -> TaskPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return tasks.update_task(
                uow=uow,
                principal=p,
                task_id=pk(input.task, "Task", "task"),
                subject=input.subject,
                notes=input.notes,
                due_on=input.due_on,
                assignee_id=opt_pk(input.assignee, "User", "user"),
                customer_id=(
                    tasks.KEEP if input.customer is UNSET else opt_pk(input.customer, "Customer", "customer")
                ),
            ).id

        ident, errors = run(info, act)
        return TaskPayload(task=reload(info, m.Task, Task, ident), user_errors=errors)

    @mutation(description="Mark a task done.")
    def complete_task(self, info: strawberry.Info, input: TaskIdInput) -> TaskPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return tasks.complete_task(uow=uow, principal=p, task_id=pk(input.task, "Task", "task")).id

        ident, errors = run(info, act)
        return TaskPayload(task=reload(info, m.Task, Task, ident), user_errors=errors)

    @mutation(description="Mark a done task open again.")
    def reopen_task(self, info: strawberry.Info, input: TaskIdInput) -> TaskPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return tasks.reopen_task(uow=uow, principal=p, task_id=pk(input.task, "Task", "task")).id

        ident, errors = run(info, act)
        return TaskPayload(task=reload(info, m.Task, Task, ident), user_errors=errors)
