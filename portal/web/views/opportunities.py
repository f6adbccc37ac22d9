"""Opportunity pages (issue #18.4): the pipeline board with the forecast, one opportunity (its
lines, fields and stage), and the form that opens one. Everything works without JavaScript: the
board's cards move with a small form each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from portal import validation
from portal.access import load_by_ids
from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.models import (
    OPEN_STAGES,
    Customer,
    OpportunityStage,
    Order,
    Organization,
    User,
)
from portal.opportunities import service as opportunities
from portal.opportunities.queries import (
    OpportunityQuery,
    OpportunitySort,
    forecast,
    list_opportunities,
    origin_of,
    stage_totals,
)
from portal.reading import PageRequest
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.views import pickers

CARDS_PER_STAGE = 8
FORECAST_MONTHS = 6


def _stage(value: str, field: str = "stage") -> OpportunityStage:
    try:
        return OpportunityStage(value)
    except ValueError:
        raise InvalidInput(field, "unknown value") from None


def _stages(
    ctx: Ctx, stages: tuple[OpportunityStage, ...] = tuple(OpportunityStage)
) -> list[tuple[str, str]]:
    return [(stage.value, ctx._(labels.STAGE[stage])) for stage in stages]


def _next_stage(stage: OpportunityStage) -> OpportunityStage:
    forward = (*OPEN_STAGES, OpportunityStage.WON)
    return forward[forward.index(stage) + 1]


class OpportunityViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    # -- the board ----------------------------------------------------------------------------
    def board(self, ctx: Ctx) -> Response:
        """``/pipeline``: a column per stage (its count and amounts, its first cards by expected
        close; closed stages: the latest), and the forecast by month below."""
        db, p = ctx.db, ctx.principal
        totals = stage_totals(db, p)
        columns: list[dict[str, Any]] = []
        for stage in OpportunityStage:
            closed = stage not in OPEN_STAGES
            page = list_opportunities(
                db,
                p,
                OpportunityQuery(stages=frozenset({stage})),
                sort=OpportunitySort.UPDATED_AT if closed else OpportunitySort.EXPECTED_CLOSE,
                descending=closed,
                page=PageRequest(first=CARDS_PER_STAGE),
            )
            columns.append(
                {
                    "stage": stage,
                    "total": totals[stage],
                    "cards": page.items,
                    "more": page.has_next_page,
                    # A card's "move to" offers the next stage first: the usual step is forward.
                    "next": _next_stage(stage).value if stage in OPEN_STAGES else None,
                }
            )
        customer_ids = {card.customer_id for column in columns for card in column["cards"]}
        customers = load_by_ids(db, p, Customer, customer_ids)
        today = date.today()
        return ctx.render(
            "pipeline.html",
            columns=columns,
            customers=customers,
            months=forecast(db, p, start=today, months=FORECAST_MONTHS),
            today=today,
            labels=labels.ALL,
            stage_labels=labels.STAGE,
            move_to=_stages(ctx, (*OPEN_STAGES, OpportunityStage.WON)),
            may_create=may.can_create_opportunity(p),
        )

    # -- one opportunity ----------------------------------------------------------------------
    def detail(self, ctx: Ctx) -> Response:
        return self._render(ctx, ctx.request.path_params["opportunity_id"])

    def _render(self, ctx: Ctx, ident: int, *, form: str = "", errors: FormErrors | None = None) -> Response:
        db, p = ctx.db, ctx.principal
        opp = opportunities.load_opportunity(ctx.uow, p, ident)
        customer = load_by_ids(db, p, Customer, [opp.customer_id]).get(opp.customer_id)
        dealer = (
            load_by_ids(db, p, Organization, [opp.dealer_id]).get(opp.dealer_id) if opp.dealer_id else None
        )
        owner = (
            load_by_ids(db, p, User, [opp.owner_user_id]).get(opp.owner_user_id)
            if opp.owner_user_id
            else None
        )
        order = load_by_ids(db, p, Order, [opp.order_id]).get(opp.order_id) if opp.order_id else None
        origin = origin_of(db, p, opp)  # the registration or lead that opened it, its campaign
        values = ctx.form.values() if errors is not None else {}
        next_line = max((line.line_no for line in opp.lines), default=0) + 1
        product_field = f"line-{next_line}-product"
        products = None
        if opp.is_open and may.can_work_opportunity(p, opp):
            products = pickers.picker(db, p, "products", product_field, values if form == "line" else {})
        return ctx.render(
            "opportunity.html",
            status_code=400 if errors else 200,
            opp=opp,
            customer=customer,
            dealer=dealer,
            owner=owner,
            order=order,
            registration=origin.registration,
            lead=origin.lead,
            campaign=origin.campaign,
            labels=labels.ALL,
            stages=_stages(ctx, tuple(s for s in OpportunityStage if s is not opp.stage)),
            form=form,
            errors=errors or FormErrors(),
            values=values,
            edit_values=values
            if form == "edit"
            else {
                "name": opp.name,
                "amount": str(opp.amount),
                "probability": str(opp.probability),
                "expected_close": opp.expected_close.isoformat(),
                "note": opp.note,
            },
            products=products,
            next_line=next_line,
            may_work=may.can_work_opportunity(p, opp),
            may_price=may.can_set_prices(p),
        )

    def _act(self, ctx: Ctx, form: str, action: Callable[[], str]) -> Response:
        ident = ctx.request.path_params["opportunity_id"]
        back = f"/opportunities/{ident}"
        if ctx.form.text("back") == "pipeline":
            back = "/pipeline"

        def run() -> Response:
            return ctx.redirect(back, action())

        return ctx.attempt(run, lambda errors: self._render(ctx, ident, form=form, errors=errors))

    def stage(self, ctx: Ctx) -> Response:
        def action() -> str:
            stage = _stage(ctx.form.text("stage"))
            reason = ctx.form.optional("lost_reason")
            opp = opportunities.move_stage(
                uow=ctx.uow,
                principal=ctx.principal,
                opportunity_id=ctx.request.path_params["opportunity_id"],
                stage=stage,
                lost_reason=reason,
                expected_version=ctx.form.integer("version"),
            )
            if opp.order_id is not None:
                order = load_by_ids(ctx.db, ctx.principal, Order, [opp.order_id]).get(opp.order_id)
                number = order.number if order is not None else ""
                return ctx._("Won: order %(number)s has been created.", number=number)
            return ctx._("The opportunity is now in %(stage)s.", stage=ctx._(labels.STAGE[stage]))

        return self._act(ctx, "stage", action)

    def edit(self, ctx: Ctx) -> Response:
        locale = ctx.locale

        def action() -> str:
            ctx.form.validate(
                lambda: validation.required_text("name", ctx.form.text("name")),
                lambda: ctx.form.decimal("amount", locale=locale),
                lambda: ctx.form.integer("probability"),
                lambda: ctx.form.date("expected_close", required=True),
            )
            amount = ctx.form.decimal("amount", locale=locale) if "amount" in ctx.form else None
            opportunities.update_opportunity(
                uow=ctx.uow,
                principal=ctx.principal,
                opportunity_id=ctx.request.path_params["opportunity_id"],
                changes=opportunities.OpportunityChanges(
                    name=ctx.form.text("name"),
                    amount=amount,
                    probability=ctx.form.integer("probability"),
                    expected_close=ctx.form.date("expected_close", required=True),
                    note=ctx.form.text("note"),
                ),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The opportunity has been updated.")

        return self._act(ctx, "edit", action)

    def add_line(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["opportunity_id"]
        if pickers.is_search(ctx):
            return self._render(ctx, ident, form="line", errors=FormErrors())
        n = ctx.form.integer("line_no") or 1
        locale = ctx.locale

        def action() -> str:
            ctx.form.validate(
                lambda: ctx.form.integer(f"line-{n}-product", required=True),
                lambda: ctx.form.decimal(f"line-{n}-quantity", locale=locale, required=True),
                lambda: ctx.form.decimal(f"line-{n}-unit_price", locale=locale),
            )
            opportunities.add_line(
                uow=ctx.uow,
                principal=ctx.principal,
                opportunity_id=ident,
                line=opportunities.NewOpportunityLine(
                    product_id=ctx.form.integer(f"line-{n}-product", required=True),
                    quantity=ctx.form.decimal(f"line-{n}-quantity", locale=locale, required=True)
                    or Decimal(0),
                    unit_price=ctx.form.decimal(f"line-{n}-unit_price", locale=locale),
                ),
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The line has been added.")

        return self._act(ctx, "line", action)

    def remove_line(self, ctx: Ctx) -> Response:
        def action() -> str:
            opportunities.remove_line(
                uow=ctx.uow,
                principal=ctx.principal,
                opportunity_id=ctx.request.path_params["opportunity_id"],
                line_no=ctx.form.integer("line_no", required=True) or 0,
                expected_version=ctx.form.integer("version"),
            )
            return ctx._("The line has been removed.")

        return self._act(ctx, "lines", action)

    # -- a new one -----------------------------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_create_opportunity(ctx.principal), "open opportunities")
        if ctx.request.method == "GET":
            values = {
                "customer_id": ctx.request.query_params.get("customer_id", ""),
                "stage": "qualification",
            }
            return self._new_form(ctx, FormErrors(), values)
        if pickers.is_search(ctx):
            return self._new_form(ctx, FormErrors(), ctx.form.values())
        locale = ctx.locale
        form = ctx.form

        def create() -> Response:
            checks: list[Callable[[], Any]] = [
                lambda: form.integer("customer_id", required=True),
                lambda: validation.required_text("name", form.text("name")),
                lambda: form.date("expected_close", required=True),
                lambda: form.decimal("amount", locale=locale),
                lambda: form.integer("probability"),
                lambda: _stage(form.text("stage") or "qualification"),
                lambda: form.integer("dealer_id"),
                lambda: form.decimal("line-1-quantity", locale=locale),
                lambda: form.integer("line-1-product"),
            ]
            if form.text("line-1-product") and not form.text("line-1-quantity"):
                checks.append(lambda: form.decimal("line-1-quantity", locale=locale, required=True))
            form.validate(*checks)
            lines = []
            product = form.integer("line-1-product")
            if product is not None:
                quantity = form.decimal("line-1-quantity", locale=locale, required=True) or Decimal(0)
                lines.append(opportunities.NewOpportunityLine(product_id=product, quantity=quantity))
            opp = opportunities.create_opportunity(
                uow=ctx.uow,
                principal=ctx.principal,
                customer_id=form.integer("customer_id", required=True) or 0,
                name=form.text("name"),
                expected_close=form.date("expected_close", required=True) or date.today(),
                amount=form.decimal("amount", locale=locale),
                probability=form.integer("probability"),
                stage=_stage(form.text("stage") or "qualification"),
                dealer_id=form.integer("dealer_id") if ctx.principal.is_owner else None,
                note=form.text("note"),
                lines=lines,
            )
            return ctx.redirect(
                f"/opportunities/{opp.id}",
                ctx._("Opportunity %(number)s has been opened.", number=opp.number),
            )

        return ctx.attempt(create, lambda errors: self._new_form(ctx, errors, ctx.form.values()))

    def _new_form(self, ctx: Ctx, errors: FormErrors, values: dict[str, str]) -> Response:
        db, p = ctx.db, ctx.principal
        searches: pickers.Searches = {}
        return ctx.render(
            "opportunity_new.html",
            status_code=400 if errors else 200,
            customers=pickers.picker(db, p, "customers", "customer_id", values, searches=searches),
            products=pickers.picker(db, p, "products", "line-1-product", values, searches=searches),
            dealers=pickers.picker(db, p, "dealers", "dealer_id", values) if p.is_owner else None,
            stages=_stages(ctx, OPEN_STAGES),
            errors=errors,
            values=values,
        )
