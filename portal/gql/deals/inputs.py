"""The deal registration connection's filter and ordering, and the inputs of its mutations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from portal import models as m
from portal.deals.queries import DealQuery, DealSort
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id, one_search

DealSortField = strawberry.enum(DealSort, name="DealRegistrationSortField")


@strawberry.input
class DealRegistrationFilter:
    search: str | None = strawberry.field(default=None, description="A part of the number, prospect or city.")
    status: list[m.DealStatus] | None = None
    dealer: strawberry.ID | None = None
    expiring_on: date | None = strawberry.field(
        default=None,
        description="Approved, protection ending within 14 days of this day (ignores status).",
    )


@strawberry.input
class DealRegistrationOrder:
    field: DealSort = DealSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def deal_query(f: DealRegistrationFilter | None) -> DealQuery:
    if f is None:
        return DealQuery()
    search = one_search(f.search, None, "search")
    dealer = filter_id("filter.dealer", f.dealer, "Organization")
    if f.expiring_on is not None:
        return DealQuery.expiring(f.expiring_on, search=search, dealer_id=dealer)
    return DealQuery(search=search, statuses=frozenset(f.status or ()), dealer_id=dealer)


@strawberry.input
class RegisterDealInput:
    prospect_name: str
    description: str = strawberry.field(description="The deal and the products it is about.")
    amount: Decimal = strawberry.field(description="The expected amount.")
    expected_close: date
    vat_id: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str = "DE"
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    currency: str = "EUR"
    dealer: strawberry.ID | None = strawberry.field(
        default=None, description="A dealer group: the branch it registers for; by default your organization."
    )


@strawberry.input
class WithdrawDealRegistrationInput:
    id: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class ApproveDealRegistrationInput:
    id: strawberry.ID
    protected_until: date | None = strawberry.field(
        default=None, description="The last protected day; by default the installation's period (90 days)."
    )
    customer: strawberry.ID | None = strawberry.field(
        default=None,
        description="The customer of the dealer's opportunity; by default the best match, else a new one.",
    )
    new_customer: bool = strawberry.field(
        default=False, description="Create the customer from the prospect even when one matches."
    )
    confirm_over_protection: bool = strawberry.field(
        default=False,
        description="Required when another dealer's approved registration protects the prospect.",
    )
    expected_version: int | None = None


@strawberry.input
class RejectDealRegistrationInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Required; the dealer reads it.")
    expected_version: int | None = None
