"""Lead pages (issue #18.2): one lead (the dealer accepts, declines or converts it; marketing
edits, reassigns or disqualifies it), the form that creates or edits one, the CSV import with its
preview, and the owner admins' territories. The list is `portal.web.views.lists` ("leads").
Everything works without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from starlette.responses import Response

from portal.access import load_by_ids
from portal.access import permissions as may
from portal.customers import service as customers
from portal.errors import InvalidInput, PossibleDuplicates
from portal.leads import importing, territories
from portal.leads import service as leads
from portal.leads.queries import filter_choices
from portal.models import Campaign, Customer, Lead, LeadStatus, Organization
from portal.models.base import utcnow
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.messages import field_label, translate
from portal.web.views import pickers

FIELDS = tuple(leads.LEAD_CHECKS)
PREVIEW_ROWS = 20


def _values(lead: Lead) -> dict[str, str]:
    found = {name: str(getattr(lead, name) or "") for name in FIELDS}
    found["campaign_id"] = str(lead.campaign_id or "")
    found["version"] = str(lead.version)
    return found


class LeadViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    @property
    def hours(self) -> int:
        return self.web.settings.lead_answer_hours

    # -- one lead -----------------------------------------------------------------------------
    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["lead_id"])

    def _render(
        self,
        ctx: Ctx,
        ident: int,
        *,
        form: str = "",
        errors: FormErrors | None = None,
        duplicates: PossibleDuplicates | None = None,
    ) -> Response:
        db, p = ctx.db, ctx.principal
        lead = leads.load_lead(ctx.uow, p, ident)
        offers = leads.offers_of(ctx.uow, p, lead.id)
        org_ids = {o.dealer_id for o in offers} | ({lead.dealer_id} if lead.dealer_id else set())
        orgs = load_by_ids(db, p, Organization, org_ids)
        campaign = (
            load_by_ids(db, p, Campaign, [lead.campaign_id]).get(lead.campaign_id)
            if lead.campaign_id
            else None
        )
        customer = (
            load_by_ids(db, p, Customer, [lead.customer_id]).get(lead.customer_id)
            if lead.customer_id
            else None
        )
        values = ctx.form.values() if errors is not None or duplicates is not None else {}
        may_answer = lead.status is LeadStatus.OFFERED and may.can_answer_lead(p, lead)
        may_convert = lead.status is LeadStatus.ACCEPTED and may.can_convert_lead(p, lead)
        may_manage = may.can_manage_leads(p) and lead.status not in (
            LeadStatus.CONVERTED,
            LeadStatus.DISQUALIFIED,
        )
        convert_values = (
            values
            if form == "convert"
            else {
                "opportunity_name": lead.company,
                "expected_close": (date.today() + timedelta(days=60)).isoformat(),
                "target": "new",
            }
        )
        shown_duplicates: list[Customer] = []
        if duplicates is not None:
            found = load_by_ids(db, p, Customer, duplicates.customer_ids)
            shown_duplicates = [found[i] for i in duplicates.customer_ids if i in found]
        return ctx.render(
            "lead.html",
            status_code=400 if errors else (409 if duplicates is not None else 200),
            lead=lead,
            offers=offers,
            orgs=orgs,
            campaign=campaign,
            customer=customer,
            opportunity=leads.opportunity_of(ctx.uow, p, lead),
            labels=labels.ALL,
            outcomes=labels.OFFER_OUTCOME,
            form=form,
            errors=errors or FormErrors(),
            values=values,
            convert_values=convert_values,
            customers=pickers.picker(db, p, "customers", "customer_id", convert_values)
            if may_convert
            else None,
            dealers=pickers.picker(db, p, "dealers", "dealer_id", values if form == "reassign" else {})
            if may_manage
            else None,
            duplicates=shown_duplicates,
            hidden_vat_id=bool(duplicates and duplicates.hidden_vat_id),
            warned=duplicates is not None,
            may_answer=may_answer,
            may_convert=may_convert,
            may_manage=may_manage,
            overdue=lead.answer_due_at is not None and lead.answer_due_at <= utcnow(),
        )

    def _act(self, ctx: Ctx, form: str, action: Callable[[], str]) -> Response:
        ident = ctx.request.path_params["lead_id"]

        def run() -> Response:
            message = action()
            target = f"/leads/{ident}"
            if form == "decline":
                target = "/leads"  # the lead has left the dealer
            return ctx.redirect(target, message)

        return ctx.attempt(run, lambda errors: self._render(ctx, ident, form=form, errors=errors))

    def accept(self, ctx: Ctx) -> Response:
        def action() -> str:
            leads.accept_lead(
                uow=ctx.uow,
                principal=ctx.principal,
                lead_id=ctx.request.path_params["lead_id"],
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("You have accepted the lead. Convert it once you have qualified it.")

        return self._act(ctx, "answer", action)

    def decline(self, ctx: Ctx) -> Response:
        def action() -> str:
            lead = leads.decline_lead(
                uow=ctx.uow,
                principal=ctx.principal,
                lead_id=ctx.request.path_params["lead_id"],
                reason=ctx.form.optional("reason"),
                expected_version=ctx.form.integer("version"),
                answer_hours=self.hours,
            )
            return ctx._(
                "You have declined lead %(number)s; it goes on to another dealer.", number=lead.number
            )

        return self._act(ctx, "decline", action)

    def reassign(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["lead_id"]
        if pickers.is_search(ctx):
            return self._render(ctx, ident, form="reassign", errors=FormErrors())

        def action() -> str:
            by_hand = ctx.form.text("how") != "distribute"
            ctx.form.validate(lambda: _chosen_dealer(ctx) if by_hand else None)
            dealer = _chosen_dealer(ctx) if by_hand else None
            lead = leads.reassign_lead(
                uow=ctx.uow,
                principal=ctx.principal,
                lead_id=ident,
                dealer_id=dealer,
                expected_version=ctx.form.integer("version"),
                answer_hours=self.hours,
            )
            return self._where(ctx, lead)

        return self._act(ctx, "reassign", action)

    def _where(self, ctx: Ctx, lead: Lead) -> str:
        if lead.status is LeadStatus.OFFERED and lead.dealer_id is not None:
            dealer = load_by_ids(ctx.db, ctx.principal, Organization, [lead.dealer_id]).get(lead.dealer_id)
            return ctx._(
                "Lead %(number)s has been offered to %(dealer)s.",
                number=lead.number,
                dealer=dealer.name if dealer else "?",
            )
        return ctx._(
            "Lead %(number)s waits in the queue: no dealer's territory with room covers it.",
            number=lead.number,
        )

    def disqualify(self, ctx: Ctx) -> Response:
        def action() -> str:
            leads.disqualify_lead(
                uow=ctx.uow,
                principal=ctx.principal,
                lead_id=ctx.request.path_params["lead_id"],
                reason=ctx.form.optional("reason"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The lead has been disqualified.")

        return self._act(ctx, "disqualify", action)

    def convert(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["lead_id"]
        if pickers.is_search(ctx):
            return self._render(ctx, ident, form="convert", errors=FormErrors())
        form = ctx.form
        locale = ctx.locale

        def run() -> Response:
            existing = form.text("target") == "existing"
            form.validate(
                lambda: leads.check_opportunity_name(form.text("opportunity_name")),
                lambda: leads.check_expected_close(
                    form.date("expected_close", required=True) or date.today()
                ),
                lambda: leads.check_amount(form.decimal("amount", locale=locale)),
                lambda: form.integer("customer_id", required=existing),
            )
            try:
                lead = leads.convert_lead(
                    uow=ctx.uow,
                    principal=ctx.principal,
                    lead_id=ident,
                    conversion=leads.Conversion(
                        opportunity_name=form.text("opportunity_name"),
                        expected_close=form.date("expected_close", required=True) or date.today(),
                        customer_id=form.integer("customer_id") if existing else None,
                        amount=form.decimal("amount", locale=locale),
                        allow_duplicates=form.checkbox("confirm_duplicates"),
                    ),
                    expected_version=form.integer("version"),
                )
            except PossibleDuplicates as found:  # shown with the form: link one of them, or go on
                ctx.uow.session.rollback()
                return self._render(ctx, ident, form="convert", duplicates=found)
            return ctx.redirect(
                f"/opportunities/{lead.opportunity_id}",
                ctx._(
                    "Lead %(number)s has been converted into a customer and an opportunity.",
                    number=lead.number,
                ),
            )

        return ctx.attempt(run, lambda errors: self._render(ctx, ident, form="convert", errors=errors))

    # -- create and edit ------------------------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_manage_leads(ctx.principal), "create leads")
        if ctx.request.method == "GET":
            return self._form(ctx, None, FormErrors(), {"country_code": "DE"})

        def create() -> Response:
            self._validate(ctx)
            lead = leads.create_lead(
                uow=ctx.uow,
                principal=ctx.principal,
                values=self._fields(ctx),
                campaign_id=ctx.form.integer("campaign_id"),
                answer_hours=self.hours,
            )
            return ctx.redirect(f"/leads/{lead.id}", self._where(ctx, lead))

        return ctx.attempt(create, lambda errors: self._form(ctx, None, errors, ctx.form.values()))

    def edit(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["lead_id"]
        lead = leads.load_lead(ctx.uow, ctx.principal, ident)
        may.require(ctx.principal, may.can_manage_leads(ctx.principal), "change leads")
        if ctx.request.method == "GET":
            return self._form(ctx, lead, FormErrors(), _values(lead))

        def save() -> Response:
            self._validate(ctx)
            leads.update_lead(
                uow=ctx.uow,
                principal=ctx.principal,
                lead_id=ident,
                values=self._fields(ctx),
                campaign_id=ctx.form.integer("campaign_id"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx.redirect(f"/leads/{ident}", ctx._("The lead has been updated."))

        return ctx.attempt(save, lambda errors: self._form(ctx, lead, errors, ctx.form.values()))

    def _validate(self, ctx: Ctx) -> None:
        def field_check(name: str, check: Callable[[str | None], object]) -> Callable[[], object]:
            return lambda: check(ctx.form.optional(name))

        checks: list[Callable[[], Any]] = [field_check(n, c) for n, c in leads.LEAD_CHECKS.items()]
        checks.append(
            customers.address_check(ctx.form.optional("postal_code"), ctx.form.text("country_code") or "DE")
        )
        checks.append(lambda: ctx.form.integer("campaign_id"))
        ctx.form.validate(*checks)

    def _fields(self, ctx: Ctx) -> leads.LeadFields:
        opt = ctx.form.optional
        return leads.LeadFields(
            company=ctx.form.text("company"),
            contact_name=ctx.form.text("contact_name"),
            email=opt("email"),
            phone=opt("phone"),
            street=opt("street"),
            postal_code=opt("postal_code"),
            city=opt("city"),
            country_code=ctx.form.text("country_code") or "DE",
            region=opt("region"),
            source=ctx.form.text("source"),
            notes=ctx.form.text("notes"),
        )

    def _form(self, ctx: Ctx, lead: Lead | None, errors: FormErrors, values: dict[str, str]) -> Response:
        campaigns = filter_choices(ctx.db, ctx.principal)["campaign"]
        return ctx.render(
            "lead_form.html",
            status_code=400 if errors else 200,
            lead=lead,
            errors=errors,
            values=values,
            campaigns=list(campaigns),
        )

    # -- import ----------------------------------------------------------------------------------
    def import_page(self, ctx: Ctx) -> Response:
        """GET: the upload form. POST with a file: the preview (every bad row, the choice). POST
        with ``step=import``: the import of the previewed text, as chosen."""
        may.require(ctx.principal, may.can_manage_leads(ctx.principal), "import leads")
        if ctx.request.method == "GET":
            return self._import_form(ctx, FormErrors())
        if ctx.form.text("step") == "import":
            return self._import(ctx)

        def preview() -> Response:
            upload = ctx.form.upload("file")
            if upload is None or not upload.filename:
                raise InvalidInput("file", "choose a file")
            text = importing.decode(upload.file.read(importing.MAX_BYTES + 1))
            checked = importing.preview(ctx.uow, ctx.principal, text)
            return self._preview(ctx, checked, text)

        return ctx.attempt(preview, lambda errors: self._import_form(ctx, errors))

    def _import(self, ctx: Ctx) -> Response:
        text = ctx.form.text("csv")
        mode_raw = ctx.form.text("mode")

        def run() -> Response:
            try:
                mode = importing.ImportMode(mode_raw)
            except ValueError:
                raise InvalidInput("mode", "choose what happens to the bad rows") from None
            result = importing.import_leads(
                uow=ctx.uow, principal=ctx.principal, text=text, mode=mode, answer_hours=self.hours
            )
            if not result.imported:
                return self._preview(ctx, result.preview, text, nothing=True)
            return ctx.redirect(
                "/leads",
                ctx._(
                    "%(count)s leads have been imported; %(offered)s of them were offered to a dealer.",
                    count=len(result.imported),
                    offered=result.offered,
                ),
            )

        def again(errors: FormErrors) -> Response:
            try:
                checked = importing.preview(ctx.uow, ctx.principal, text)
            except InvalidInput:
                return self._import_form(ctx, errors)
            return self._preview(ctx, checked, text, errors=errors)

        return ctx.attempt(run, again)

    def _import_form(self, ctx: Ctx, errors: FormErrors) -> Response:
        return ctx.render(
            "lead_import.html",
            status_code=400 if errors else 200,
            errors=errors,
            preview=None,
            example=importing.EXAMPLE_HEADER,
            max_rows=importing.MAX_ROWS,
            max_bytes=importing.MAX_BYTES,
        )

    def _preview(
        self,
        ctx: Ctx,
        checked: importing.Preview,
        text: str,
        *,
        nothing: bool = False,
        errors: FormErrors | None = None,
    ) -> Response:
        return ctx.render(
            "lead_import.html",
            status_code=400 if nothing or errors else 200,
            errors=errors or FormErrors(),
            preview=checked,
            problems=[
                (
                    e.line,
                    field_label(e.field, ctx._) if e.field else "",
                    translate(e.message, ctx._, ctx.locale),
                )
                for e in checked.errors
            ],
            sample=checked.rows[:PREVIEW_ROWS],
            text=text,
            nothing=nothing,
            max_rows=importing.MAX_ROWS,
            max_bytes=importing.MAX_BYTES,
        )

    def distribute(self, ctx: Ctx) -> Response:
        """Marketing runs the distribution for its queue again (after a territory changed, say)."""
        offered, waiting = leads.distribute_queue(
            uow=ctx.uow, principal=ctx.principal, answer_hours=self.hours
        )
        return ctx.redirect(
            "/leads?status=unassigned",
            ctx._(
                "Distributed again. Offered to dealers: %(offered)s; "
                "still waiting in the queue: %(waiting)s.",
                offered=offered,
                waiting=waiting,
            ),
        )


def _chosen_dealer(ctx: Ctx) -> int:
    """The dealer marketing gives a lead to by hand: none chosen is refused, never distributed."""
    dealer = ctx.form.integer("dealer_id")
    if dealer is None:
        raise InvalidInput("dealer_id", "choose a dealer")
    return dealer


class TerritoryViews:
    """``/admin/territories``: every dealer's territory and capacity, and the form for one."""

    def __init__(self, web: Web) -> None:
        self.web = web

    def index(self, ctx: Ctx) -> Response:
        may.require(
            ctx.principal, may.can_manage_territories(ctx.principal), "edit territories", only="owner admins"
        )
        found = {t.organization_id: (t, n) for t, n in territories.list_territories(ctx.uow, ctx.principal)}
        dealers = territories.lead_dealers(ctx.uow, ctx.principal)
        return ctx.render("territories.html", dealers=dealers, found=found)

    def edit(self, ctx: Ctx) -> Response:
        may.require(
            ctx.principal, may.can_manage_territories(ctx.principal), "edit territories", only="owner admins"
        )
        org_id = ctx.request.path_params["organization_id"]
        dealer = load_by_ids(ctx.db, ctx.principal, Organization, [org_id]).get(org_id)
        if dealer is None or dealer.kind not in territories.LEAD_DEALER_KINDS:
            return self.web.error_page(ctx.request, 404, ctx.principal)
        current = territories.territory_of(ctx.uow, ctx.principal, org_id)
        if ctx.request.method == "GET":
            values = {
                "postal_ranges": "\n".join(current.postal_ranges) if current else "",
                "regions": "\n".join(current.regions) if current else "",
                "capacity": str(current.capacity) if current else "10",
                "active": "1" if current is None or current.active else "",
                "version": str(current.version) if current else "",
            }
            return self._form(ctx, dealer, FormErrors(), values)

        def save() -> Response:
            ctx.form.validate(
                lambda: territories.check_capacity(ctx.form.integer("capacity", required=True) or 0),
                lambda: territories.parse_ranges(ctx.form.text("postal_ranges")),
                lambda: territories.parse_regions(ctx.form.text("regions")),
            )
            territories.set_territory(
                uow=ctx.uow,
                principal=ctx.principal,
                organization_id=org_id,
                postal_ranges=ctx.form.text("postal_ranges"),
                regions=ctx.form.text("regions"),
                capacity=ctx.form.integer("capacity", required=True) or 0,
                active=ctx.form.checkbox("active"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx.redirect(
                "/admin/territories", ctx._("The territory of %(name)s has been saved.", name=dealer.name)
            )

        return ctx.attempt(save, lambda errors: self._form(ctx, dealer, errors, ctx.form.values()))

    def _form(self, ctx: Ctx, dealer: Organization, errors: FormErrors, values: dict[str, str]) -> Response:
        return ctx.render(
            "territory.html", status_code=400 if errors else 200, dealer=dealer, errors=errors, values=values
        )
