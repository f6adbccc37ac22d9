"""Leads (issue #18.2): marketing creates, edits, reassigns and disqualifies them; the dealer a lead
is offered to accepts or declines it before its deadline; an accepted lead converts into a customer
(or links to one the dealer sees) and an opportunity, in one transaction, through the customer and
opportunity services.

Choices where the issue is silent: docs/sales.md, "Leads".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal import validation
from portal.access import Principal, get_visible, load_by_ids, organization_kinds
from portal.access import permissions as may
from portal.customers import service as customers
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput, InvalidState
from portal.events import record
from portal.leads.distribution import DEFAULT_ANSWER_HOURS, distribute, offer
from portal.leads.territories import LEAD_DEALER_KINDS
from portal.models import (
    QUEUED_LEAD_STATUSES,
    Campaign,
    Customer,
    Lead,
    LeadOffer,
    LeadStatus,
    OfferOutcome,
    Opportunity,
    Organization,
    OrgKind,
)
from portal.models.base import utcnow
from portal.numbering import next_value
from portal.opportunities import service as opportunities

MAX_REASON = 500
DEFAULT_ANSWER = timedelta(hours=DEFAULT_ANSWER_HOURS)


@dataclass(frozen=True, slots=True)
class LeadFields:
    """A lead's data as typed (checked and normalised by :func:`checked`)."""

    company: str
    contact_name: str = ""
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str = "DE"
    region: str | None = None
    source: str = ""
    notes: str = ""

    @classmethod
    def of(cls, lead: Lead) -> LeadFields:
        return cls(**{f.name: getattr(lead, f.name) for f in fields(cls)})


# Each field's check, returning the value as stored; the web form and the import run every one to
# report every wrong field at once.
LEAD_CHECKS: dict[str, Callable[[str | None], object]] = {
    "company": lambda v: validation.required_text("company", v),
    "contact_name": lambda v: validation.text("contact_name", v, required=False) or "",
    "email": lambda v: validation.email("email", v),
    "phone": lambda v: validation.text("phone", v, max_length=50, required=False),
    "street": lambda v: validation.text("street", v, required=False),
    "postal_code": validation.postal_code,
    "city": lambda v: validation.text("city", v, max_length=100, required=False),
    "country_code": validation.country_code,
    "region": lambda v: validation.text("region", v, max_length=50, required=False),
    "source": lambda v: validation.text("source", v, max_length=100, required=False) or "",
    "notes": lambda v: validation.text("notes", v, max_length=5000, required=False) or "",
}


def checked(values: LeadFields) -> dict[str, object]:
    """Every field checked and normalised; every wrong one is reported at once (InvalidFields)."""
    check = validation.Checks()
    found = {name: check(_bound(each, getattr(values, name))) for name, each in LEAD_CHECKS.items()}
    check(customers.address_check(values.postal_code, values.country_code))
    check.done()
    return found


def _bound(check: Callable[[str | None], object], value: str | None) -> Callable[[], object]:
    return lambda: check(value)


def answer_window(hours: int | None) -> timedelta:
    return timedelta(hours=hours) if hours else DEFAULT_ANSWER


def load_lead(uow: UnitOfWork, principal: Principal, lead_id: int, *, for_update: bool = False) -> Lead:
    return get_visible(uow.session, principal, Lead, lead_id, for_update=for_update)


def _touch(lead: Lead, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != lead.version:
        raise Conflict(
            f"lead {lead.number} was changed meanwhile by someone else "
            f"(it is at version {lead.version}, you saw version {expected_version}); reload it"
        )
    lead.updated_at = utcnow()


def _campaign(uow: UnitOfWork, principal: Principal, campaign_id: int | None) -> int | None:
    if campaign_id is None:
        return None
    return get_visible(uow.session, principal, Campaign, campaign_id).id


def _open_offer(uow: UnitOfWork, lead: Lead) -> LeadOffer | None:
    return uow.session.scalar(
        select(LeadOffer)
        .where(LeadOffer.lead_id == lead.id, LeadOffer.outcome.is_(None))
        .order_by(LeadOffer.id.desc())
        .limit(1)
    )


def _close_offer(
    uow: UnitOfWork, principal: Principal, lead: Lead, outcome: OfferOutcome, reason: str | None = None
) -> LeadOffer | None:
    entry = _open_offer(uow, lead)
    if entry is not None:
        entry.outcome = outcome
        entry.reason = reason
        entry.answered_at = utcnow()
        entry.answered_by_user_id = principal.user_id
    return entry


def create_lead(
    *,
    uow: UnitOfWork,
    principal: Principal,
    values: LeadFields,
    campaign_id: int | None = None,
    distribute_now: bool = True,
    answer_hours: int | None = None,
) -> Lead:
    """A new lead; unless ``distribute_now`` is False it goes to a dealer at once (or waits in the
    queue when none can take it)."""
    may.require(principal, may.can_manage_leads(principal), "create leads")
    lead = Lead(
        number=f"LD-{next_value(uow.session, 'lead'):06d}",
        campaign_id=_campaign(uow, principal, campaign_id),
        status=LeadStatus.NEW,
        created_by_user_id=principal.user_id,
        **checked(values),
    )
    uow.session.add(lead)
    uow.flush()
    record(uow, principal, "lead.created", "lead", lead.id, number=lead.number, campaign_id=lead.campaign_id)
    if distribute_now:
        distribute(uow, principal, lead, answer_within=answer_window(answer_hours))
    return lead


def update_lead(
    *,
    uow: UnitOfWork,
    principal: Principal,
    lead_id: int,
    values: LeadFields,
    campaign_id: int | None = None,
    expected_version: int | None = None,
) -> Lead:
    lead = load_lead(uow, principal, lead_id, for_update=True)  # a hidden lead: missing, whoever asks
    may.require(principal, may.can_manage_leads(principal), "change leads")
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise InvalidState("lead", lead.status.value, "change")
    _touch(lead, expected_version)
    new = checked(values)
    changed = [name for name, value in new.items() if getattr(lead, name) != value]
    for name in changed:
        setattr(lead, name, new[name])
    campaign = _campaign(uow, principal, campaign_id)
    if campaign != lead.campaign_id:
        lead.campaign_id = campaign
        changed.append("campaign_id")
    uow.flush()
    record(uow, principal, "lead.updated", "lead", lead.id, number=lead.number, changed=changed)
    return lead


def accept_lead(
    *, uow: UnitOfWork, principal: Principal, lead_id: int, expected_version: int | None = None
) -> Lead:
    """The dealer it is offered to accepts it (before its deadline)."""
    lead = load_lead(uow, principal, lead_id, for_update=True)
    may.require(principal, may.can_answer_lead(principal, lead), "answer this lead")
    _require_offered(lead)
    _touch(lead, expected_version)
    _close_offer(uow, principal, lead, OfferOutcome.ACCEPTED)
    lead.status = LeadStatus.ACCEPTED
    lead.accepted_at = utcnow()
    lead.answer_due_at = None
    uow.flush()
    record(uow, principal, "lead.accepted", "lead", lead.id, number=lead.number, dealer_id=lead.dealer_id)
    return lead


def _require_offered(lead: Lead) -> None:
    if lead.status is not LeadStatus.OFFERED:
        raise InvalidState("lead", lead.status.value, "answer")
    if lead.answer_due_at is not None and lead.answer_due_at <= utcnow():
        raise InvalidState("lead", "past its deadline", "answer")


def decline_lead(
    *,
    uow: UnitOfWork,
    principal: Principal,
    lead_id: int,
    reason: str | None,
    expected_version: int | None = None,
    answer_hours: int | None = None,
) -> Lead:
    """The dealer it is offered to declines it, saying why; the lead goes on to the next dealer."""
    lead = load_lead(uow, principal, lead_id, for_update=True)
    may.require(principal, may.can_answer_lead(principal, lead), "answer this lead")
    _require_offered(lead)
    why = validation.text("reason", reason, max_length=MAX_REASON)
    if why is None:
        raise InvalidInput("reason", "say why you decline the lead")
    _touch(lead, expected_version)
    dealer = lead.dealer_id
    _close_offer(uow, principal, lead, OfferOutcome.DECLINED, why)
    record(uow, principal, "lead.declined", "lead", lead.id, number=lead.number, dealer_id=dealer, reason=why)
    distribute(uow, principal, lead, answer_within=answer_window(answer_hours))
    return lead


def expire_lead(
    *, uow: UnitOfWork, principal: Principal, lead_id: int, now: datetime, answer_hours: int | None = None
) -> bool:
    """Route on a lead whose deadline has passed without an answer (the worker, as the system). False
    when it was answered, reassigned or expired meanwhile: nothing is done twice."""
    lead = uow.session.scalar(select(Lead).where(Lead.id == lead_id).with_for_update())
    if (
        lead is None
        or lead.status is not LeadStatus.OFFERED
        or lead.answer_due_at is None
        or lead.answer_due_at > now
    ):
        return False
    dealer = lead.dealer_id
    _close_offer(uow, principal, lead, OfferOutcome.EXPIRED)
    record(uow, principal, "lead.expired", "lead", lead.id, number=lead.number, dealer_id=dealer)
    distribute(uow, principal, lead, answer_within=answer_window(answer_hours), now=now)
    return True


def reassign_lead(
    *,
    uow: UnitOfWork,
    principal: Principal,
    lead_id: int,
    dealer_id: int | None,
    expected_version: int | None = None,
    answer_hours: int | None = None,
) -> Lead:
    """Marketing gives a lead to a dealer by hand (whatever its territory and capacity), or, without
    ``dealer_id``, runs the distribution again. An open offer is withdrawn."""
    lead = load_lead(uow, principal, lead_id, for_update=True)  # a hidden lead: missing, whoever asks
    may.require(principal, may.can_manage_leads(principal), "reassign leads")
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise InvalidState("lead", lead.status.value, "reassign")
    _touch(lead, expected_version)
    before = lead.dealer_id
    if before is not None:
        _close_offer(uow, principal, lead, OfferOutcome.WITHDRAWN)
        record(uow, principal, "lead.withdrawn", "lead", lead.id, number=lead.number, dealer_id=before)
    window = answer_window(answer_hours)
    if dealer_id is None:
        lead.dealer_id = None
        distribute(uow, principal, lead, answer_within=window)
        return lead
    dealer = get_visible(uow.session, principal, Organization, dealer_id)
    if dealer.kind not in LEAD_DEALER_KINDS:
        raise InvalidInput("dealer", f"{dealer.name} is not a dealer or partner")
    offer(uow, principal, lead, dealer.id, answer_within=window, by_hand=True)
    return lead


def disqualify_lead(
    *,
    uow: UnitOfWork,
    principal: Principal,
    lead_id: int,
    reason: str | None,
    expected_version: int | None = None,
) -> Lead:
    lead = load_lead(uow, principal, lead_id, for_update=True)  # a hidden lead: missing, whoever asks
    may.require(principal, may.can_manage_leads(principal), "disqualify leads")
    if lead.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise InvalidState("lead", lead.status.value, "disqualify")
    why = validation.text("reason", reason, max_length=MAX_REASON)
    if why is None:
        raise InvalidInput("reason", "say why the lead is disqualified")
    _touch(lead, expected_version)
    if lead.dealer_id is not None:
        _close_offer(uow, principal, lead, OfferOutcome.WITHDRAWN)
        record(
            uow, principal, "lead.withdrawn", "lead", lead.id, number=lead.number, dealer_id=lead.dealer_id
        )
    lead.status = LeadStatus.DISQUALIFIED
    lead.disqualified_reason = why
    lead.dealer_id = None
    lead.answer_due_at = None
    uow.flush()
    record(uow, principal, "lead.disqualified", "lead", lead.id, number=lead.number, reason=why)
    return lead


def distribute_queue(
    *, uow: UnitOfWork, principal: Principal, answer_hours: int | None = None, limit: int = 500
) -> tuple[int, int]:
    """Marketing runs the distribution for the leads waiting in its queue (oldest first); returns
    (offered, still waiting)."""
    may.require(principal, may.can_manage_leads(principal), "distribute leads")
    from portal.leads.territories import coverages

    territories = coverages(uow)
    waiting = list(
        uow.session.scalars(
            select(Lead)
            .where(Lead.status.in_(QUEUED_LEAD_STATUSES))
            .order_by(Lead.created_at, Lead.id)
            .limit(limit)
            .with_for_update()
        )
    )
    offered = 0
    for lead in waiting:
        if distribute(
            uow, principal, lead, answer_within=answer_window(answer_hours), territories=territories
        ):
            offered += 1
    return offered, len(waiting) - offered


@dataclass(frozen=True, slots=True)
class Conversion:
    """How an accepted lead converts: a new customer from the lead's data (``customer_id`` None) or
    an existing one the dealer sees, and the opportunity to open."""

    opportunity_name: str
    expected_close: date
    customer_id: int | None = None
    amount: Decimal | None = None
    allow_duplicates: bool = False  # the user saw the duplicate warning and goes on

    def check(self, *, today: date | None = None) -> None:
        """Every wrong field at once: a name, an expected close not in the past, a non-negative amount."""
        validation.every(
            lambda: check_opportunity_name(self.opportunity_name),
            lambda: check_expected_close(self.expected_close, today=today),
            lambda: check_amount(self.amount),
        )


def check_opportunity_name(value: str | None) -> str:
    return validation.required_text("opportunity_name", value)


def check_expected_close(day: date, *, today: date | None = None) -> date:
    """A converted lead's opportunity is expected to close today or later (not born overdue)."""
    return validation.not_past("expected_close", day, today=today)


def check_amount(value: Decimal | None) -> Decimal | None:
    return None if value is None else validation.decimal("amount", value)


def convert_lead(
    *,
    uow: UnitOfWork,
    principal: Principal,
    lead_id: int,
    conversion: Conversion,
    expected_version: int | None = None,
) -> Lead:
    """An accepted lead becomes a customer (shared with the dealer) and an opportunity in the
    qualification stage sold by the dealer, carrying the lead's campaign. All or nothing: a
    duplicate warning (``PossibleDuplicates``) or a bad field leaves the lead as it was."""
    lead = load_lead(uow, principal, lead_id, for_update=True)
    may.require(principal, may.can_convert_lead(principal, lead), "convert this lead")
    if lead.status is not LeadStatus.ACCEPTED or lead.dealer_id is None:
        raise InvalidState("lead", lead.status.value, "convert")
    conversion.check()
    _touch(lead, expected_version)
    dealer_id = lead.dealer_id
    customer = _customer_for(uow, principal, lead, conversion, dealer_id)
    opportunity = opportunities.create_opportunity(
        uow=uow,
        principal=principal,
        customer_id=customer.id,
        name=conversion.opportunity_name,
        expected_close=conversion.expected_close,
        amount=conversion.amount,
        dealer_id=dealer_id,
        # the opportunity links its lead (its page names it); the note keeps what users write
        note=lead.notes,
    )
    opportunity.campaign_id = lead.campaign_id
    lead.status = LeadStatus.CONVERTED
    lead.customer_id = customer.id
    lead.opportunity_id = opportunity.id
    lead.converted_at = utcnow()
    uow.flush()
    record(
        uow,
        principal,
        "lead.converted",
        "lead",
        lead.id,
        number=lead.number,
        dealer_id=dealer_id,
        customer_id=customer.id,
        opportunity_id=opportunity.id,
        opportunity_number=opportunity.number,
    )
    return lead


def _dealer_principal(uow: UnitOfWork, dealer_id: int) -> Principal:
    org_ids, supplier_ids = organization_kinds(uow.session, dealer_id)
    return Principal(dealer_id, OrgKind.DEALER, org_ids, frozenset({"viewer"}), supplier_ids=supplier_ids)


def _customer_for(
    uow: UnitOfWork, principal: Principal, lead: Lead, conversion: Conversion, dealer_id: int
) -> Customer:
    if conversion.customer_id is not None:
        customer = get_visible(uow.session, principal, Customer, conversion.customer_id)
        # the owner's staff convert for the dealer: its people must see the customer
        dealer_sees = load_by_ids(uow.session, _dealer_principal(uow, dealer_id), Customer, [customer.id])
        if principal.is_owner and customer.id not in dealer_sees:
            customers.share_customer(
                uow=uow, principal=principal, customer_id=customer.id, organization_id=dealer_id
            )
        return customer
    customer = customers.create_customer(
        uow=uow,
        principal=principal,
        name=lead.company,
        street=lead.street,
        postal_code=lead.postal_code,
        city=lead.city,
        country_code=lead.country_code,
        email=lead.email,
        phone=lead.phone,
        allow_duplicates=conversion.allow_duplicates,
    )
    if principal.is_owner:
        customers.share_customer(
            uow=uow, principal=principal, customer_id=customer.id, organization_id=dealer_id
        )
    if lead.contact_name:
        first, _, last = lead.contact_name.rpartition(" ")
        customers.add_contact(
            uow=uow,
            principal=principal,
            customer_id=customer.id,
            first_name=first or "",
            last_name=last or lead.contact_name,
            email=lead.email,
            phone=lead.phone,
        )
    return customer


def offers_of(uow: UnitOfWork, principal: Principal, lead_id: int) -> list[LeadOffer]:
    """The lead's assignment history as the principal may see it (a dealer: its own offers)."""
    from portal.access import visible

    stmt = visible(principal, LeadOffer).where(LeadOffer.lead_id == lead_id).order_by(LeadOffer.id)
    return list(uow.session.scalars(stmt))


def opportunity_of(uow: UnitOfWork, principal: Principal, lead: Lead) -> Opportunity | None:
    if lead.opportunity_id is None:
        return None
    return load_by_ids(uow.session, principal, Opportunity, [lead.opportunity_id]).get(lead.opportunity_id)
