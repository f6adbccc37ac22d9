"""Task pages: "my day", the week, a new task, a task's page (edit, done, open again).

The list of tasks (filters, sorts, CSV) is the tasks list of `portal.web.views.lists`; these pages
read the same read model through `portal.tasks.agenda`. Everything works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from starlette.responses import Response

from portal import validation
from portal.access import get_visible, load_by_ids
from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.models import Customer, Task, User
from portal.partners.queries import UserQuery, list_users
from portal.reading import PageRequest
from portal.tasks import agenda
from portal.tasks import service as tasks
from portal.tasks.service import MAX_NOTES
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.i18n import TIMEZONE
from portal.web.views import pickers


def today() -> date:
    return datetime.now(TIMEZONE).date()


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    tasks: list[Any]
    appointments: list[Any]
    is_today: bool


def _safe_next(target: str, fallback: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else fallback


class TaskViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    # -- my day and the week -------------------------------------------------------------------
    def my_day(self, ctx: Ctx) -> Response:
        day = today()
        found = agenda.my_day(ctx.db, ctx.principal, user_id=ctx.user_id, today=day, zone=TIMEZONE)
        return ctx.render(
            "tasks_day.html",
            today=day,
            tasks=found.tasks,
            appointments=found.appointments,
            more=found.more,
            customers=self._customers(ctx, found),
            may_create=may.can_create_task(ctx.principal),
        )

    def week(self, ctx: Ctx) -> Response:
        raw = ctx.request.query_params.get("week", "")
        try:
            chosen = date.fromisoformat(raw) if raw else today()
        except ValueError:
            raise InvalidInput("week", "is not a date") from None
        if not tasks.EARLIEST <= chosen <= tasks.LATEST:
            raise InvalidInput("week", "must lie in the years 2000 to 2099")
        monday = agenda.week_start(chosen)
        found = agenda.week(ctx.db, ctx.principal, user_id=ctx.user_id, monday=monday, zone=TIMEZONE)
        now = today()
        days = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            days.append(
                Day(
                    day,
                    [t for t in found.tasks if t.due_on == day],
                    [a for a in found.appointments if a.starts_at.astimezone(TIMEZONE).date() == day],
                    day == now,
                )
            )
        return ctx.render(
            "tasks_week.html",
            days=days,
            monday=monday,
            previous=monday - timedelta(days=7),
            following=monday + timedelta(days=7),
            this_week=agenda.week_start(now),
            more=found.more,
            customers=self._customers(ctx, found),
            today=now,
        )

    def _customers(self, ctx: Ctx, found: agenda.Agenda) -> dict[int, str]:
        ids = {a.customer_id for a in found.appointments} | {
            t.customer_id for t in found.tasks if t.customer_id
        }
        return {i: c.name for i, c in load_by_ids(ctx.db, ctx.principal, Customer, ids).items()}

    # -- a new task, a task's page --------------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_create_task(ctx.principal), "create tasks")
        if ctx.request.method == "GET":
            values = {
                "customer_id": ctx.request.query_params.get("customer_id", ""),
                "due_on": today().isoformat(),
                "assignee_id": str(ctx.user_id),
            }
            return self._form(ctx, None, FormErrors(), values)
        if pickers.is_search(ctx):
            return self._form(ctx, None, FormErrors(), ctx.form.values())

        def create() -> Response:
            self._validate(ctx)
            task = tasks.create_task(
                uow=ctx.uow,
                principal=ctx.principal,
                subject=ctx.form.text("subject"),
                due_on=ctx.form.date("due_on", required=True) or today(),
                assignee_id=ctx.form.integer("assignee_id"),
                customer_id=ctx.form.integer("customer_id"),
                notes=ctx.form.text("notes"),
            )
            return ctx.redirect(f"/tasks/{task.id}", ctx._("The task has been created."))

        return ctx.attempt(create, lambda errors: self._form(ctx, None, errors, ctx.form.values()))

    def detail(self, ctx: Ctx) -> Response:
        task = get_visible(ctx.db, ctx.principal, Task, ctx.request.path_params["task_id"])
        if ctx.request.method == "GET":
            return self._form(ctx, task, FormErrors(), _values(task))
        if pickers.is_search(ctx):
            return self._form(ctx, task, FormErrors(), ctx.form.values())

        def save() -> Response:
            self._validate(ctx)
            tasks.update_task(
                uow=ctx.uow,
                principal=ctx.principal,
                task_id=task.id,
                subject=ctx.form.text("subject"),
                notes=ctx.form.text("notes"),
                due_on=ctx.form.date("due_on", required=True),
                assignee_id=ctx.form.integer("assignee_id", required=True),
                customer_id=ctx.form.integer("customer_id"),
            )
            return ctx.redirect(f"/tasks/{task.id}", ctx._("The task has been saved."))

        return ctx.attempt(save, lambda errors: self._form(ctx, task, errors, ctx.form.values()))

    def done(self, ctx: Ctx) -> Response:
        return self._toggle(ctx, done=True)

    def reopen(self, ctx: Ctx) -> Response:
        return self._toggle(ctx, done=False)

    def _toggle(self, ctx: Ctx, *, done: bool) -> Response:
        task_id = ctx.request.path_params["task_id"]
        back = _safe_next(ctx.form.text("next"), f"/tasks/{task_id}")

        def act() -> Response:
            if done:
                tasks.complete_task(uow=ctx.uow, principal=ctx.principal, task_id=task_id)
                return ctx.redirect(back, ctx._("The task is done."))
            tasks.reopen_task(uow=ctx.uow, principal=ctx.principal, task_id=task_id)
            return ctx.redirect(back, ctx._("The task is open again."))

        def again(errors: FormErrors) -> Response:
            task = get_visible(ctx.db, ctx.principal, Task, task_id)
            return self._form(ctx, task, errors, _values(task))

        return ctx.attempt(act, again)

    def _validate(self, ctx: Ctx) -> None:
        ctx.form.validate(  # every wrong field at once; the service checks them again
            lambda: validation.required_text("subject", ctx.form.text("subject")),
            lambda: validation.text("notes", ctx.form.text("notes"), max_length=MAX_NOTES, required=False),
            lambda: ctx.form.date("due_on", required=True),
            lambda: ctx.form.integer("assignee_id", required=True),
            lambda: ctx.form.integer("customer_id"),
        )

    def _form(self, ctx: Ctx, task: Task | None, errors: FormErrors, values: dict[str, str]) -> Response:
        db, p = ctx.db, ctx.principal
        editable = task is None or may.can_change_task(p, task)
        customers = (
            None
            if p.is_supplier or not editable
            else pickers.picker(db, p, "customers", "customer_id", values)
        )
        assignee = customer = None
        if task is not None:
            assignee = load_by_ids(db, p, User, [task.assignee_id]).get(task.assignee_id)
            if task.customer_id is not None:
                customer = load_by_ids(db, p, Customer, [task.customer_id]).get(task.customer_id)
        return ctx.render(
            "task.html",
            status_code=400 if errors else 200,
            task=task,
            editable=editable,
            assignees=self._assignees(ctx, task),
            assignee=assignee,
            customer=customer,
            customers=customers,
            errors=errors,
            values=values,
            overdue=task is not None and task.done_at is None and task.due_on < today(),
        )

    def _assignees(self, ctx: Ctx, task: Task | None) -> list[tuple[int, str]]:
        """The colleagues a task may be assigned to: the active users of the task's organization who
        may write (the service checks it again)."""
        organization_id = task.organization_id if task is not None else ctx.principal.org_id
        page = list_users(
            ctx.db, ctx.principal, UserQuery(organization_id=organization_id), page=PageRequest(first=100)
        )
        return [
            (u.id, u.name)
            for u in page.items
            if u.is_active and frozenset(r for r in u.roles.split(",") if r) - {"viewer"}
        ]


def _values(task: Task) -> dict[str, str]:
    return {
        "subject": task.subject,
        "notes": task.notes,
        "due_on": task.due_on.isoformat(),
        "assignee_id": str(task.assignee_id),
        "customer_id": str(task.customer_id or ""),
    }
