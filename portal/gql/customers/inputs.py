"""The customer and contact connections' filters and orderings, and the inputs of their mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import UNSET

from portal.campaigns import segments
from portal.customers.queries import ContactQuery, ContactSort, CustomerQuery, CustomerSort
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id, one_search

CustomerSortField = strawberry.enum(CustomerSort, name="CustomerSortField")
ContactSortField = strawberry.enum(ContactSort, name="ContactSortField")


@strawberry.input
class CustomerFilter:
    search: str | None = strawberry.field(
        default=None, description="A part of the name, the number, the city or the VAT id."
    )
    name_contains: str | None = strawberry.field(
        default=None, deprecation_reason="Use search (it matches the name, number, city and VAT id)."
    )
    number: str | None = strawberry.field(default=None, description="Exactly this customer number.")
    city: str | None = strawberry.field(default=None, description="Exactly this city.")
    country_code: str | None = None
    updated_after: datetime | None = None
    postal_code_prefixes: list[str] | None = strawberry.field(
        default=None, description='Postal codes starting with one of these ("60", "61").'
    )
    campaign: strawberry.ID | None = strawberry.field(
        default=None, description="Customers of this campaign's segment."
    )


@strawberry.input
class CustomerOrder:
    field: CustomerSort = CustomerSort.NAME
    direction: SortDirection = SortDirection.ASC


def customer_query(f: CustomerFilter | None) -> CustomerQuery:
    if f is None:
        return CustomerQuery()
    return CustomerQuery(
        search=one_search(f.search, f.name_contains, "nameContains"),
        number=f.number,
        city=f.city,
        country_code=f.country_code,
        updated_after=f.updated_after,
        postal_prefixes=segments.postal_prefixes(
            ",".join(f.postal_code_prefixes or ()), "filter.postalCodePrefixes"
        ),
        campaign_id=filter_id("filter.campaign", f.campaign, "Campaign"),
    )


@strawberry.input
class ContactFilter:
    customer: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="A part of the first name, the last name or the e-mail address."
    )
    name_contains: str | None = strawberry.field(
        default=None, deprecation_reason="Use search (it matches the names and the e-mail address)."
    )
    email: str | None = strawberry.field(default=None, description="Exactly this e-mail address.")


@strawberry.input
class ContactOrder:
    field: ContactSort = ContactSort.LAST_NAME
    direction: SortDirection = SortDirection.ASC


def contact_query(f: ContactFilter | None) -> ContactQuery:
    if f is None:
        return ContactQuery()
    return ContactQuery(
        search=one_search(f.search, f.name_contains, "nameContains"),
        email=f.email,
        customer_id=filter_id("filter.customer", f.customer, "Customer"),
    )


# --- mutations -----------------------------------------------------------------------------------


@strawberry.input
class ShareCustomerInput:
    customer: strawberry.ID
    organization: strawberry.ID


@strawberry.input
class CreateCustomerInput:
    name: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str = "DE"
    vat_id: str | None = strawberry.field(default=None, description="Stored without spaces, dots and dashes.")
    gln: str | None = None
    email: str | None = None
    phone: str | None = None
    create_despite_duplicates: bool = strawberry.field(
        default=False,
        description="Create it although it looks like an existing customer (a first try without it "
        "answers DUPLICATE with the look-alikes in `duplicates`).",
    )


@strawberry.input
class UpdateCustomerInput:
    customer: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=None, description="The version read; another's change since is a CONFLICT."
    )
    name: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    street: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    postal_code: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    city: str | None = strawberry.field(default=UNSET, description='Omitted: unchanged; null or "": cleared.')
    country_code: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    vat_id: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    gln: str | None = strawberry.field(default=UNSET, description='Omitted: unchanged; null or "": cleared.')
    email: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    phone: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )


@strawberry.input(description="Consent to be contacted on one channel.")
class ConsentInput:
    given: bool
    source: str = strawberry.field(description='How it was given or withdrawn ("signed form", ...).')
    at: datetime | None = strawberry.field(default=None, description="When; null: now.")


@strawberry.input
class AddContactInput:
    customer: strawberry.ID
    last_name: str
    first_name: str = ""
    email: str | None = None
    phone: str | None = None
    position: str | None = None
    email_consent: ConsentInput | None = None
    phone_consent: ConsentInput | None = None


@strawberry.input
class EraseContactInput:
    contact: strawberry.ID
    expected_version: int | None = None


@strawberry.input
class UpdateContactInput:
    contact: strawberry.ID
    first_name: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    last_name: str | None = strawberry.field(default=None, description="Omitted or null: unchanged.")
    email: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    phone: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    position: str | None = strawberry.field(
        default=UNSET, description='Omitted: unchanged; null or "": cleared.'
    )
    email_consent: ConsentInput | None = strawberry.field(default=None, description="Null: unchanged.")
    phone_consent: ConsentInput | None = strawberry.field(default=None, description="Null: unchanged.")
    expected_version: int | None = strawberry.field(
        default=None, description="The version read; another's change since is a CONFLICT."
    )
