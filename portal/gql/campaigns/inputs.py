"""The campaign connection's filter and ordering, and the inputs of the campaign and segment mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import strawberry

from portal import models as m
from portal.campaigns.queries import CampaignQuery, CampaignSort
from portal.gql.base import SortDirection
from portal.gql.connection import one_search
from portal.gql.customers.inputs import CustomerFilter

CampaignSortField = strawberry.enum(CampaignSort, name="CampaignSortField")
ZONE = ZoneInfo("Europe/Berlin")


@strawberry.input
class CampaignFilter:
    search: str | None = strawberry.field(default=None, description="A part of the name.")
    status: list[m.CampaignStatus] | None = None
    channel: list[m.CampaignChannel] | None = None
    active_from: date | None = strawberry.field(
        default=None, description="Campaigns whose period overlaps activeFrom..activeTo."
    )
    active_to: date | None = None


@strawberry.input
class CampaignOrder:
    field: CampaignSort = CampaignSort.STARTS_ON
    direction: SortDirection = SortDirection.DESC


def campaign_query(f: CampaignFilter | None) -> CampaignQuery:
    if f is None:
        return CampaignQuery()
    return CampaignQuery(
        search=one_search(f.search, None, "search"),
        statuses=frozenset(f.status or ()),
        channels=frozenset(f.channel or ()),
        today=datetime.now(ZONE).date() if f.status else None,
        active_from=f.active_from,
        active_to=f.active_to,
    )


@strawberry.input
class CampaignInput:
    name: str
    starts_on: date
    ends_on: date
    channel: m.CampaignChannel
    budget: Decimal = strawberry.field(default=Decimal(0), description="EUR.")
    description: str = ""
    segment: strawberry.ID | None = strawberry.field(default=None, description="The segment it targets.")


@strawberry.input
class UpdateCampaignInput:
    id: strawberry.ID
    campaign: CampaignInput
    expected_version: int | None = None


@strawberry.input
class RecountCampaignInput:
    id: strawberry.ID


@strawberry.input
class SaveSegmentInput:
    name: str
    filter: CustomerFilter = strawberry.field(
        description="The customers list's filter to save (search, countryCode, city, postalCodePrefixes)."
    )


@strawberry.input
class DeleteSegmentInput:
    id: strawberry.ID
