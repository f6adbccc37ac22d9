"""Customer and contact lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import FIRST_PAGE, ColumnLike, Page, PageRequest, matches, paginate, search_pattern
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
