"""The lead connection's filter and ordering, and the inputs of the lead mutations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from portal import models as m
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id, one_search
from portal.leads.importing import ImportMode
from portal.leads.queries import QUEUE, LeadQuery, LeadSort

LeadSortField = strawberry.enum(LeadSort, name="LeadSortField")
LeadImportMode = strawberry.enum(ImportMode, name="LeadImportMode")


@strawberry.input
class LeadFilter:
    search: str | None = strawberry.field(
        default=None, description="A part of the number, company, contact, e-mail or city."
    )
    status: list[m.LeadStatus] | None = None
    unassigned: bool = strawberry.field(default=False, description="Only marketing's queue (NEW, DECLINED).")
    dealer: strawberry.ID | None = None
    campaign: strawberry.ID | None = None


@strawberry.input
class LeadOrder:
    field: LeadSort = LeadSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def lead_query(f: LeadFilter | None) -> LeadQuery:
    if f is None:
        return LeadQuery()
    statuses = frozenset(f.status or ())
    if f.unassigned:
        statuses = (statuses & QUEUE) if statuses else QUEUE
    return LeadQuery(
        search=one_search(f.search, None, "search"),
        statuses=statuses,
        dealer_id=filter_id("filter.dealer", f.dealer, "Organization"),
        campaign_id=filter_id("filter.campaign", f.campaign, "Campaign"),
    )


@strawberry.input
class LeadInput:
    company: str
    contact_name: str = ""
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str = "DE"
    region: str | None = strawberry.field(
        default=None, description='Matched against territories\' regions ("DE-HH").'
    )
    source: str = ""
    notes: str = ""
    campaign: strawberry.ID | None = None


@strawberry.input
class CreateLeadInput:
    lead: LeadInput
    distribute: bool = strawberry.field(default=True, description="Offer it to a dealer at once.")


@strawberry.input
class UpdateLeadInput:
    id: strawberry.ID
    lead: LeadInput
    expected_version: int | None = None


@strawberry.input
class AnswerLeadInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class DeclineLeadInput:
    id: strawberry.ID
    reason: str
    expected_version: int | None = None


@strawberry.input
class DisqualifyLeadInput:
    id: strawberry.ID
    reason: str
    expected_version: int | None = None


@strawberry.input
class ReassignLeadInput:
    id: strawberry.ID
    dealer: strawberry.ID | None = strawberry.field(
        default=None, description="Give it to this dealer by hand; null: run the distribution again."
    )
    expected_version: int | None = None


@strawberry.input
class ConvertLeadInput:
    id: strawberry.ID
    opportunity_name: str
    expected_close: date
    amount: Decimal | None = None
    customer: strawberry.ID | None = strawberry.field(
        default=None, description="Link this existing customer; null: create one from the lead's data."
    )
    create_despite_duplicates: bool = strawberry.field(
        default=False, description="Create the customer although it looks like an existing one."
    )
    expected_version: int | None = None


@strawberry.input
class SetTerritoryInput:
    organization: strawberry.ID
    postal_ranges: list[str] = strawberry.field(description='"DE 20000-22999", "AT 1010", "DE 2" (a prefix).')
    regions: list[str] = strawberry.field(default_factory=list)
    capacity: int = 10
    active: bool = True
    expected_version: int | None = None
