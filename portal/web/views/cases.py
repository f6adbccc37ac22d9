"""Case pages: open a case, the comment thread, attachments, the SLA clock, status and routing."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy.orm import undefer
from starlette.responses import Response

from portal import validation
from portal.access import get_visible, load_by_ids, load_children
from portal.access import permissions as may
from portal.cases import service as cases
from portal.errors import InvalidInput
from portal.models import (
    CaseAttachment,
    CaseCategory,
    CaseComment,
    CasePriority,
    CaseStatus,
    Customer,
    Order,
    Organization,
)
from portal.models.base import utcnow
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.i18n import Formatter
from portal.web.views import pickers

# Shown inline in the browser; everything else is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII ``filename`` for old clients plus ``filename*=UTF-8''...`` with the real
    name (HTTP headers are Latin-1: a name like ``Łódź-€-测试.pdf`` cannot go in as it is)."""
    readable = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = "".join(ch for ch in readable if ch.isalnum() or ch in "._- ").strip()
    if not fallback or fallback.startswith("."):
        fallback = "file" + fallback
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class CaseViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["case_id"])

    def _render(
        self, ctx: Ctx, case_id: int, *, form: str = "", errors: FormErrors | None = None
    ) -> Response:
        db, p = ctx.db, ctx.principal
        case = cases.load_case(ctx.uow, p, case_id)
        comments = load_children(db, p, CaseComment, "case_id", [case.id])[case.id]
        attachments = load_children(db, p, CaseAttachment, "case_id", [case.id])[case.id]
        orgs = load_by_ids(db, p, Organization, {i for i in (case.routed_to_id, case.opened_by_org_id) if i})
        customer = (
            load_by_ids(db, p, Customer, [case.customer_id]).get(case.customer_id)
            if case.customer_id
            else None
        )
        order = load_by_ids(db, p, Order, [case.order_id]).get(case.order_id) if case.order_id else None
        partners = None
        if may.can_route_case(p):
            chosen = ctx.form.values() if form == "route" else {"routed_to_id": str(case.routed_to_id or "")}
            partners = pickers.picker(db, p, "organizations", "routed_to_id", chosen)
        remaining = case.sla_due_at - utcnow()
        actions = cases.status_actions(p, case)
        return ctx.render(
            "case.html",
            status_code=400 if errors else 200,
            case=case,
            comments=comments,
            attachments=attachments,
            orgs=orgs,
            customer=customer,
            order=order,
            partners=partners,
            labels=labels.ALL,
            overdue=remaining.total_seconds() < 0 and case.status.value in ("open", "in_progress", "waiting"),
            sla_clock=sla_clock(remaining),
            actions=actions,
            action_labels=ACTION_LABELS,
            confirm_actions=CONFIRM_ACTIONS,
            form=form,
            errors=errors or FormErrors(),
            values=ctx.form.values() if errors is not None else {},
            edit_values=ctx.form.values()
            if form == "edit"
            else {
                "subject": case.subject,
                "description": case.description,
                "priority": case.priority.value,
                "category": case.category.value,
            },
            priorities=[(level.value, ctx._(labels.PRIORITY[level])) for level in CasePriority],
            categories=_categories(ctx),
            closed=case.status is CaseStatus.CLOSED,
            max_size=Formatter(ctx.locale).file_size(self.web.settings.max_attachment_bytes),
            accept=",".join(sorted(cases.ALLOWED_ATTACHMENT_TYPES)),
        )

    def _act(self, ctx: Ctx, form: str, action: Callable[[], str]) -> Response:
        case_id = ctx.request.path_params["case_id"]

        def run() -> Response:
            return ctx.redirect(f"/cases/{case_id}", action())

        return ctx.attempt(run, lambda errors: self._render(ctx, case_id, form=form, errors=errors))

    def comment(self, ctx: Ctx) -> Response:
        def action() -> str:
            cases.add_comment(
                uow=ctx.uow,
                principal=ctx.principal,
                case_id=ctx.request.path_params["case_id"],
                body=ctx.form.text("body"),
                internal=may.can_comment_case(ctx.principal, internal=True) and ctx.form.checkbox("internal"),
            )
            return ctx._("Your comment has been added.")

        return self._act(ctx, "comment", action)

    def attach(self, ctx: Ctx) -> Response:
        def action() -> str:
            upload = ctx.form.upload("file")
            if upload is None:
                raise InvalidInput("file", "choose a file")
            limit = self.web.settings.max_attachment_bytes
            data = upload.file.read(limit + 1)
            if len(data) > limit:
                raise InvalidInput("file", self._too_large_message(ctx))
            cases.add_attachment(
                uow=ctx.uow,
                principal=ctx.principal,
                case_id=ctx.request.path_params["case_id"],
                filename=upload.filename or "file",
                content_type=(upload.content_type or "application/octet-stream")
                .split(";")[0]
                .strip()
                .lower(),
                data=data,
                internal=may.can_attach_file(ctx.principal, internal=True) and ctx.form.checkbox("internal"),
                max_bytes=limit,
            )
            comment = ctx.form.text("comment")
            if comment:
                cases.add_comment(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    case_id=ctx.request.path_params["case_id"],
                    body=comment,
                    internal=may.can_comment_case(ctx.principal, internal=True)
                    and ctx.form.checkbox("internal"),
                )
            return ctx._("The file has been attached.")

        return self._act(ctx, "attach", action)

    def attach_too_large(self, ctx: Ctx) -> Response:
        """An upload whose request is over the limit (not read): the case page again, the error
        at the file field."""
        return self._render(
            ctx,
            ctx.request.path_params["case_id"],
            form="attach",
            errors=FormErrors(fields={"file": self._too_large_message(ctx)}),
        )

    def _too_large_message(self, ctx: Ctx) -> str:
        size = Formatter(ctx.locale).file_size(self.web.settings.max_attachment_bytes)
        return ctx._("The file is larger than %(size)s. Choose a smaller file.", size=size)

    def download(self, ctx: Ctx) -> Response:
        case = cases.load_case(ctx.uow, ctx.principal, ctx.request.path_params["case_id"])
        attachment = get_visible(
            ctx.db,
            ctx.principal,
            CaseAttachment,
            ctx.request.path_params["attachment_id"],
            options=[undefer(CaseAttachment.data)],
        )
        if attachment.case_id != case.id:
            return self.web.error_page(ctx.request, 404, ctx.principal)
        disposition = "inline" if attachment.content_type in INLINE_TYPES else "attachment"
        return Response(
            attachment.data,
            media_type=attachment.content_type,
            headers={
                "content-disposition": content_disposition(disposition, attachment.filename),
                "content-security-policy": "default-src 'none'; sandbox",
                "cache-control": "private, no-store",
            },
        )

    def status(self, ctx: Ctx) -> Response:
        def action() -> str:
            cases.change_status(
                uow=ctx.uow,
                principal=ctx.principal,
                case_id=ctx.request.path_params["case_id"],
                action=ctx.form.text("action"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The status has been changed.")

        return self._act(ctx, "status", action)

    def edit(self, ctx: Ctx) -> Response:
        """Subject, description and priority (a new priority moves the SLA deadline)."""

        def read_priority() -> CasePriority | None:
            if "priority" not in ctx.form:  # not shown to a role that may not change it
                return None
            try:
                return CasePriority(ctx.form.text("priority"))
            except ValueError:
                raise InvalidInput("priority", "unknown value") from None

        def read_category() -> CaseCategory | None:
            if "category" not in ctx.form:  # not shown to a role that may not change it
                return None
            return _category(ctx.form.text("category"))

        def read_text(field: str) -> str | None:
            return ctx.form.text(field) if field in ctx.form else None

        def action() -> str:
            checks: list[Callable[[], object]] = [read_priority, read_category]
            if "subject" in ctx.form:
                checks.append(lambda: validation.required_text("subject", ctx.form.text("subject")))
            if "description" in ctx.form:
                checks.append(
                    lambda: validation.text(
                        "description", ctx.form.text("description"), max_length=10000, required=False
                    )
                )
            ctx.form.validate(*checks)  # every wrong field at once; the service checks them again
            cases.update_case(
                uow=ctx.uow,
                principal=ctx.principal,
                case_id=ctx.request.path_params["case_id"],
                changes=cases.CaseChanges(
                    subject=read_text("subject"),
                    description=read_text("description"),
                    priority=read_priority(),
                    category=read_category(),
                ),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The case has been updated.")

        return self._act(ctx, "edit", action)

    def route(self, ctx: Ctx) -> Response:
        if pickers.is_search(ctx):
            return self._render(ctx, ctx.request.path_params["case_id"], form="route", errors=FormErrors())

        def action() -> str:
            cases.route_case(
                uow=ctx.uow,
                principal=ctx.principal,
                case_id=ctx.request.path_params["case_id"],
                organization_id=ctx.form.integer("routed_to_id"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The case has been routed.")

        return self._act(ctx, "route", action)

    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_open_case(ctx.principal), "open cases")
        if ctx.request.method == "GET":
            values = {k: ctx.request.query_params.get(k, "") for k in ("customer_id", "order_id")}
            return self._new_form(ctx, FormErrors(), values)
        if pickers.is_search(ctx):
            return self._new_form(ctx, FormErrors(), ctx.form.values())

        def read_priority() -> CasePriority:
            try:
                return CasePriority(ctx.form.text("priority") or "normal")
            except ValueError:
                raise InvalidInput("priority", "unknown value") from None

        def create() -> Response:
            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: validation.required_text("subject", ctx.form.text("subject")),
                lambda: validation.text(
                    "description", ctx.form.text("description"), max_length=10000, required=False
                ),
                read_priority,
                lambda: _category(ctx.form.text("category") or "other"),
                lambda: ctx.form.integer("customer_id"),
                lambda: ctx.form.integer("order_id"),
            )
            priority = read_priority()
            case = cases.open_case(
                uow=ctx.uow,
                principal=ctx.principal,
                subject=ctx.form.text("subject"),
                description=ctx.form.text("description"),
                priority=priority,
                category=_category(ctx.form.text("category") or "other"),
                customer_id=ctx.form.integer("customer_id"),
                order_id=ctx.form.integer("order_id"),
            )
            return ctx.redirect(
                f"/cases/{case.id}", ctx._("Case %(number)s has been opened.", number=case.number)
            )

        return ctx.attempt(create, lambda errors: self._new_form(ctx, errors, ctx.form.values()))

    def _new_form(self, ctx: Ctx, errors: FormErrors, values: dict[str, str]) -> Response:
        customers = None
        if not ctx.principal.is_supplier:
            customers = pickers.picker(ctx.db, ctx.principal, "customers", "customer_id", values)
        return ctx.render(
            "case_new.html",
            status_code=400 if errors else 200,
            customers=customers,
            priorities=[(level.value, ctx._(labels.PRIORITY[level])) for level in CasePriority],
            categories=_categories(ctx),
            errors=errors,
            values=values,
        )


def _category(value: str) -> CaseCategory:
    try:
        return CaseCategory(value)
    except ValueError:
        raise InvalidInput("category", "unknown value") from None


def _categories(ctx: Ctx) -> list[tuple[str, str]]:
    return [(category.value, ctx._(labels.CASE_CATEGORY[category])) for category in CaseCategory]


# Actions that end work on a case ask once more before they run.
CONFIRM_ACTIONS = {
    "resolve": (
        labels.N_("Mark this case as resolved? The customer's issue then counts as solved."),
        labels.N_("Yes, resolve"),
    ),
    "close": (
        labels.N_("Close this case? Nobody can comment on it or change it until it is reopened."),
        labels.N_("Yes, close"),
    ),
}
ACTION_LABELS = {
    "start": labels.N_("Start work"),
    "wait": labels.N_("Wait for reply"),
    "resolve": labels.N_("Resolve"),
    "reopen": labels.N_("Reopen"),
    "close": labels.N_("Close"),
}


def sla_clock(remaining: timedelta) -> dict[str, int]:
    """Days, hours and minutes between now and the SLA deadline, either way round (the page says
    whether it is time left or overdue). Computed on the absolute value: flooring a negative
    duration would add an hour to every overdue case."""
    days, rest = divmod(abs(int(remaining.total_seconds())), 86400)
    hours, rest = divmod(rest, 3600)
    return {"d": days, "h": hours, "m": rest // 60}
