"""Deal registration pages (issue #18.3): the form a dealer registers a deal with, one registration
(its conflicts, its protection, the decision form of the owner's sales staff, the dealer's
withdrawal). The list and its CSV are `portal.web.views.lists` ("deals"). Everything works
without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from portal.access import load_by_ids
from portal.access import permissions as may
from portal.customers import service as customers
from portal.deals import service as deals
from portal.errors import InvalidInput
from portal.models import Customer, DealStatus, Opportunity, Organization, User
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.i18n import TIMEZONE

PROSPECT_FIELDS = tuple(deals.PROSPECT_CHECKS)


def _today() -> date:
    return datetime.now(TIMEZONE).date()


class DealViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _protection_days(self) -> int:
        return self.web.settings.deal_protection_days

    # -- one registration ----------------------------------------------------------------------
    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["deal_id"])

    def _render(self, ctx: Ctx, ident: int, *, form: str = "", errors: FormErrors | None = None) -> Response:
        db, p = ctx.db, ctx.principal
        reg = deals.load_registration(ctx.uow, p, ident)
        today = _today()
        conflicts = deals.conflicts_of(db, p, reg, today=today)
        org_ids = {reg.dealer_id, *(r.dealer_id for r in conflicts.registrations)}
        orgs = load_by_ids(db, p, Organization, org_ids)
        people = load_by_ids(
            db, p, User, {u for u in (reg.registered_by_user_id, reg.decided_by_user_id) if u is not None}
        )
        customer = (
            load_by_ids(db, p, Customer, [reg.customer_id]).get(reg.customer_id) if reg.customer_id else None
        )
        opportunity = (
            load_by_ids(db, p, Opportunity, [reg.opportunity_id]).get(reg.opportunity_id)
            if reg.opportunity_id
            else None
        )
        may_decide = reg.status is DealStatus.SUBMITTED and may.can_decide_deal(p)
        values = ctx.form.values() if errors is not None else {}
        if form != "approve":
            default_until = today + timedelta(days=self._protection_days())
            values = {**values, "protected_until": default_until.isoformat()}
        customer_options: list[tuple[str, str]] = []
        if may_decide:
            customer_options = [
                (str(c.id), f"{c.name} ({c.number}, {c.postal_code or ''} {c.city or ''})")
                for c in conflicts.customers
            ]
            customer_options.append(("new", ctx._("Create a new customer from the prospect")))
            values.setdefault("customer", customer_options[0][0])
        return ctx.render(
            "deal.html",
            status_code=(409 if errors and errors.stale else 400) if errors else 200,
            reg=reg,
            shown_status=reg.shown_status(today),
            conflicts=conflicts,
            protections=conflicts.protections_of_others(reg, today),
            orgs=orgs,
            people=people,
            customer=customer,
            opportunity=opportunity,
            labels=labels.ALL,
            form=form,
            errors=errors or FormErrors(),
            values=values,
            customer_options=customer_options,
            may_decide=may_decide,
            may_withdraw=reg.status is DealStatus.SUBMITTED and may.can_withdraw_deal(p, reg),
            today=today,
        )

    def _act(self, ctx: Ctx, form: str, action: Callable[[], str]) -> Response:
        ident = ctx.request.path_params["deal_id"]

        def run() -> Response:
            return ctx.redirect(f"/deals/{ident}", action())

        return ctx.attempt(run, lambda errors: self._render(ctx, ident, form=form, errors=errors))

    def approve(self, ctx: Ctx) -> Response:
        def action() -> str:
            ctx.form.validate(lambda: ctx.form.date("protected_until"), lambda: _customer_choice(ctx))
            customer_id, new_customer = _customer_choice(ctx)
            reg = deals.approve_registration(
                uow=ctx.uow,
                principal=ctx.principal,
                registration_id=ctx.request.path_params["deal_id"],
                protected_until=ctx.form.date("protected_until"),
                protection_days=self._protection_days(),
                customer_id=customer_id,
                new_customer=new_customer,
                confirm_over_protection=ctx.form.checkbox("confirm_over_protection"),
                expected_version=ctx.form.integer("version"),
                today=_today(),
            )
            return ctx._(
                "Registration %(number)s approved: an opportunity has been opened for the dealer.",
                number=reg.number,
            )

        return self._act(ctx, "approve", action)

    def reject(self, ctx: Ctx) -> Response:
        def action() -> str:
            reg = deals.reject_registration(
                uow=ctx.uow,
                principal=ctx.principal,
                registration_id=ctx.request.path_params["deal_id"],
                reason=ctx.form.text("reason"),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("Registration %(number)s rejected.", number=reg.number)

        return self._act(ctx, "reject", action)

    def withdraw(self, ctx: Ctx) -> Response:
        def action() -> str:
            reg = deals.withdraw_registration(
                uow=ctx.uow,
                principal=ctx.principal,
                registration_id=ctx.request.path_params["deal_id"],
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("Registration %(number)s withdrawn.", number=reg.number)

        return self._act(ctx, "withdraw", action)

    # -- a new one -----------------------------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_register_deal(ctx.principal), "register deals")
        if ctx.request.method == "GET":
            return self._new_form(ctx, FormErrors(), {"country_code": "DE"})
        locale = ctx.locale
        form = ctx.form

        def create() -> Response:
            checks: list[Callable[[], Any]] = [
                *(_check(name, form.optional(name)) for name in PROSPECT_FIELDS),
                customers.address_check(form.optional("postal_code"), form.text("country_code") or "DE"),
                lambda: deals.check_amount(form.decimal("amount", locale=locale, required=True)),
                lambda: deals.check_expected_close(
                    form.date("expected_close", required=True) or _today(), today=_today()
                ),
            ]
            form.validate(*checks)
            reg = deals.register_deal(
                uow=ctx.uow,
                principal=ctx.principal,
                prospect=deals.Prospect(
                    prospect_name=form.text("prospect_name"),
                    description=form.text("description"),
                    vat_id=form.optional("vat_id"),
                    street=form.optional("street"),
                    postal_code=form.optional("postal_code"),
                    city=form.optional("city"),
                    country_code=form.text("country_code") or "DE",
                    contact_name=form.optional("contact_name"),
                    contact_email=form.optional("contact_email"),
                    contact_phone=form.optional("contact_phone"),
                ),
                amount=form.decimal("amount", locale=locale, required=True) or Decimal(0),
                expected_close=form.date("expected_close", required=True) or _today(),
                today=_today(),
            )
            return ctx.redirect(
                f"/deals/{reg.id}",
                ctx._("Deal registration %(number)s has been submitted.", number=reg.number),
            )

        return ctx.attempt(create, lambda errors: self._new_form(ctx, errors, ctx.form.values()))

    def _new_form(self, ctx: Ctx, errors: FormErrors, values: dict[str, str]) -> Response:
        return ctx.render("deal_new.html", status_code=400 if errors else 200, errors=errors, values=values)


def _check(name: str, value: str | None) -> Callable[[], object]:
    return lambda: deals.PROSPECT_CHECKS[name](value)


def _customer_choice(ctx: Ctx) -> tuple[int | None, bool]:
    """The approval form's customer: an existing one's id, "new", or nothing (the best match)."""
    raw = ctx.form.text("customer")
    if not raw:
        return None, False
    if raw == "new":
        return None, True
    try:
        return int(raw), False
    except ValueError:
        raise InvalidInput("customer", "unknown value") from None
