"""Deal registration (issue #18.3): a dealer registers a deal on a prospect, may withdraw it while it
is submitted; the owner's sales staff approve it (the dealer is protected for the prospect until a
day, and an opportunity is opened for the dealer in the same transaction) or reject it with a
reason; the worker marks lapsed protections expired (:func:`expire_registrations`).

Choices where the issue is silent (docs/sales.md, "Deal registration"): protection lasts
:data:`DEFAULT_PROTECTION_DAYS` days unless the installation says otherwise
(``PORTAL_DEAL_PROTECTION_DAYS``) or the approver gives the last protected day; the opportunity needs
a customer, so approval links the customer the approver chose, else the best existing match (same
VAT id first), else creates the customer from the prospect; either way the customer is shared with
the dealer. Approving over another dealer's active protection needs ``confirm_over_protection``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import validation
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.customers import service as customers
from portal.customers.duplicates import name_key
from portal.db import UnitOfWork
from portal.deals.conflicts import Conflicts, find_conflicts
from portal.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from portal.events import record
from portal.models import Customer, DealRegistration, DealStatus, User
from portal.models.base import utcnow
from portal.numbering import next_value
from portal.opportunities import service as opportunities

DEFAULT_PROTECTION_DAYS = 90
MAX_PROTECTION_DAYS = 730  # an approver's date lies within two years
MAX_REASON = 1000
MAX_EXPIRED_PER_PASS = 5000
PROTECTED_BY_ANOTHER = "another dealer's registration protects this prospect: confirm to approve anyway"


# Each field of a registration's prospect and deal that is text: its check, returning the value as
# stored (the web form runs each one to show every wrong field at once; the service runs them again).
PROSPECT_CHECKS: dict[str, Callable[[str | None], object]] = {
    "prospect_name": lambda v: validation.required_text("prospect_name", v),
    "vat_id": customers.CUSTOMER_CHECKS["vat_id"],
    "street": customers.CUSTOMER_CHECKS["street"],
    "postal_code": customers.CUSTOMER_CHECKS["postal_code"],
    "city": customers.CUSTOMER_CHECKS["city"],
    "country_code": customers.CUSTOMER_CHECKS["country_code"],
    "contact_name": lambda v: validation.text("contact_name", v, required=False),
    "contact_email": lambda v: validation.email("contact_email", v),
    "contact_phone": lambda v: validation.text("contact_phone", v, max_length=50, required=False),
    "description": lambda v: validation.text("description", v, max_length=5000),
}


@dataclass(frozen=True, slots=True)
class Prospect:
    """The prospect and the deal as the dealer typed them (checked and normalised by the service)."""

    prospect_name: str
    description: str
    vat_id: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str = "DE"
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


def check_amount(amount: Decimal | None) -> Decimal:
    return validation.decimal("amount", amount, positive=True)


def check_expected_close(day: date, *, today: date | None = None) -> date:
    return validation.not_past("expected_close", day, today=today)


def load_registration(
    uow: UnitOfWork, principal: Principal, registration_id: int, *, for_update: bool = False
) -> DealRegistration:
    """The registration as the principal may see it (another dealer's is NotFound, like a missing one)."""
    return get_visible(uow.session, principal, DealRegistration, registration_id, for_update=for_update)


def conflicts_of(
    session: Session, principal: Principal, registration: DealRegistration, *, today: date | None = None
) -> Conflicts:
    return find_conflicts(session, principal, registration, today=today or date.today())


def conflicts_by_id(session: Session, principal: Principal, registration_id: int) -> Conflicts:
    """The conflicts of a registration the principal sees (another's: NotFound)."""
    registration = get_visible(session, principal, DealRegistration, registration_id)
    return find_conflicts(session, principal, registration, today=date.today())


def _run(check: Callable[[str | None], object], value: str | None) -> Callable[[], object]:
    return lambda: check(value)


def _dealer(principal: Principal, dealer_id: int | None) -> int:
    if dealer_id is None:
        return principal.org_id
    if dealer_id not in principal.buyer_ids:
        raise PermissionDenied("a dealer registers deals in its own name (or a branch's)")
    return dealer_id


def register_deal(
    *,
    uow: UnitOfWork,
    principal: Principal,
    prospect: Prospect,
    amount: Decimal,
    expected_close: date,
    currency: str = "EUR",
    dealer_id: int | None = None,
    today: date | None = None,
) -> DealRegistration:
    """A dealer's new registration, submitted for the owner's decision. Its conflicts are read, not
    refused: the owner's staff decide (:func:`conflicts_of`)."""
    may.require(principal, may.can_register_deal(principal), "register deals")
    dealer = _dealer(principal, dealer_id)
    check = validation.Checks()  # every wrong field at once
    values = {name: check(_run(each, getattr(prospect, name))) for name, each in PROSPECT_CHECKS.items()}
    check(customers.address_check(prospect.postal_code, prospect.country_code))
    checked_amount = check(lambda: check_amount(amount))
    check(lambda: check_expected_close(expected_close, today=today))
    if len(currency) != 3 or not currency.isalpha():
        check.errors.append(InvalidInput("currency", "use a three-letter ISO 4217 code"))
    check.done()
    assert checked_amount is not None
    amount = checked_amount
    registration = DealRegistration(
        number=f"DR-{next_value(uow.session, 'deal_registration'):06d}",
        dealer_id=dealer,
        registered_by_user_id=principal.user_id,
        name_key=name_key(str(values["prospect_name"])),
        amount=amount,
        currency=currency.upper(),
        expected_close=expected_close,
        status=DealStatus.SUBMITTED,
        **values,
    )
    uow.session.add(registration)
    uow.flush()
    record(
        uow,
        principal,
        "deal_registration.submitted",
        "deal_registration",
        registration.id,
        number=registration.number,
        dealer_id=dealer,
    )
    return registration


def _touch(registration: DealRegistration, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != registration.version:
        raise Conflict(
            f"deal registration {registration.number} was changed meanwhile by someone else "
            f"(it is at version {registration.version}, you saw version {expected_version}); reload it"
        )
    registration.updated_at = utcnow()


def _require_submitted(registration: DealRegistration, action: str) -> None:
    if registration.status is not DealStatus.SUBMITTED:
        raise InvalidState("deal registration", registration.status.value, action)


def withdraw_registration(
    *, uow: UnitOfWork, principal: Principal, registration_id: int, expected_version: int | None = None
) -> DealRegistration:
    registration = load_registration(uow, principal, registration_id, for_update=True)
    may.require(principal, may.can_withdraw_deal(principal, registration), "withdraw this registration")
    _touch(registration, expected_version)
    _require_submitted(registration, "withdraw")
    registration.status = DealStatus.WITHDRAWN
    uow.flush()
    record(
        uow,
        principal,
        "deal_registration.withdrawn",
        "deal_registration",
        registration.id,
        number=registration.number,
        dealer_id=registration.dealer_id,
    )
    return registration


def reject_registration(
    *,
    uow: UnitOfWork,
    principal: Principal,
    registration_id: int,
    reason: str | None,
    expected_version: int | None = None,
) -> DealRegistration:
    """Reject a submitted registration; the reason is required and the dealer reads it."""
    registration = load_registration(uow, principal, registration_id, for_update=True)
    may.require(
        principal, may.can_decide_deal(principal), "decide deal registrations", only="the owner's sales staff"
    )
    _touch(registration, expected_version)
    _require_submitted(registration, "reject")
    text = validation.text("reason", reason, max_length=MAX_REASON, required=False)
    if text is None:
        raise InvalidInput("reason", "say why the registration is rejected")
    _decide(registration, principal, DealStatus.REJECTED)
    registration.reason = text
    uow.flush()
    record(
        uow,
        principal,
        "deal_registration.rejected",
        "deal_registration",
        registration.id,
        number=registration.number,
        dealer_id=registration.dealer_id,
        reason=text,
    )
    return registration


def _decide(registration: DealRegistration, principal: Principal, status: DealStatus) -> None:
    registration.status = status
    registration.decided_by_user_id = principal.user_id
    registration.decided_at = utcnow()


def protection_end(
    today: date, *, protected_until: date | None = None, protection_days: int = DEFAULT_PROTECTION_DAYS
) -> date:
    """The last protected day: the approver's date, else ``protection_days`` from today."""
    if protected_until is None:
        return today + timedelta(days=protection_days)
    if protected_until <= today:
        raise InvalidInput("protected_until", "must be after today")
    if protected_until > today + timedelta(days=MAX_PROTECTION_DAYS):
        raise InvalidInput("protected_until", "must lie within two years")
    return protected_until


def approve_registration(
    *,
    uow: UnitOfWork,
    principal: Principal,
    registration_id: int,
    protected_until: date | None = None,
    protection_days: int = DEFAULT_PROTECTION_DAYS,
    customer_id: int | None = None,
    new_customer: bool = False,
    confirm_over_protection: bool = False,
    expected_version: int | None = None,
    today: date | None = None,
) -> DealRegistration:
    """Approve a submitted registration: the dealer is protected until ``protected_until`` (or for
    ``protection_days``), and an opportunity in qualification is opened for the dealer on the
    customer (chosen, matched or created; shared with the dealer). Two approvers at once: the
    second is told it changed meanwhile (``Conflict``) and nothing of its approval is kept."""
    day = today or date.today()
    registration = load_registration(uow, principal, registration_id, for_update=True)
    may.require(
        principal, may.can_decide_deal(principal), "decide deal registrations", only="the owner's sales staff"
    )
    _touch(registration, expected_version)
    _require_submitted(registration, "approve")
    until = protection_end(day, protected_until=protected_until, protection_days=protection_days)
    found = conflicts_of(uow.session, principal, registration, today=day)
    protected = found.protections_of_others(registration, day)
    if protected and not confirm_over_protection:
        raise InvalidInput("confirm_over_protection", PROTECTED_BY_ANOTHER)
    customer = _customer_for(uow, principal, registration, found, customer_id, new_customer)
    customers.share_customer(
        uow=uow, principal=principal, customer_id=customer.id, organization_id=registration.dealer_id
    )
    opportunity = opportunities.create_opportunity(
        uow=uow,
        principal=principal,
        customer_id=customer.id,
        name=_opportunity_name(registration),
        expected_close=registration.expected_close,
        amount=registration.amount,
        currency=registration.currency,
        dealer_id=registration.dealer_id,
        owner_user_id=_dealer_user(uow, registration),
        note=f"{registration.number}\n{registration.description}",
    )
    _decide(registration, principal, DealStatus.APPROVED)
    registration.protected_until = until
    registration.customer_id = customer.id
    registration.opportunity_id = opportunity.id
    uow.flush()
    record(
        uow,
        principal,
        "deal_registration.approved",
        "deal_registration",
        registration.id,
        number=registration.number,
        dealer_id=registration.dealer_id,
        protected_until=until.isoformat(),
        customer_id=customer.id,
        opportunity_id=opportunity.id,
        over_protection=[r.number for r in protected],
    )
    return registration


def _opportunity_name(registration: DealRegistration) -> str:
    first = registration.description.strip().splitlines()[0] if registration.description.strip() else ""
    name = f"{registration.prospect_name}: {first}" if first else registration.prospect_name
    return name[:200]


def _dealer_user(uow: UnitOfWork, registration: DealRegistration) -> int | None:
    """The user who registered it works the opportunity, while active (else the approver does)."""
    if registration.registered_by_user_id is None:
        return None
    user = uow.session.get(User, registration.registered_by_user_id)
    return user.id if user is not None and user.is_active else None


def _customer_for(
    uow: UnitOfWork,
    principal: Principal,
    registration: DealRegistration,
    found: Conflicts,
    customer_id: int | None,
    new_customer: bool,
) -> Customer:
    if customer_id is not None:
        return get_visible(uow.session, principal, Customer, customer_id)
    if found.customers and not new_customer:
        return found.customers[0]  # same VAT id first
    customer = customers.create_customer(
        uow=uow,
        principal=principal,
        name=registration.prospect_name,
        street=registration.street,
        postal_code=registration.postal_code,
        city=registration.city,
        country_code=registration.country_code,
        vat_id=registration.vat_id,
        allow_duplicates=True,  # the approver saw the matches on the approval screen
    )
    if registration.contact_name:
        first, _, last = registration.contact_name.strip().rpartition(" ")
        customers.add_contact(
            uow=uow,
            principal=principal,
            customer_id=customer.id,
            first_name=first,
            last_name=last,
            email=registration.contact_email,
            phone=registration.contact_phone,
        )
    return customer


def expire_registrations(uow: UnitOfWork, *, today: date) -> list[int]:
    """Mark approved registrations whose protection ended before ``today`` expired, each with an
    event (the dealer is told). Idempotent: an expired one is not approved any more, so a second
    pass, or a second worker at the same time (``SKIP LOCKED`` on PostgreSQL), finds nothing."""
    from portal.partners.service import system_principal

    due = list(
        uow.session.scalars(
            select(DealRegistration)
            .where(DealRegistration.status == DealStatus.APPROVED, DealRegistration.protected_until < today)
            .order_by(DealRegistration.id)
            .limit(MAX_EXPIRED_PER_PASS)
            .with_for_update(skip_locked=True)
        )
    )
    if not due:
        return []
    system = system_principal(uow.session)
    for registration in due:
        registration.status = DealStatus.EXPIRED
        registration.updated_at = utcnow()
    uow.flush()
    for registration in due:
        record(
            uow,
            system,
            "deal_registration.expired",
            "deal_registration",
            registration.id,
            number=registration.number,
            dealer_id=registration.dealer_id,
            protected_until=registration.protected_until.isoformat()
            if registration.protected_until
            else None,
        )
    return [r.id for r in due]
