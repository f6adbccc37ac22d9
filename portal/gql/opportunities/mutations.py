"""The opportunity mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.gql.base import mutation, opt_pk, pk, reload, run
from portal.gql.errors import UserError
from portal.gql.opportunities.inputs import (
    AddOpportunityLineInput,
    CreateOpportunityInput,
    MoveOpportunityInput,
    OpportunityLineInput,
    RemoveOpportunityLineInput,
    UpdateOpportunityInput,
)
from portal.gql.opportunities.types import Opportunity
from portal.gql.orders.types import Order
from portal.opportunities import service as opportunities


@strawberry.type
class OpportunityPayload:
    opportunity: Opportunity | None
    user_errors: list[UserError]
    order: Order | None = strawberry.field(default=None, description="The order a won opportunity became.")


def _line(line: OpportunityLineInput) -> opportunities.NewOpportunityLine:
    return opportunities.NewOpportunityLine(
        quantity=line.quantity,
        product_id=opt_pk(line.product, "Product", "product"),
        sku=line.sku,
        unit_price=line.unit_price,
    )


def _payload(info: strawberry.Info, ident: int | None, errors: list[UserError]) -> OpportunityPayload:
    found = reload(info, m.Opportunity, Opportunity, ident)
    order = None
    if found is not None and found.order_id is not None:
        order = reload(info, m.Order, Order, found.order_id)
    return OpportunityPayload(opportunity=found, order=order, user_errors=errors)


@strawberry.type
class OpportunitiesMutation:
    @mutation(description="Open an opportunity on a customer (dealers: in their own name).")
    def create_opportunity(self, info: strawberry.Info, input: CreateOpportunityInput) -> OpportunityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return opportunities.create_opportunity(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                name=input.name,
                expected_close=input.expected_close,
                amount=input.amount,
                probability=input.probability,
                stage=input.stage,
                dealer_id=opt_pk(input.dealer, "Organization", "dealer"),
                owner_user_id=opt_pk(input.owner, "User", "owner"),
                currency=input.currency,
                note=input.note,
                lines=[_line(line) for line in input.lines],
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Change an open opportunity's fields; null leaves a field as it is.")
    def update_opportunity(self, info: strawberry.Info, input: UpdateOpportunityInput) -> OpportunityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return opportunities.update_opportunity(
                uow=uow,
                principal=p,
                opportunity_id=pk(input.id, "Opportunity", "opportunity"),
                changes=opportunities.OpportunityChanges(
                    name=input.name,
                    amount=input.amount,
                    probability=input.probability,
                    expected_close=input.expected_close,
                    owner_user_id=opt_pk(input.owner, "User", "owner"),
                    note=input.note,
                ),
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Add a product line to an open opportunity (its amount becomes the lines' sum).")
    def add_opportunity_line(
        self, info: strawberry.Info, input: AddOpportunityLineInput
    ) -> OpportunityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return opportunities.add_line(
                uow=uow,
                principal=p,
                opportunity_id=pk(input.opportunity, "Opportunity", "opportunity"),
                line=_line(input.line),
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @strawberry.mutation
    def remove_opportunity_line(
        self, info: strawberry.Info, input: RemoveOpportunityLineInput
    ) -> OpportunityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return opportunities.remove_line(
                uow=uow,
                principal=p,
                opportunity_id=pk(input.opportunity, "Opportunity", "opportunity"),
                line_no=input.line_no,
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(
        description=(
            "Move an open opportunity to another stage. WON creates the order of its lines (returned"
            " as `order`); LOST needs a lostReason. Won and lost are final."
        )
    )
    def move_opportunity(self, info: strawberry.Info, input: MoveOpportunityInput) -> OpportunityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return opportunities.move_stage(
                uow=uow,
                principal=p,
                opportunity_id=pk(input.id, "Opportunity", "opportunity"),
                stage=input.stage,
                lost_reason=input.lost_reason,
                probability=input.probability,
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)
