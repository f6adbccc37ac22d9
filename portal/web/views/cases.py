"""Case pages: open a case, the comment thread, attachments, the SLA clock, status and routing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import undefer
from starlette.responses import Response

from portal.access import get_visible, load_by_ids, load_children
from portal.cases import service as cases
from portal.errors import InvalidInput
from portal.models import (
    CaseAttachment,
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
from portal.web.views import pickers

# Shown inline in the browser; everything else is a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


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
        if p.is_owner:
            chosen = ctx.form.values() if form == "route" else {"routed_to_id": str(case.routed_to_id or "")}
            partners = pickers.picker(db, p, "organizations", "routed_to_id", chosen)
        now = utcnow()
        remaining = case.sla_due_at - now
        actions = [
            name
            for name, (allowed, _target) in cases.TRANSITIONS.items()
            if case.status in allowed
            and (name != "close" or p.is_owner or case.opened_by_org_id in p.org_ids)
        ]
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
            remaining_hours=abs(int(remaining.total_seconds() // 3600)),
            remaining_minutes=abs(int(remaining.total_seconds() // 60)) % 60,
            actions=actions if p.can_write else [],
            action_labels=ACTION_LABELS,
            form=form,
            errors=errors or FormErrors(),
            values=ctx.form.values() if errors is not None else {},
            edit_values=ctx.form.values()
            if form == "edit"
            else {"subject": case.subject, "description": case.description, "priority": case.priority.value},
            priorities=[(level.value, ctx._(labels.PRIORITY[level])) for level in CasePriority],
            closed=case.status is CaseStatus.CLOSED,
            max_mb=self.web.settings.max_attachment_bytes // (1024 * 1024),
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
                internal=ctx.principal.is_owner and ctx.form.checkbox("internal"),
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
                internal=ctx.principal.is_owner and ctx.form.checkbox("internal"),
                max_bytes=limit,
            )
            return ctx._("The file has been attached.")

        return self._act(ctx, "attach", action)

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
        safe_name = "".join(ch for ch in attachment.filename if ch.isalnum() or ch in "._- ") or "file"
        return Response(
            attachment.data,
            media_type=attachment.content_type,
            headers={
                "content-disposition": f'{disposition}; filename="{safe_name}"',
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

        def action() -> str:
            raw = ctx.form.text("priority")
            try:
                priority = CasePriority(raw)
            except ValueError:
                raise InvalidInput("priority", "unknown value") from None
            cases.update_case(
                uow=ctx.uow,
                principal=ctx.principal,
                case_id=ctx.request.path_params["case_id"],
                subject=ctx.form.text("subject"),
                description=ctx.form.text("description"),
                priority=priority,
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
        if ctx.request.method == "GET":
            values = {k: ctx.request.query_params.get(k, "") for k in ("customer_id", "order_id")}
            return self._new_form(ctx, FormErrors(), values)
        if pickers.is_search(ctx):
            return self._new_form(ctx, FormErrors(), ctx.form.values())

        def create() -> Response:
            try:
                priority = CasePriority(ctx.form.text("priority") or "normal")
            except ValueError:
                raise InvalidInput("priority", "unknown value") from None
            case = cases.open_case(
                uow=ctx.uow,
                principal=ctx.principal,
                subject=ctx.form.text("subject"),
                description=ctx.form.text("description"),
                priority=priority,
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
            errors=errors,
            values=values,
        )


ACTION_LABELS = {
    "start": labels.N_("Start work"),
    "wait": labels.N_("Wait for reply"),
    "resolve": labels.N_("Resolve"),
    "reopen": labels.N_("Reopen"),
    "close": labels.N_("Close"),
}
