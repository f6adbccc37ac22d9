"""Deal registrations and their conflicts. Column fields carry the database column's name; relations
resolve through the request's loaders (``portal.gql.loaders``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry

from portal import models as m
from portal.access import permissions
from portal.deals import service as deals
from portal.gql.base import Built, Node, ctx, field
from portal.gql.customers.types import Customer
from portal.gql.opportunities.types import Opportunity
from portal.gql.partners.types import Organization
from portal.gql.partners.users import User

DealStatus = strawberry.enum(m.DealStatus, name="DealStatus")


@strawberry.type(description="What conflicts with a registration, as far as the caller may learn it.")
class DealConflicts:
    customers: list[Customer] = strawberry.field(
        description="Customers the caller sees with the prospect's VAT id, or its name at its postal code."
    )
    customer_hint: bool = strawberry.field(
        description="Dealers: a customer you do not see matches the prospect (nothing more is told)."
    )
    registrations: list[DealRegistration] = strawberry.field(
        description="Other active registrations of the prospect (submitted; approved and protected) you see."
    )
    other_partner: bool = strawberry.field(
        description="Dealers: another partner has an active registration of the prospect (not named)."
    )


@strawberry.type(
    description=(
        "A dealer's registration of a deal on a prospect: submitted, then approved (protected until a"
        " day, with an opportunity for the dealer) or rejected with a reason, withdrawn, or expired."
    )
)
class DealRegistration(Node, Built):
    number: str
    prospect_name: str
    vat_id: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    country_code: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    description: str
    amount: Decimal = strawberry.field(description="The expected amount.")
    currency: str
    expected_close: date
    status: m.DealStatus = strawberry.field(
        description="As stored; an approval past its protection reads EXPIRED once the worker marked it."
    )
    decided_at: datetime | None
    reason: str | None = strawberry.field(description="Why it was rejected.")
    protected_until: date | None = strawberry.field(description="Approved: the last protected day.")
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Pass it back as expectedVersion to detect lost updates.")
    name_key: strawberry.Private[str]
    dealer_id: strawberry.Private[int]
    registered_by_user_id: strawberry.Private[int | None]
    decided_by_user_id: strawberry.Private[int | None]
    customer_id: strawberry.Private[int | None]
    opportunity_id: strawberry.Private[int | None]

    @field(description="The registering dealer or partner.")
    def dealer(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(self.dealer_id, (r.dealer_id for r in self._siblings))

    @field(description="Who registered it; null for an API token, or when the caller may not see that user.")
    def registered_by(self, info: strawberry.Info) -> User | None:
        if self.registered_by_user_id is None:
            return None
        return ctx(info).loaders.user.load(
            self.registered_by_user_id, (r.registered_by_user_id for r in self._siblings)
        )

    @field(
        description="Who decided it; null when the caller may not see that user (owner staff, for a dealer)."
    )
    def decided_by(self, info: strawberry.Info) -> User | None:
        if self.decided_by_user_id is None:
            return None
        return ctx(info).loaders.user.load(
            self.decided_by_user_id, (r.decided_by_user_id for r in self._siblings)
        )

    @field(description="Approved: the customer of its opportunity (shared with the dealer).")
    def customer(self, info: strawberry.Info) -> Customer | None:
        if self.customer_id is None:
            return None
        return ctx(info).loaders.customer.load(self.customer_id, (r.customer_id for r in self._siblings))

    @field(description="Approved: the opportunity opened for the dealer.")
    def opportunity(self, info: strawberry.Info) -> Opportunity | None:
        if self.opportunity_id is None:
            return None
        return ctx(info).loaders.opportunity.load(
            self.opportunity_id, (r.opportunity_id for r in self._siblings)
        )

    @field(description="What conflicts with it (costs a few queries per registration: ask on one).")
    def conflicts(self, info: strawberry.Info) -> DealConflicts:
        c = ctx(info)
        found = deals.conflicts_by_id(c.session, c.principal, self.pk)
        customers = {o.pk: o for o in c.loaders.by_ids(m.Customer, Customer, [x.id for x in found.customers])}
        others = c.loaders.by_ids(m.DealRegistration, DealRegistration, [r.id for r in found.registrations])
        return DealConflicts(
            customers=[customers[x.id] for x in found.customers if x.id in customers],
            customer_hint=found.customer_hint,
            registrations=others,
            other_partner=found.other_partner,
        )

    @field(description="Whether the caller may withdraw it (while submitted).")
    def can_withdraw(self, info: strawberry.Info) -> bool:
        p = ctx(info).principal
        return self.status is m.DealStatus.SUBMITTED and permissions.can_withdraw_deal(p, self)

    @field(description="Whether the caller may approve or reject it (while submitted).")
    def can_decide(self, info: strawberry.Info) -> bool:
        return self.status is m.DealStatus.SUBMITTED and permissions.can_decide_deal(ctx(info).principal)
