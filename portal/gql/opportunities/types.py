"""Opportunities and their lines. Column fields carry the database column's name; relations resolve
through the request's loaders (``portal.gql.loaders``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from portal import models as m
from portal.access import permissions
from portal.gql.base import Built, Node, ctx, field
from portal.gql.customers.types import Customer
from portal.gql.orders.types import Order
from portal.gql.partners.types import Organization
from portal.gql.partners.users import User

OpportunityStage = strawberry.enum(m.OpportunityStage, name="OpportunityStage")


@strawberry.type(description="A product the opportunity would sell: an order line once it is won.")
class OpportunityLine(Node, Built):
    line_no: int
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    opportunity_id: strawberry.Private[int]
    product_id: strawberry.Private[int]

    @strawberry.field
    def net_amount(self) -> Decimal:
        return self.quantity * self.unit_price


@strawberry.type(description="A deal in the sales pipeline: its stage, amount and chance, and who sells it.")
class Opportunity(Node, Built):
    number: str
    name: str
    stage: m.OpportunityStage
    amount: Decimal = strawberry.field(description="The sum of the lines once it has lines; typed before.")
    currency: str
    probability: int = strawberry.field(description="The chance of winning it, in percent (0-100).")
    expected_close: date
    lost_reason: str | None
    note: str
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Pass it back as expectedVersion to detect lost updates.")
    customer_id: strawberry.Private[int]
    dealer_id: strawberry.Private[int | None]
    owner_user_id: strawberry.Private[int | None]
    order_id: strawberry.Private[int | None]
    campaign_id: strawberry.Private[int | None]
    created_by_org_id: strawberry.Private[int]

    @field(description="The amount weighted by the probability (what the forecast counts).")
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))

    @strawberry.field
    def lines(self, info: strawberry.Info) -> list[OpportunityLine]:
        return ctx(info).loaders.lines_by_opportunity.load(self.pk, (o.pk for o in self._siblings))

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))

    @field(description="The dealer or partner that sells it; null: the owner's own sales.")
    def dealer(self, info: strawberry.Info) -> Organization | None:
        if self.dealer_id is None:
            return None
        return ctx(info).loaders.organization.load(self.dealer_id, (o.dealer_id for o in self._siblings))

    @field(
        description="Who works it; null when the caller may not see that user (owner staff, for a dealer)."
    )
    def owner(self, info: strawberry.Info) -> User | None:
        if self.owner_user_id is None:
            return None
        return ctx(info).loaders.user.load(self.owner_user_id, (o.owner_user_id for o in self._siblings))

    @field(description="The order it became when it was won.")
    def order(self, info: strawberry.Info) -> Order | None:
        if self.order_id is None:
            return None
        return ctx(info).loaders.order.load(self.order_id, (o.order_id for o in self._siblings))

    @field(description="Whether the caller may change it, its lines and its stage.")
    def can_work(self, info: strawberry.Info) -> bool:
        return permissions.can_work_opportunity(ctx(info).principal, self)


@strawberry.type(description="The opportunities of one stage: the head of a pipeline column.")
class PipelineStage:
    stage: m.OpportunityStage
    count: int
    amount: Decimal
    weighted_amount: Decimal


@strawberry.type(description="One month of the forecast.")
class ForecastMonth:
    month: date = strawberry.field(description="The first day of the month.")
    count: int = strawberry.field(description="Open opportunities expected to close in the month.")
    amount: Decimal = strawberry.field(description="Their amounts.")
    weighted_amount: Decimal = strawberry.field(description="Their amounts weighted by probability.")
    won_amount: Decimal = strawberry.field(
        description="Opportunities won in the month (the day they were won, Berlin time)."
    )
