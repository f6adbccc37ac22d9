"""The deal registration mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

from datetime import date

import strawberry
from starlette.requests import HTTPConnection

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.deals import service as deals
from portal.gql.base import ctx, mutation, opt_pk, pk, reload, run
from portal.gql.deals.inputs import (
    ApproveDealRegistrationInput,
    RegisterDealInput,
    RejectDealRegistrationInput,
    WithdrawDealRegistrationInput,
)
from portal.gql.deals.types import DealRegistration
from portal.gql.errors import UserError
from portal.gql.opportunities.types import Opportunity


@strawberry.type
class DealRegistrationPayload:
    deal_registration: DealRegistration | None
    user_errors: list[UserError]
    opportunity: Opportunity | None = strawberry.field(
        default=None, description="Approved: the opportunity opened for the dealer."
    )


def _payload(info: strawberry.Info, ident: int | None, errors: list[UserError]) -> DealRegistrationPayload:
    found = reload(info, m.DealRegistration, DealRegistration, ident)
    opportunity = None
    if found is not None and found.opportunity_id is not None:
        opportunity = reload(info, m.Opportunity, Opportunity, found.opportunity_id)
    return DealRegistrationPayload(deal_registration=found, opportunity=opportunity, user_errors=errors)


def _protection_days(info: strawberry.Info) -> int:
    """The installation's period (``PORTAL_DEAL_PROTECTION_DAYS``); a bare API app: the default."""
    request = ctx(info).request
    settings = getattr(request.app.state, "settings", None) if isinstance(request, HTTPConnection) else None
    days = getattr(settings, "deal_protection_days", None)
    return days if isinstance(days, int) else deals.DEFAULT_PROTECTION_DAYS


@strawberry.type
class DealsMutation:
    @mutation(description="Register a deal on a prospect (dealers and partners, in their own name).")
    def register_deal(self, info: strawberry.Info, input: RegisterDealInput) -> DealRegistrationPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return deals.register_deal(
                uow=uow,
                principal=p,
                prospect=deals.Prospect(
                    prospect_name=input.prospect_name,
                    description=input.description,
                    vat_id=input.vat_id,
                    street=input.street,
                    postal_code=input.postal_code,
                    city=input.city,
                    country_code=input.country_code,
                    contact_name=input.contact_name,
                    contact_email=input.contact_email,
                    contact_phone=input.contact_phone,
                ),
                amount=input.amount,
                expected_close=input.expected_close,
                currency=input.currency,
                dealer_id=opt_pk(input.dealer, "Organization", "dealer"),
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(description="Withdraw a submitted registration (the registering dealer).")
    def withdraw_deal_registration(
        self, info: strawberry.Info, input: WithdrawDealRegistrationInput
    ) -> DealRegistrationPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return deals.withdraw_registration(
                uow=uow,
                principal=p,
                registration_id=pk(input.id, "DealRegistration", "deal registration"),
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(
        description=(
            "Approve a submitted registration (the owner's sales staff): the dealer is protected until"
            " protectedUntil, and an opportunity in qualification is opened for it (returned as"
            " `opportunity`). Another dealer's active protection needs confirmOverProtection. The"
            " second of two deciders gets CONFLICT."
        )
    )
    def approve_deal_registration(
        self, info: strawberry.Info, input: ApproveDealRegistrationInput
    ) -> DealRegistrationPayload:
        days = _protection_days(info)

        def act(uow: UnitOfWork, p: Principal) -> int:
            return deals.approve_registration(
                uow=uow,
                principal=p,
                registration_id=pk(input.id, "DealRegistration", "deal registration"),
                protected_until=input.protected_until,
                protection_days=days,
                customer_id=opt_pk(input.customer, "Customer", "customer"),
                new_customer=input.new_customer,
                confirm_over_protection=input.confirm_over_protection,
                expected_version=input.expected_version,
                today=date.today(),
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)

    @mutation(
        description="Reject a submitted registration with a reason the dealer reads (owner sales staff)."
    )
    def reject_deal_registration(
        self, info: strawberry.Info, input: RejectDealRegistrationInput
    ) -> DealRegistrationPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            return deals.reject_registration(
                uow=uow,
                principal=p,
                registration_id=pk(input.id, "DealRegistration", "deal registration"),
                reason=input.reason,
                expected_version=input.expected_version,
            ).id

        ident, errors = run(info, act)
        return _payload(info, ident, errors)
