"""Customer and contact lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import (
    FIRST_PAGE,
    ColumnLike,
    IdWindow,
    Page,
    PageRequest,
    RowPage,
    contains,
    keyset_rows,
    matches,
    paginate,
    search_pattern,
)
from portal.models import Contact, Customer, CustomerAssignment


class CustomerSort(enum.StrEnum):
    NAME = "name"
    NUMBER = "number"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    search: str | None = None
    assigned_to_id: int | None = None


def list_customers(
    session: Session,
    principal: Principal,
    *,
    filter: CustomerFilter = CustomerFilter(),
    sort: CustomerSort = CustomerSort.NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
) -> Page[Customer]:
    stmt = visible(principal, Customer)
    if filter.search:
        stmt = stmt.where(
            matches(
                search_pattern(filter.search),
                Customer.name,
                Customer.number,
                func.coalesce(Customer.city, ""),
                func.coalesce(Customer.vat_id, ""),
            )
        )
    if filter.assigned_to_id is not None:
        assigned = select(CustomerAssignment.customer_id).where(
            CustomerAssignment.organization_id == filter.assigned_to_id
        )
        stmt = stmt.where(Customer.id.in_(assigned))
    column: ColumnLike = {
        CustomerSort.NAME: Customer.name,
        CustomerSort.NUMBER: Customer.number,
        CustomerSort.CREATED_AT: Customer.created_at,
    }[sort]
    return paginate(session, stmt, Customer, sort_column=column, descending=descending, page=page)


class ContactSort(enum.StrEnum):
    LAST_NAME = "last_name"
    CREATED_AT = "created_at"


@dataclass(frozen=True, slots=True)
class ContactFilter:
    customer_id: int | None = None
    search: str | None = None


def list_contacts(
    session: Session,
    principal: Principal,
    *,
    filter: ContactFilter = ContactFilter(),
    sort: ContactSort = ContactSort.LAST_NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
) -> Page[Contact]:
    stmt = visible(principal, Contact)
    if filter.customer_id is not None:
        stmt = stmt.where(Contact.customer_id == filter.customer_id)
    if filter.search:
        stmt = stmt.where(
            matches(
                search_pattern(filter.search),
                Contact.first_name,
                Contact.last_name,
                func.coalesce(Contact.email, ""),
            )
        )
    column = Contact.last_name if sort is ContactSort.LAST_NAME else Contact.created_at
    return paginate(
        session,
        stmt,
        Contact,
        sort_column=column,
        descending=descending,
        page=page,
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


# --- the GraphQL API's customer and contact lists (Core rows, id cursors) ------------------------


@dataclass(frozen=True, slots=True)
class CustomerCriteria:
    name_contains: str | None = None
    number: str | None = None
    city: str | None = None
    country_code: str | None = None
    updated_after: datetime | None = None


def customer_rows(
    session: Session,
    principal: Principal,
    criteria: CustomerCriteria,
    *,
    sort: str = "name",
    descending: bool = False,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.name_contains:
        conds.append(contains(Customer.name, c.name_contains))
    if c.number:
        conds.append(Customer.number == c.number)
    if c.city:
        conds.append(Customer.city == c.city)
    if c.country_code:
        conds.append(Customer.country_code == c.country_code.upper())
    if c.updated_after:
        conds.append(Customer.updated_at > c.updated_after)
    return keyset_rows(session, principal, Customer, conds, sort=sort, descending=descending, window=window)


@dataclass(frozen=True, slots=True)
class ContactCriteria:
    """Ids are row ids; an id of the wrong kind arrives as -1 (no match)."""

    customer_id: int | None = None
    name_contains: str | None = None
    email: str | None = None


def contact_rows(
    session: Session,
    principal: Principal,
    criteria: ContactCriteria,
    *,
    sort: str = "last_name",
    descending: bool = False,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.customer_id is not None:
        conds.append(Contact.customer_id == c.customer_id)
    if c.name_contains:
        conds.append(
            contains(Contact.last_name, c.name_contains) | contains(Contact.first_name, c.name_contains)
        )
    if c.email:
        conds.append(Contact.email == c.email.lower())
    return keyset_rows(session, principal, Contact, conds, sort=sort, descending=descending, window=window)
