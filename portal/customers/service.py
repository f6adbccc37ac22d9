"""The customer master: customers, contacts, sharing with dealers and partners, contact history."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import validation
from portal.access import Principal, get_visible, visible
from portal.access import permissions as may
from portal.customers.duplicates import find_duplicates, vat_key
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PossibleDuplicates
from portal.events import record
from portal.models import Activity, Case, Contact, Customer, CustomerAssignment, Order, Organization, OrgKind
from portal.models.base import utcnow
from portal.numbering import next_value

SHAREABLE_KINDS = frozenset({OrgKind.DEALER, OrgKind.PARTNER})


@dataclass(frozen=True, slots=True)
class CustomerFields:
    """A customer's master data as typed (checked and normalised by the service)."""

    name: str
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str = "DE"
    vat_id: str | None = None
    gln: str | None = None
    email: str | None = None
    phone: str | None = None

    @classmethod
    def of(cls, customer: Customer) -> CustomerFields:
        """The customer's current data (to change some fields and keep the others)."""
        return cls(**{name: getattr(customer, name) for name in CUSTOMER_CHECKS})


def _gln(value: str | None) -> str | None:
    gln = (value or "").strip() or None
    if gln is not None and not (gln.isdigit() and len(gln) == 13):
        raise InvalidInput("gln", "a GLN has 13 digits")
    return gln


def _vat_id(value: str | None) -> str | None:
    vat = vat_key(validation.text("vat_id", value, max_length=32, required=False))
    if vat is not None and not _VAT_ID.match(vat):
        raise InvalidInput("vat_id", "a VAT id starts with the two-letter country code")
    return vat


_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z+*]{2,13}$")

# Each field of a customer: its check, which returns the value as stored (the web form runs each one
# to show every wrong field at once; the service runs them again).
CUSTOMER_CHECKS: dict[str, Callable[[str | None], object]] = {
    "name": lambda v: validation.required_text("name", v),
    "street": lambda v: validation.text("street", v, required=False),
    "postal_code": validation.postal_code,
    "city": lambda v: validation.text("city", v, max_length=100, required=False),
    "country_code": validation.country_code,
    "vat_id": _vat_id,
    "gln": _gln,
    "email": lambda v: validation.email("email", v),
    "phone": lambda v: validation.text("phone", v, max_length=50, required=False),
}


def address_check(postal_code: str | None, country_code: str | None) -> Callable[[], object]:
    """The check across fields: the postal code as its country writes it (a German one: 5 digits)."""
    return lambda: validation.postal_code_in(postal_code, country_code)


def _checked(fields: CustomerFields) -> dict[str, object]:
    """The fields checked and normalised; every wrong one is reported at once (InvalidFields)."""
    check = validation.Checks()
    values = {name: check(_bound(each, getattr(fields, name))) for name, each in CUSTOMER_CHECKS.items()}
    check(address_check(fields.postal_code, fields.country_code))
    check.done()
    return values


def _bound(check: Callable[[str | None], object], value: str | None) -> Callable[[], object]:
    return lambda: check(value)


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
    allow_duplicates: bool = False,
) -> Customer:
    """A new customer. A dealer's customer is shared with the dealer's organization at once. One that
    looks like an existing customer (:mod:`portal.customers.duplicates`) raises PossibleDuplicates
    unless ``allow_duplicates`` (the user saw the warning and goes on)."""
    may.require(principal, may.can_create_customer(principal), "create customers")
    values = _checked(
        CustomerFields(name, street, postal_code, city, country_code, vat_id, gln, email, phone)
    )
    if not allow_duplicates:
        report = find_duplicates(
            uow.session,
            principal,
            name=str(values["name"]),
            postal_code=values["postal_code"],  # type: ignore[arg-type]
            vat_id=values["vat_id"],  # type: ignore[arg-type]
        )
        if report:
            raise PossibleDuplicates(
                [d.customer.id for d in report.matches],
                [d.customer.number for d in report.matches],
                hidden_vat_id=report.hidden_vat_id,
            )
    customer = Customer(number=f"K{next_value(uow.session, 'customer'):06d}", **values)
    uow.session.add(customer)
    uow.flush()
    shared_with = None
    if not principal.is_owner:
        uow.session.add(CustomerAssignment(customer_id=customer.id, organization_id=principal.org_id))
        shared_with = principal.org_id
        uow.flush()
    record(
        uow,
        principal,
        "customer.created",
        "customer",
        customer.id,
        number=customer.number,
        shared_with=shared_with,
    )
    return customer


def load_customer(uow: UnitOfWork, principal: Principal, customer_id: int) -> Customer:
    """The customer as the principal may see it (a hidden one is NotFound, like a missing one)."""
    return get_visible(uow.session, principal, Customer, customer_id)


def update_customer(
    *,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: int,
    fields: CustomerFields,
    expected_version: int | None = None,
) -> Customer:
    """Replace a visible customer's master data (a form sends every field). A stale
    ``expected_version`` (someone saved meanwhile) is a Conflict; the event names the changed
    fields, not their values."""
    customer = get_visible(uow.session, principal, Customer, customer_id, for_update=True)
    may.require(principal, may.can_edit_customer(principal), "edit customers")
    values = _checked(fields)
    if expected_version is not None and expected_version != customer.version:
        raise Conflict(f"customer {customer.number} was changed meanwhile; reload it")
    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    if not changed:
        return customer
    for name in changed:
        setattr(customer, name, values[name])
    uow.flush()
    record(
        uow, principal, "customer.updated", "customer", customer.id, number=customer.number, changed=changed
    )
    return customer


@dataclass(frozen=True, slots=True)
class Consent:
    """Consent to be contacted on one channel: given or not, since when, how it was given or
    withdrawn. ``at`` None: now."""

    given: bool
    source: str
    at: datetime | None = None


def _apply_consent(contact: Contact, channel: str, consent: Consent | None) -> list[str]:
    if consent is None:
        return []
    source = validation.required_text(f"{channel}_consent_source", consent.source)
    at = validation.aware(f"{channel}_consent_at", consent.at) or utcnow()
    if at > utcnow() + timedelta(minutes=5):
        raise InvalidInput(f"{channel}_consent_at", "must not be in the future")
    before = (
        getattr(contact, f"{channel}_consent"),
        getattr(contact, f"{channel}_consent_source"),
    )
    if before == (consent.given, source):
        return []
    setattr(contact, f"{channel}_consent", consent.given)
    setattr(contact, f"{channel}_consent_at", at)
    setattr(contact, f"{channel}_consent_source", source)
    return [f"{channel}_consent"]


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
    email_consent: Consent | None = None,
    phone_consent: Consent | None = None,
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
    _apply_consent(contact, "email", email_consent)
    _apply_consent(contact, "phone", phone_consent)
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
    email_consent: Consent | None = None,
    phone_consent: Consent | None = None,
    expected_version: int | None = None,
) -> Contact:
    """Change a contact of a visible customer (whoever may add contacts may edit them). Names
    left as None stay; for e-mail, phone and position, None or "" clears the value and an omitted
    argument keeps it; a consent left as None stays. An erased contact cannot be edited. The
    event names the changed fields, never their values (no personal data in the log)."""
    contact = get_visible(uow.session, principal, Contact, contact_id, for_update=True)
    may.require(principal, may.can_add_contact(principal), "edit contacts")
    if contact.erased_at is not None:
        raise InvalidState("contact", "erased", "edit")
    if expected_version is not None and expected_version != contact.version:
        raise Conflict(f"contact {contact.id} was changed meanwhile; reload it")
    before = {name: getattr(contact, name) for name in _CONTACT_FIELDS}
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
    changed = [name for name in _CONTACT_FIELDS if getattr(contact, name) != before[name]]
    changed += _apply_consent(contact, "email", email_consent)
    changed += _apply_consent(contact, "phone", phone_consent)
    if not changed:
        return contact
    uow.flush()
    record(
        uow,
        principal,
        "contact.updated",
        "contact",
        contact.id,
        customer_id=contact.customer_id,
        changed=changed,
    )
    return contact


_CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "position")


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
