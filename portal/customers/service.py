"""The customer master: customers, contacts, sharing with dealers and partners, contact history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import validation
from portal.access import Principal, get_visible, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, NotFound
from portal.events import record
from portal.models import Activity, Case, Contact, Customer, CustomerAssignment, Order, Organization, OrgKind
from portal.numbering import next_value

SHAREABLE_KINDS = frozenset({OrgKind.DEALER, OrgKind.PARTNER})


def create_customer(
    *,
    uow: UnitOfWork,
    principal: Principal,
    name: str,
    street: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    country_code: str = "DE",
    vat_id: str | None = None,
    gln: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Customer:
    may.require(principal, may.can_create_customer(principal), "create customers")
    if len(country_code) != 2 or not country_code.isalpha():
        raise InvalidInput("country_code", "use a two-letter ISO 3166 code")
    if gln is not None and not (gln.isdigit() and len(gln) == 13):
        raise InvalidInput("gln", "a GLN has 13 digits")
    customer = Customer(
        number=f"K{next_value(uow.session, 'customer'):06d}",
        name=validation.required_text("name", name),
        street=validation.text("street", street, required=False),
        postal_code=validation.text("postal_code", postal_code, max_length=16, required=False),
        city=validation.text("city", city, max_length=100, required=False),
        country_code=country_code.upper(),
        vat_id=validation.text("vat_id", vat_id, max_length=32, required=False),
        gln=gln,
        email=validation.email("email", email),
        phone=validation.text("phone", phone, max_length=50, required=False),
    )
    uow.session.add(customer)
    uow.flush()
    record(uow, principal, "customer.created", "customer", customer.id, number=customer.number)
    return customer


def add_contact(
    *,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: int,
    first_name: str,
    last_name: str,
    email: str | None = None,
    phone: str | None = None,
    position: str | None = None,
) -> Contact:
    customer = get_visible(uow.session, principal, Customer, customer_id)
    may.require(principal, may.can_add_contact(principal), "add contacts")
    contact = Contact(
        customer_id=customer.id,
        first_name=validation.text("first_name", first_name, max_length=100, required=False) or "",
        last_name=validation.required_text("last_name", last_name, max_length=100),
        email=validation.email("email", email),
        phone=validation.text("phone", phone, max_length=50, required=False),
        position=validation.text("position", position, max_length=100, required=False),
    )
    uow.session.add(contact)
    uow.flush()
    record(uow, principal, "contact.created", "contact", contact.id, customer_id=customer.id)
    return contact


_UNSET: object = object()


def update_contact(
    *,
    uow: UnitOfWork,
    principal: Principal,
    contact_id: int,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | object | None = _UNSET,
    phone: str | object | None = _UNSET,
    position: str | object | None = _UNSET,
) -> Contact:
    """Change a contact of a visible customer (whoever may add contacts may edit them). Names
    left as None stay; for e-mail, phone and position, None or "" clears the value and an omitted
    argument keeps it."""
    contact = get_visible(uow.session, principal, Contact, contact_id, for_update=True)
    may.require(principal, may.can_add_contact(principal), "edit contacts")
    if first_name is not None:
        contact.first_name = validation.text("first_name", first_name, max_length=100, required=False) or ""
    if last_name is not None:
        contact.last_name = validation.required_text("last_name", last_name, max_length=100)
    if email is not _UNSET:
        contact.email = validation.email("email", email if isinstance(email, str) else None)
    if phone is not _UNSET:
        contact.phone = validation.text(
            "phone", phone if isinstance(phone, str) else None, max_length=50, required=False
        )
    if position is not _UNSET:
        contact.position = validation.text(
            "position", position if isinstance(position, str) else None, max_length=100, required=False
        )
    uow.flush()
    record(uow, principal, "contact.updated", "contact", contact.id, customer_id=contact.customer_id)
    return contact


def share_customer(
    *, uow: UnitOfWork, principal: Principal, customer_id: int, organization_id: int
) -> CustomerAssignment:
    may.require(principal, may.can_share_customer(principal), "share customers")
    customer = get_visible(uow.session, principal, Customer, customer_id)
    org = get_visible(uow.session, principal, Organization, organization_id)
    if org.kind not in SHAREABLE_KINDS:
        raise InvalidInput(
            "organization", f"customers are shared with dealers and partners, not a {org.kind}"
        )
    existing = uow.session.scalar(
        select(CustomerAssignment).where(
            CustomerAssignment.customer_id == customer.id, CustomerAssignment.organization_id == org.id
        )
    )
    if existing is not None:
        return existing
    assignment = CustomerAssignment(customer_id=customer.id, organization_id=org.id)
    uow.session.add(assignment)
    uow.flush()
    record(uow, principal, "customer.shared", "customer", customer.id, organization_id=org.id)
    return assignment


def unshare_customer(
    *, uow: UnitOfWork, principal: Principal, customer_id: int, organization_id: int
) -> None:
    may.require(principal, may.can_share_customer(principal), "stop sharing customers")
    customer = get_visible(uow.session, principal, Customer, customer_id)
    assignment = uow.session.scalar(
        select(CustomerAssignment).where(
            CustomerAssignment.customer_id == customer.id,
            CustomerAssignment.organization_id == organization_id,
        )
    )
    if assignment is None:
        raise NotFound("customer assignment", f"of customer {customer.number} to that organization")
    uow.session.delete(assignment)
    uow.flush()
    record(uow, principal, "customer.unshared", "customer", customer.id, organization_id=organization_id)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One item of a customer's contact history."""

    at: datetime
    kind: str  # "activity", "order", "case"
    entity_id: int
    title: str
    detail: str


def contact_history(
    session: Session, principal: Principal, customer_id: int, *, limit: int = 50
) -> list[HistoryEntry]:
    """Activities, orders and cases of a customer as one timeline, newest first, as far as the
    principal may see each of them."""
    customer = get_visible(session, principal, Customer, customer_id)
    entries: list[HistoryEntry] = []
    for activity in session.scalars(
        visible(principal, Activity)
        .where(Activity.customer_id == customer.id)
        .order_by(Activity.occurred_at.desc())
        .limit(limit)
    ):
        entries.append(
            HistoryEntry(
                activity.occurred_at,
                "activity",
                activity.id,
                f"{activity.kind.value}: {activity.subject}",
                activity.body[:200],
            )
        )
    for order in session.scalars(
        visible(principal, Order)
        .where(Order.customer_id == customer.id)
        .order_by(Order.created_at.desc())
        .limit(limit)
    ):
        entries.append(
            HistoryEntry(order.created_at, "order", order.id, f"order {order.number}", order.note or "")
        )
    for case in session.scalars(
        visible(principal, Case)
        .where(Case.customer_id == customer.id)
        .order_by(Case.created_at.desc())
        .limit(limit)
    ):
        entries.append(
            HistoryEntry(
                case.created_at, "case", case.id, f"case {case.number}: {case.subject}", case.status.value
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind, e.entity_id), reverse=True)
    return entries[:limit]
