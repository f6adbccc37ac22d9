"""The read models of customers and contacts."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.models import CampaignMember, Contact, Customer, CustomerAssignment
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """Which customers a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the name, number, city or VAT id
    number: str | None = None  # exactly this customer number
    city: str | None = None  # exactly this city
    country_code: str | None = None  # this ISO country code (any case)
    assigned_to_id: int | None = None  # shared with this organization
    updated_after: datetime | None = None  # updated_at after this moment
    # the postal code starts with one of these (letters and digits, upper case: "60", "1011")
    postal_prefixes: tuple[str, ...] = ()
    campaign_id: int | None = None  # in this campaign's segment (its members, campaign_members)


class CustomerSort(enum.StrEnum):
    NAME = "name"
    NUMBER = "number"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


def customer_conditions(q: CustomerQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Customer.name, Customer.number, Customer.city, Customer.vat_id))
    if q.number:
        conds.append(Customer.number == q.number)
    if q.city:
        conds.append(Customer.city == q.city)
    if q.country_code:
        conds.append(Customer.country_code == q.country_code.upper())
    if q.assigned_to_id is not None:
        assigned = select(CustomerAssignment.customer_id).where(
            CustomerAssignment.organization_id == q.assigned_to_id
        )
        conds.append(Customer.id.in_(assigned))
    if q.updated_after is not None:
        conds.append(Customer.updated_at > q.updated_after)
    if q.postal_prefixes:
        # prefixes hold letters and digits only (portal.campaigns.segments checks them): no LIKE escapes
        conds.append(or_(*(Customer.postal_code.like(f"{prefix}%") for prefix in q.postal_prefixes)))
    if q.campaign_id is not None:
        members = select(CampaignMember.customer_id).where(CampaignMember.campaign_id == q.campaign_id)
        conds.append(Customer.id.in_(members))
    return conds


CUSTOMERS = Keyset(
    "customer",
    Customer,
    {
        CustomerSort.NAME: Customer.name,
        CustomerSort.NUMBER: Customer.number,
        CustomerSort.CREATED_AT: Customer.created_at,
        CustomerSort.UPDATED_AT: Customer.updated_at,
    },
    customer_conditions,
)


def list_customers(
    session: Session,
    principal: Principal,
    query: CustomerQuery = CustomerQuery(),
    *,
    sort: CustomerSort = CustomerSort.NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return CUSTOMERS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


@dataclass(frozen=True, slots=True)
class ContactQuery:
    search: str | None = None  # a substring of the first name, last name or e-mail address
    email: str | None = None  # exactly this e-mail address (any case)
    customer_id: int | None = None


class ContactSort(enum.StrEnum):
    LAST_NAME = "last_name"
    CREATED_AT = "created_at"


def contact_conditions(q: ContactQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Contact.first_name, Contact.last_name, Contact.email))
    if q.email:
        conds.append(Contact.email == q.email.lower())
    if q.customer_id is not None:
        conds.append(Contact.customer_id == q.customer_id)
    return conds


CONTACTS = Keyset(
    "contact",
    Contact,
    {ContactSort.LAST_NAME: Contact.last_name, ContactSort.CREATED_AT: Contact.created_at},
    contact_conditions,
)


def list_contacts(
    session: Session,
    principal: Principal,
    query: ContactQuery = ContactQuery(),
    *,
    sort: ContactSort = ContactSort.LAST_NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return CONTACTS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


def assignments_for(
    session: Session, principal: Principal, customer_ids: set[int]
) -> dict[int, list[CustomerAssignment]]:
    """Who each customer is shared with, as far as the principal may see the assignments."""
    result: dict[int, list[CustomerAssignment]] = {ident: [] for ident in customer_ids}
    stmt = visible(principal, CustomerAssignment).where(CustomerAssignment.customer_id.in_(customer_ids))
    for assignment in session.scalars(stmt.order_by(CustomerAssignment.id)):
        result[assignment.customer_id].append(assignment)
    return result
