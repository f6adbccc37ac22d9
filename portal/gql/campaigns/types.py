"""Campaigns, their results and the customer segments they target. Column fields carry the database
column's name; the budget, the segment and the costs are shown to the owner's staff only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

import portal.gql.leads.types  # noqa: F401  (the LeadStatus enum's GraphQL definition)
from portal import models as m
from portal.access import permissions
from portal.campaigns import segments
from portal.campaigns.queries import segment_size
from portal.customers.queries import CUSTOMERS, CustomerQuery, CustomerSort, list_customers
from portal.errors import InvalidInput
from portal.gql.base import Built, Node, ctx, field
from portal.gql.customers.types import Customer
from portal.reading import PageRequest

CampaignChannel = strawberry.enum(m.CampaignChannel, name="CampaignChannel")
CampaignStatus = strawberry.enum(
    m.CampaignStatus, name="CampaignStatus", description="Derived from the period and today (Berlin)."
)
MAX_CUSTOMERS = 50


@strawberry.type(description="How many of the campaign's leads are in one status.")
class LeadStatusCount:
    status: m.LeadStatus
    count: int


@strawberry.type(
    description=(
        "A campaign's responses and results as the caller sees them: owner staff all of them; a dealer"
        " only its own leads and opportunities, and neither the budget nor the costs."
    )
)
class CampaignResults:
    leads: int
    leads_by_status: list[LeadStatusCount]
    opportunities: int = strawberry.field(description="Opportunities from the campaign's leads.")
    won: int = strawberry.field(description="Of them, won.")
    won_revenue: Decimal = strawberry.field(description="The won opportunities' amounts, in EUR.")
    budget: Decimal | None = strawberry.field(description="EUR; owner staff only.")
    cost_per_lead: Decimal | None = strawberry.field(description="Budget / leads; owner staff only.")
    cost_per_won_euro: Decimal | None = strawberry.field(
        description="Budget / won revenue; owner staff only."
    )


@strawberry.type(description="A saved filter of the customers list (owner staff only).")
class Segment(Node, Built):
    name: str
    created_at: datetime
    filter: strawberry.Private[dict[str, Any]]
    created_by_user_id: strawberry.Private[int | None]

    @field(description="The filter's search text (name, number, city or VAT id).")
    def search(self) -> str | None:
        return segments.query_of(self.filter).search

    @field()
    def country_code(self) -> str | None:
        return segments.query_of(self.filter).country_code

    @field(description='Postal codes starting with one of these ("60", "61").')
    def postal_code_prefixes(self) -> list[str]:
        return list(segments.query_of(self.filter).postal_prefixes)

    @field(description="How many customers match the filter now (a COUNT).")
    def size(self, info: strawberry.Info) -> int:
        c = ctx(info)
        return CUSTOMERS.count(c.session, c.principal, segments.query_of(self.filter))


@strawberry.type(description="A marketing campaign: period, channel, budget, the segment it targets.")
class Campaign(Node, Built):
    name: str
    starts_on: date | None
    ends_on: date | None
    description: str
    created_at: datetime
    updated_at: datetime | None
    members_counted_at: datetime | None = strawberry.field(
        description="When its segment's customers were last taken from the filter."
    )
    version: int = strawberry.field(description="Pass it back as expectedVersion to detect lost updates.")
    channel: strawberry.Private[str]
    budget: strawberry.Private[Any]
    segment_id: strawberry.Private[int | None]
    segment_name: strawberry.Private[str]
    segment_filter: strawberry.Private[dict[str, Any]]
    created_by: strawberry.Private[int | None]

    @field(name="channel")
    def channel_kind(self) -> m.CampaignChannel | None:
        try:
            return m.CampaignChannel(self.channel)
        except ValueError:
            return None

    @field(name="budget", description="EUR; null unless the caller is owner staff.")
    def shown_budget(self, info: strawberry.Info) -> Decimal | None:
        if not permissions.can_see_campaign_budget(ctx(info).principal):
            return None
        return Decimal(self.budget)

    @field()
    def status(self) -> m.CampaignStatus:
        from portal.campaigns.members import ZONE

        return m.campaign_status(self.starts_on, self.ends_on, datetime.now(ZONE).date())

    @field(description="The segment it targets (owner staff; null if deleted since).")
    def segment(self, info: strawberry.Info) -> Segment | None:
        if self.segment_id is None:
            return None
        return ctx(info).loaders.segment.load(self.segment_id, (o.segment_id for o in self._siblings))

    @field(
        name="segmentName",
        description="The targeted segment's name, kept when it is deleted (owner staff; else null).",
    )
    def segment_name_shown(self, info: strawberry.Info) -> str | None:
        if not ctx(info).principal.is_owner:
            return None
        return self.segment_name or None

    @field(description="How many customers of its segment the caller sees (a dealer: those shared with it).")
    def segment_size(self, info: strawberry.Info) -> int:
        c = ctx(info)
        return segment_size(c.session, c.principal, self.pk)

    @field(
        description=f"The first customers of its segment the caller sees, by name (at most {MAX_CUSTOMERS})."
    )
    def customers(self, info: strawberry.Info, first: int = 10) -> list[Customer]:
        from portal.gql.loaders import build_all

        if not 0 <= first <= MAX_CUSTOMERS:
            raise InvalidInput("first", f"must be between 0 and {MAX_CUSTOMERS}")
        c = ctx(info)
        page = list_customers(
            c.session, c.principal, CustomerQuery(campaign_id=self.pk), sort=CustomerSort.NAME,
            page=PageRequest(first=first),
        )  # fmt: skip
        return build_all(Customer, m.Customer, page.items)

    @field(description="Leads, opportunities, won revenue and costs, as far as the caller sees them.")
    def results(self, info: strawberry.Info) -> CampaignResults:
        found = ctx(info).loaders.campaign_results.load(self.pk, (o.pk for o in self._siblings))
        assert found is not None  # the campaign is visible, so are its (possibly empty) results
        return CampaignResults(
            leads=found.leads,
            leads_by_status=[LeadStatusCount(status=s, count=n) for s, n in found.leads_by_status.items()],
            opportunities=found.opportunities,
            won=found.won,
            won_revenue=found.won_revenue,
            budget=found.budget,
            cost_per_lead=found.cost_per_lead,
            cost_per_won_euro=found.cost_per_won_euro,
        )

    @field(description="Whether the caller may change it (and recount its segment).")
    def can_edit(self, info: strawberry.Info) -> bool:
        return permissions.can_manage_campaigns(ctx(info).principal)
