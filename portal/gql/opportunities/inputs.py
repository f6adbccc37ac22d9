"""The opportunity connection's filter and ordering, and the inputs of the opportunity mutations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from portal import models as m
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id, one_search
from portal.opportunities.queries import OpportunityQuery, OpportunitySort

OpportunitySortField = strawberry.enum(OpportunitySort, name="OpportunitySortField")


@strawberry.input
class OpportunityFilter:
    search: str | None = strawberry.field(default=None, description="A part of the number or the name.")
    stage: list[m.OpportunityStage] | None = None
    customer: strawberry.ID | None = None
    dealer: strawberry.ID | None = None
    owner: strawberry.ID | None = None
    closes_from: date | None = strawberry.field(default=None, description="Expected to close on or after.")
    closes_before: date | None = strawberry.field(default=None, description="Expected to close before.")


@strawberry.input
class OpportunityOrder:
    field: OpportunitySort = OpportunitySort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def opportunity_query(f: OpportunityFilter | None) -> OpportunityQuery:
    if f is None:
        return OpportunityQuery()
    return OpportunityQuery(
        search=one_search(f.search, None, "search"),
        stages=frozenset(f.stage or ()),
        customer_id=filter_id("filter.customer", f.customer, "Customer"),
        dealer_id=filter_id("filter.dealer", f.dealer, "Organization"),
        owner_user_id=filter_id("filter.owner", f.owner, "User"),
        closes_from=f.closes_from,
        closes_before=f.closes_before,
    )


@strawberry.input
class OpportunityLineInput:
    quantity: Decimal
    product: strawberry.ID | None = None
    sku: str | None = None
    unit_price: Decimal | None = strawberry.field(
        default=None, description="The catalogue price when left out (others: the owner's sales staff)."
    )


@strawberry.input
class CreateOpportunityInput:
    customer: strawberry.ID
    name: str
    expected_close: date
    amount: Decimal | None = strawberry.field(default=None, description="Ignored once there are lines.")
    probability: int | None = strawberry.field(default=None, description="The stage's default when left out.")
    stage: m.OpportunityStage = m.OpportunityStage.QUALIFICATION
    dealer: strawberry.ID | None = strawberry.field(
        default=None,
        description="The owner's staff: the dealer that sells it. Dealers sell in their own name.",
    )
    owner: strawberry.ID | None = strawberry.field(
        default=None, description="The user who works it; you by default."
    )
    currency: str = "EUR"
    note: str = ""
    lines: list[OpportunityLineInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateOpportunityInput:
    id: strawberry.ID
    name: str | None = None
    amount: Decimal | None = None
    probability: int | None = None
    expected_close: date | None = None
    owner: strawberry.ID | None = None
    note: str | None = None
    expected_version: int | None = None


@strawberry.input
class AddOpportunityLineInput:
    opportunity: strawberry.ID
    line: OpportunityLineInput
    expected_version: int | None = None


@strawberry.input
class RemoveOpportunityLineInput:
    opportunity: strawberry.ID
    line_no: int
    expected_version: int | None = None


@strawberry.input
class MoveOpportunityInput:
    id: strawberry.ID
    stage: m.OpportunityStage
    lost_reason: str | None = strawberry.field(default=None, description="Required for LOST.")
    probability: int | None = strawberry.field(
        default=None, description="The new stage's default when left out."
    )
    expected_version: int | None = None
