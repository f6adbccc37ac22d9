"""Leads, their offers (the assignment history) and the dealers' territories. Column
fields carry the database column's name; relations resolve through the request's loaders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from portal import models as m
from portal.access import permissions
from portal.gql.base import Built, Node, ctx, field
from portal.gql.customers.types import Customer
from portal.gql.opportunities.types import Opportunity
from portal.gql.partners.types import Organization

if TYPE_CHECKING:
    from portal.gql.campaigns.types import Campaign

LeadStatus = strawberry.enum(
    m.LeadStatus, name="LeadStatus", description="NEW and DECLINED: in marketing's queue."
)
OfferOutcome = strawberry.enum(m.OfferOutcome, name="LeadOfferOutcome")


@strawberry.type(description="One offer of a lead to a dealer, and how it ended (null: still open).")
class LeadOffer(Built):
    offered_at: datetime
    answer_due_at: datetime
    by_hand: bool = strawberry.field(description="Given by marketing by hand, not by the territory rules.")
    outcome: m.OfferOutcome | None
    reason: str | None
    answered_at: datetime | None
    lead_id: strawberry.Private[int]
    dealer_id: strawberry.Private[int]
    answered_by_user_id: strawberry.Private[int | None]

    @strawberry.field
    def dealer(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(self.dealer_id, (o.dealer_id for o in self._siblings))


@strawberry.type(
    description="A prospect from marketing, distributed to a dealer that accepts or declines it."
)
class Lead(Node, Built):
    number: str
    company: str
    contact_name: str
    email: str | None
    phone: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    country_code: str
    region: str | None
    source: str
    notes: str
    status: m.LeadStatus
    offered_at: datetime | None
    answer_due_at: datetime | None = strawberry.field(description="The dealer accepts or declines by then.")
    accepted_at: datetime | None
    disqualified_reason: str | None
    converted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Pass it back as expectedVersion to detect lost updates.")
    campaign_id: strawberry.Private[int | None]
    dealer_id: strawberry.Private[int | None]
    customer_id: strawberry.Private[int | None]
    opportunity_id: strawberry.Private[int | None]
    created_by_user_id: strawberry.Private[int | None]

    @field(description="The dealer it is offered to, accepted or converted by; null in the queue.")
    def dealer(self, info: strawberry.Info) -> Organization | None:
        if self.dealer_id is None:
            return None
        return ctx(info).loaders.organization.load(self.dealer_id, (o.dealer_id for o in self._siblings))

    @strawberry.field
    def campaign(
        self, info: strawberry.Info
    ) -> Annotated[Campaign, strawberry.lazy("portal.gql.campaigns.types")] | None:
        if self.campaign_id is None:
            return None
        return ctx(info).loaders.campaign.load(self.campaign_id, (o.campaign_id for o in self._siblings))

    @field(description="The customer it became (or was linked to) on conversion.")
    def customer(self, info: strawberry.Info) -> Customer | None:
        if self.customer_id is None:
            return None
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))

    @field(description="The opportunity it became on conversion.")
    def opportunity(self, info: strawberry.Info) -> Opportunity | None:
        if self.opportunity_id is None:
            return None
        return ctx(info).loaders.opportunity.load(
            self.opportunity_id, (o.opportunity_id for o in self._siblings)
        )

    @field(description="Its assignment history as the caller may see it (a dealer: its own offers).")
    def offers(self, info: strawberry.Info) -> list[LeadOffer]:
        return ctx(info).loaders.offers_by_lead.load(self.pk, (o.pk for o in self._siblings))

    @field(description="Whether the caller may accept or decline it now (the state is checked too).")
    def can_answer(self, info: strawberry.Info) -> bool:
        return self.status is m.LeadStatus.OFFERED and permissions.can_answer_lead(ctx(info).principal, self)

    @field(description="Whether the caller may convert it now.")
    def can_convert(self, info: strawberry.Info) -> bool:
        return self.status is m.LeadStatus.ACCEPTED and permissions.can_convert_lead(
            ctx(info).principal, self
        )


@strawberry.type(description="A dealer's territory for lead distribution.")
class Territory:
    postal_ranges: list[str] = strawberry.field(description='"DE 20000-22999": country, first and last code.')
    regions: list[str] = strawberry.field(description='A country ("AT") or a region the leads carry.')
    capacity: int = strawberry.field(description="The most open (offered or accepted) leads at once.")
    active: bool
    updated_at: datetime
    version: int
    open_leads: int = strawberry.field(description="Its open (offered or accepted) leads now.")
    organization_id: strawberry.Private[int]

    @strawberry.field
    def organization(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(self.organization_id)


@strawberry.type(description="A bad row of a lead import.")
class LeadImportError:
    line: int = strawberry.field(description="The line of the file (the header is line 1).")
    field: str | None
    message: str
