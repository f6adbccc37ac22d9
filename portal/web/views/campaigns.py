"""Campaign pages (issue #18.5): one campaign (its facts, its segment's customers the viewer sees, its
leads and results), the form that creates or changes one, the results of every campaign of a period
(owner staff), and the segments: saved from the customers list's filter, listed, deleted. The list
is `portal.web.views.lists` ("campaigns"). Everything works without JavaScript."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from portal.access import permissions as may
from portal.campaigns import segments
from portal.campaigns import service as campaigns
from portal.campaigns.queries import list_segments, results_for, results_table, segment_size
from portal.customers.queries import CUSTOMERS, CustomerQuery, CustomerSort, list_customers
from portal.errors import InvalidInput
from portal.leads.queries import LeadQuery, LeadSort, list_leads
from portal.models import Campaign, Segment, campaign_status
from portal.reading import PageRequest
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors, FormInvalid, errors_from
from portal.web.i18n import TIMEZONE

FIRST_CUSTOMERS = 10
FIRST_LEADS = 20


def _today() -> date:
    return datetime.now(TIMEZONE).date()


def _values(campaign: Campaign, locale: str) -> dict[str, str]:
    budget = Decimal(campaign.budget).normalize()
    text = f"{budget:f}"
    return {
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
        "channel": campaign.channel,
        "budget": text.replace(".", ",") if locale == "de" else text,
        "description": campaign.description,
        "segment_id": str(campaign.segment_id or ""),
        "version": str(campaign.version),
    }


class CampaignViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    # -- one campaign ---------------------------------------------------------------------------
    def detail(self, ctx: Ctx) -> Response:
        db, p = ctx.db, ctx.principal
        campaign = campaigns.load_campaign(ctx.uow, p, ctx.request.path_params["campaign_id"])
        customers = list_customers(
            db, p, CustomerQuery(campaign_id=campaign.id), sort=CustomerSort.NAME,
            page=PageRequest(first=FIRST_CUSTOMERS),
        )  # fmt: skip
        leads = list_leads(
            db, p, LeadQuery(campaign_id=campaign.id), sort=LeadSort.CREATED_AT, descending=True,
            page=PageRequest(first=FIRST_LEADS),
        )  # fmt: skip
        results = results_for(db, p, [campaign])[campaign.id]
        return ctx.render(
            "campaign.html",
            campaign=campaign,
            status=campaign_status(campaign.starts_on, campaign.ends_on, _today()),
            channels=labels.CAMPAIGN_CHANNEL,
            statuses=labels.CAMPAIGN_STATUS,
            lead_statuses=labels.LEAD_STATUS,
            labels=labels.ALL,
            size=segment_size(db, p, campaign.id),
            customers=customers.items,
            more_customers=customers.has_next_page,
            leads=leads.items,
            more_leads=leads.has_next_page,
            results=results,
            filter_text=_describe(campaign.segment_filter, ctx) if p.is_owner else "",
            may_manage=may.can_manage_campaigns(p),
            may_see_budget=may.can_see_campaign_budget(p),
        )

    def recount(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["campaign_id"]

        def run() -> Response:
            _campaign, members = campaigns.recount_campaign(
                uow=ctx.uow, principal=ctx.principal, campaign_id=ident
            )
            return ctx.redirect(
                f"/campaigns/{ident}",
                ctx._("The segment has been counted again: %(count)s customers.", count=members),
            )

        return ctx.attempt(run, lambda errors: self.detail(ctx))

    # -- create and edit ------------------------------------------------------------------------
    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_manage_campaigns(ctx.principal), "create campaigns")
        if ctx.request.method == "GET":
            start = _today() + timedelta(days=14)
            values = {
                "starts_on": start.isoformat(),
                "ends_on": (start + timedelta(days=30)).isoformat(),
                "segment_id": ctx.request.query_params.get("segment", ""),
            }
            return self._form(ctx, None, FormErrors(), values)

        def create() -> Response:
            fields = self._fields(ctx, None)
            campaign = campaigns.create_campaign(uow=ctx.uow, principal=ctx.principal, values=fields)
            return ctx.redirect(
                f"/campaigns/{campaign.id}", ctx._("Campaign %(name)s has been created.", name=campaign.name)
            )

        return ctx.attempt(create, lambda errors: self._form(ctx, None, errors, ctx.form.values()))

    def edit(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["campaign_id"]
        campaign = campaigns.load_campaign(ctx.uow, ctx.principal, ident)
        may.require(ctx.principal, may.can_manage_campaigns(ctx.principal), "change campaigns")
        if ctx.request.method == "GET":
            return self._form(ctx, campaign, FormErrors(), _values(campaign, ctx.locale))

        def save() -> Response:
            fields = self._fields(ctx, campaign.id)
            kept = ctx.form.text("segment_id") == "kept"
            campaigns.update_campaign(
                uow=ctx.uow,
                principal=ctx.principal,
                campaign_id=ident,
                values=fields,
                expected_version=ctx.form.integer("version"),
                keep_segment=kept,
            )
            return ctx.redirect(f"/campaigns/{ident}", ctx._("The campaign has been saved."))

        return ctx.attempt(save, lambda errors: self._form(ctx, campaign, errors, ctx.form.values()))

    def _fields(self, ctx: Ctx, own_id: int | None) -> campaigns.CampaignFields:
        form, locale = ctx.form, ctx.locale
        raw_segment = form.text("segment_id")
        form.validate(
            lambda: campaigns.check_name_free(ctx.uow, ctx.principal, form.text("name"), own_id),
            lambda: form.date("starts_on", required=True),
            lambda: form.date("ends_on", required=True),
            lambda: campaigns.check_period(form.date("starts_on"), form.date("ends_on")),
            lambda: campaigns.check_channel(form.text("channel")),
            lambda: campaigns.check_budget(form.decimal("budget", locale=locale)),
            lambda: campaigns.check_description(form.text("description")),
            lambda: None if raw_segment in ("", "kept") else form.integer("segment_id"),
        )
        return campaigns.CampaignFields(
            name=form.text("name"),
            starts_on=form.date("starts_on"),
            ends_on=form.date("ends_on"),
            channel=form.text("channel"),
            budget=form.decimal("budget", locale=locale),
            description=form.text("description"),
            segment_id=None if raw_segment in ("", "kept") else form.integer("segment_id"),
        )

    def _form(
        self, ctx: Ctx, campaign: Campaign | None, errors: FormErrors, values: dict[str, str]
    ) -> Response:
        options = [(str(s.id), s.name) for s in list_segments(ctx.db, ctx.principal)]
        kept = campaign is not None and campaign.segment_id is None and bool(campaign.segment_name)
        if kept and campaign is not None:
            # its segment was deleted: the campaign keeps the copied filter unless another is chosen
            options.insert(0, ("kept", ctx._("%(name)s (deleted; kept)", name=campaign.segment_name)))
            values = {**values, "segment_id": values.get("segment_id") or "kept"}
        return ctx.render(
            "campaign_form.html",
            status_code=400 if errors else 200,
            campaign=campaign,
            errors=errors,
            values=values,
            channels=[(c.value, ctx._(text)) for c, text in labels.CAMPAIGN_CHANNEL.items()],
            segments=options,
        )

    # -- the results of a period ------------------------------------------------------------------
    def results(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_see_campaign_budget(ctx.principal), "see the campaigns' results")
        today = _today()
        query = ctx.request.query_params
        errors: list[InvalidInput] = []
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
        for name in ("from", "to"):
            raw = (query.get(name) or "").strip()
            if not raw:
                continue
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                errors.append(InvalidInput(name, "is not a date"))
                continue
            if name == "from":
                start = day
            else:
                end = day
        rows = results_table(ctx.db, ctx.principal, start=start, end=end, today=today)
        totals: dict[str, Any] = {
            "budget": sum((r.results.budget or Decimal(0) for r in rows), Decimal(0)),
            "leads": sum(r.results.leads for r in rows),
            "opportunities": sum(r.results.opportunities for r in rows),
            "won": sum(r.results.won for r in rows),
            "won_revenue": sum((r.results.won_revenue for r in rows), Decimal(0)),
        }
        # the costs of the whole period, from the sums (as each row's from its own figures)
        totals["cost_per_lead"] = _per(totals["budget"], totals["leads"])
        totals["cost_per_won_euro"] = _per(totals["budget"], totals["won_revenue"])
        return ctx.render(
            "campaign_results.html",
            status_code=400 if errors else 200,
            errors=errors_from(FormInvalid(errors), ctx._, ctx.locale) if errors else FormErrors(),
            rows=rows,
            totals=totals,
            start=start,
            end=end,
            values={"from": query.get("from") or start.isoformat(), "to": query.get("to") or end.isoformat()},
            channels=labels.CAMPAIGN_CHANNEL,
            statuses=labels.CAMPAIGN_STATUS,
            reversed_range=start > end,
        )


def _per(cost: Decimal, count: Decimal | int) -> Decimal | None:
    """``cost`` per unit of ``count`` in cents; None when there is nothing to divide by."""
    return (cost / count).quantize(Decimal("0.01")) if count else None


def _describe(saved: dict[str, Any], ctx: Ctx) -> str:
    """A segment's filter in words: "Search: Bau · Postal codes starting with: 60, 61 · Country: DE"."""
    query = segments.query_of(saved)
    parts = []
    if query.search:
        parts.append(f"{ctx._('Search')}: {query.search}")
    if query.postal_prefixes:
        parts.append(f"{ctx._('Postal codes starting with')}: {', '.join(query.postal_prefixes)}")
    if query.country_code:
        parts.append(f"{ctx._('Country')}: {query.country_code}")
    if query.city:
        parts.append(f"{ctx._('City')}: {query.city}")
    return " · ".join(parts)


class SegmentViews:
    """``/segments``: the saved filters; ``/segments/new``: save the customers list's filter."""

    def __init__(self, web: Web) -> None:
        self.web = web

    def index(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_see_campaign_budget(ctx.principal), "see the segments")
        found = list_segments(ctx.db, ctx.principal)
        sizes = {s.id: CUSTOMERS.count(ctx.db, ctx.principal, segments.query_of(s.filter)) for s in found}
        return ctx.render(
            "segments.html",
            segments=[(s, sizes[s.id], _describe(s.filter, ctx), _list_link(s)) for s in found],
            may_manage=may.can_manage_campaigns(ctx.principal),
        )

    def new(self, ctx: Ctx) -> Response:
        may.require(ctx.principal, may.can_manage_campaigns(ctx.principal), "save segments")
        source = ctx.request.query_params if ctx.request.method == "GET" else None

        def filter_values() -> dict[str, str]:
            if source is not None:
                return {k: (source.get(k) or "").strip() for k in ("q", "postal", "country")}
            return {k: ctx.form.text(k) for k in ("q", "postal", "country")}

        shown = filter_values()

        def query() -> CustomerQuery:
            from portal.reading.search import is_too_short

            search = shown["q"] or None
            return CustomerQuery(
                search=None if is_too_short(search) else search,
                postal_prefixes=segments.postal_prefixes(shown["postal"]),
                country_code=segments.country(shown["country"]),
            )

        if ctx.request.method == "GET":
            return self._form(ctx, FormErrors(), shown, query)

        def save() -> Response:
            ctx.form.validate(
                lambda: campaigns.check_name(ctx.form.text("name")),
                query,
            )
            segment = campaigns.save_segment(
                uow=ctx.uow, principal=ctx.principal, name=ctx.form.text("name"), query=query()
            )
            return ctx.redirect(
                f"/campaigns/new?segment={segment.id}"
                if ctx.form.text("next") == "campaign"
                else "/segments",
                ctx._("Segment %(name)s has been saved.", name=segment.name),
            )

        return ctx.attempt(save, lambda errors: self._form(ctx, errors, shown, query))

    def _form(self, ctx: Ctx, errors: FormErrors, shown: dict[str, str], query: Any) -> Response:
        try:
            size: int | None = CUSTOMERS.count(ctx.db, ctx.principal, query())
        except InvalidInput:
            size = None
        values = {"name": ctx.form.text("name") if ctx.request.method == "POST" else "", **shown}
        if ctx.request.method == "POST":
            values["next"] = ctx.form.text("next")
        return ctx.render(
            "segment_new.html",
            status_code=400 if errors else 200,
            errors=errors,
            values=values,
            size=size,
            description=_describe(segments.filter_of(query()) if size is not None else {}, ctx),
            back="/customers?" + urlencode({k: v for k, v in shown.items() if v}),
        )

    def delete(self, ctx: Ctx) -> Response:
        ident = ctx.request.path_params["segment_id"]

        def run() -> Response:
            segment = campaigns.delete_segment(uow=ctx.uow, principal=ctx.principal, segment_id=ident)
            return ctx.redirect("/segments", ctx._("Segment %(name)s has been deleted.", name=segment.name))

        return ctx.attempt(run, lambda errors: self.index(ctx))


def _list_link(segment: Segment) -> str:
    query = segments.query_of(segment.filter)
    params = {
        "q": query.search or "",
        "postal": ", ".join(query.postal_prefixes),
        "country": query.country_code or "",
    }
    return "/customers?" + urlencode({k: v for k, v in params.items() if v})
