"""The customer page: master data, contacts, the contact-history timeline, logging activities and
appointments, and (owner staff) sharing the customer with dealers and partners."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from starlette.responses import Response

from portal import validation
from portal.access import get_visible, load_by_ids, load_children
from portal.access import permissions as may
from portal.activities import service as activities
from portal.customers import service as customers
from portal.customers.log import customer_changes
from portal.customers.queries import assignments_for
from portal.errors import InvalidInput
from portal.models import ActivityKind, Contact, Customer, Organization, OrgKind
from portal.models.base import utcnow
from portal.partners.queries import OrganizationQuery, list_organizations
from portal.reading import PageRequest
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors, local_input
from portal.web.views import customer_forms, customer_log

LOGGABLE = (
    ActivityKind.CALL,
    ActivityKind.MEETING,
    ActivityKind.APPOINTMENT,
    ActivityKind.EMAIL,
    ActivityKind.NOTE,
)  # a task is its own entity with an assignee and a due day (/tasks/new, portal.tasks)


class CustomerViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["customer_id"])

    def _render(
        self, ctx: Ctx, customer_id: int, *, form: str = "", errors: FormErrors | None = None
    ) -> Response:
        db, p = ctx.db, ctx.principal
        customer = get_visible(db, p, Customer, customer_id)
        contacts = load_children(db, p, Contact, "customer_id", [customer.id])[customer.id]
        history = [
            _localised(entry, ctx) for entry in customers.contact_history(db, p, customer.id, limit=50)
        ]
        shared: list[Organization] = []
        dealers: list[Any] = []
        if p.is_owner:
            assigned = assignments_for(db, p, {customer.id})[customer.id]
            shared = list(load_by_ids(db, p, Organization, {a.organization_id for a in assigned}).values())
            dealers = list_organizations(
                db,
                p,
                OrganizationQuery(kinds=frozenset({OrgKind.DEALER, OrgKind.PARTNER})),
                page=PageRequest(first=100),
            ).items
        changes = None
        if may.can_read_customer_changes(p):
            entries = customer_changes(db, p, customer.id)
            names = {c.id: c.full_name for c in contacts if c.erased_at is None}
            org_ids = {
                i
                for e in entries
                for i in (e.payload.get("organization_id"), e.payload.get("shared_with"))
                if isinstance(i, int)
            }
            orgs = {o.id: o.name for o in load_by_ids(db, p, Organization, org_ids).values()}
            changes = [customer_log.describe(e, names, orgs, ctx._) for e in entries]
        start = (utcnow() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
        defaults = {
            "starts_at": local_input(start),
            "ends_at": local_input(start + timedelta(hours=1)),
            "kind": "call",
        }
        return ctx.render(
            "customer.html",
            status_code=200 if errors is None else 400,
            customer=customer,
            contacts=contacts,
            contact_options=[(c.id, c.full_name) for c in contacts],
            history=history,
            changes=changes,
            shared=shared,
            dealers=[d for d in dealers if d.id not in {s.id for s in shared}],
            kinds=[(k.value, labels.ACTIVITY[k]) for k in LOGGABLE],
            labels=labels.ALL,
            form=form,
            errors=errors or FormErrors(),
            values=ctx.form.values() if errors is not None else defaults,
        )

    def log(self, ctx: Ctx) -> Response:
        customer_id = ctx.request.path_params["customer_id"]

        def run() -> Response:
            def read_kind() -> ActivityKind:
                try:
                    return ActivityKind(ctx.form.text("kind"))
                except ValueError:
                    raise InvalidInput("kind", "unknown value") from None

            timed = ctx.form.text("kind") in (ActivityKind.MEETING.value, ActivityKind.APPOINTMENT.value)
            ctx.form.validate(  # every wrong field at once; the service checks them again
                read_kind,
                lambda: validation.required_text("subject", ctx.form.text("subject")),
                lambda: ctx.form.local_datetime("starts_at", required=timed),
                lambda: ctx.form.local_datetime("ends_at", required=timed),
                lambda: ctx.form.integer("contact_id"),
            )
            kind = read_kind()
            starts_at = ctx.form.local_datetime("starts_at", required=timed) if timed else None
            ends_at = ctx.form.local_datetime("ends_at", required=timed) if timed else None
            activities.log_activity(
                uow=ctx.uow,
                principal=ctx.principal,
                customer_id=customer_id,
                kind=kind,
                subject=ctx.form.text("subject"),
                body=ctx.form.text("body"),
                contact_id=ctx.form.integer("contact_id"),
                starts_at=starts_at,
                ends_at=ends_at,
                due_at=ctx.form.local_datetime("starts_at") if kind is ActivityKind.TASK else None,
            )
            message = (
                ctx._("The appointment has been scheduled.")
                if timed
                else ctx._("The activity has been logged.")
            )
            return ctx.redirect(f"/customers/{customer_id}", message)

        return ctx.attempt(run, lambda errors: self._render(ctx, customer_id, form="log", errors=errors))

    def add_contact(self, ctx: Ctx) -> Response:
        customer_id = ctx.request.path_params["customer_id"]

        def run() -> Response:
            ctx.form.validate(  # every wrong field at once; the service checks them again
                *customer_forms.contact_checks(ctx),
                *customer_forms.consent_checks(ctx, None),
            )
            contact = customers.add_contact(
                uow=ctx.uow,
                principal=ctx.principal,
                customer_id=customer_id,
                first_name=ctx.form.text("first_name"),
                last_name=ctx.form.text("last_name"),
                email=ctx.form.optional("email"),
                phone=ctx.form.optional("phone"),
                position=ctx.form.optional("position"),
                email_consent=customer_forms.read_consent(ctx, "email", None),
                phone_consent=customer_forms.read_consent(ctx, "phone", None),
            )
            return ctx.redirect(
                f"/customers/{customer_id}", ctx._("%(name)s has been added.", name=contact.full_name)
            )

        return ctx.attempt(run, lambda errors: self._render(ctx, customer_id, form="contact", errors=errors))

    def share(self, ctx: Ctx) -> Response:
        customer_id = ctx.request.path_params["customer_id"]

        def run() -> Response:
            org_id = ctx.form.integer("organization_id", required=True)
            assert org_id is not None
            if ctx.form.text("unshare"):
                customers.unshare_customer(
                    uow=ctx.uow, principal=ctx.principal, customer_id=customer_id, organization_id=org_id
                )
                return ctx.redirect(f"/customers/{customer_id}", ctx._("The customer is no longer shared."))
            customers.share_customer(
                uow=ctx.uow, principal=ctx.principal, customer_id=customer_id, organization_id=org_id
            )
            return ctx.redirect(f"/customers/{customer_id}", ctx._("The customer has been shared."))

        return ctx.attempt(run, lambda errors: self._render(ctx, customer_id, form="share", errors=errors))


def _localised(entry: customers.HistoryEntry, ctx: Ctx) -> customers.HistoryEntry:
    """The service writes history titles in English ("order SO-1", "call: subject", "case C-1: x");
    show them in the user's language."""
    title, detail = entry.title, entry.detail
    if entry.kind == "activity":
        kind, _, subject = title.partition(": ")
        if kind in labels.ALL:
            title = f"{ctx._(labels.ALL[kind])}: {subject}"
    elif entry.kind == "order" and title.startswith("order "):
        title = ctx._("Order %(number)s", number=title.removeprefix("order "))
    elif entry.kind == "case" and title.startswith("case "):
        number, _, subject = title.removeprefix("case ").partition(": ")
        title = f"{ctx._('Case %(number)s', number=number)}: {subject}"
        detail = ctx._(labels.ALL[detail]) if detail in labels.ALL else detail
    return replace(entry, title=title, detail=detail)
