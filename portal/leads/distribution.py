"""Lead distribution: which dealer a lead goes to, and offering it.

The rule (docs/sales.md, "Leads"): of the dealers whose active territory covers the lead, those with
capacity left (open leads, offered or accepted, below their capacity) that have not had this lead
before; of those, the one with the fewest open leads, then the one that got its last lead longest
ago (never: first), then the lowest id. None: the lead waits in marketing's queue (``new``, or
``declined`` when dealers had it before).

The distribution is the installation's rule, not a reader's view: it reads every territory and the
open leads of every dealer, whoever triggers it (marketing, an import, a dealer's decline, the
worker). The chosen dealer's territory row is locked while its open leads are counted, so two
distributions at once do not both fill its last place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.access import Principal
from portal.db import UnitOfWork
from portal.events import record
from portal.leads.territories import Coverage, coverages
from portal.models import OPEN_LEAD_STATUSES, Lead, LeadOffer, LeadStatus, Territory
from portal.models.base import utcnow

DEFAULT_ANSWER_HOURS = 48


@dataclass(frozen=True, slots=True)
class Candidate:
    organization_id: int
    open_leads: int
    last_offered: datetime | None


def open_leads(uow: UnitOfWork, dealer_ids: list[int]) -> dict[int, int]:
    """Open leads (offered or accepted) per dealer."""
    if not dealer_ids:
        return {}
    rows = uow.session.execute(
        select(Lead.dealer_id, func.count(Lead.id))
        .where(Lead.dealer_id.in_(dealer_ids), Lead.status.in_(OPEN_LEAD_STATUSES))
        .group_by(Lead.dealer_id)
    )
    return {dealer: int(n) for dealer, n in rows if dealer is not None}


def _last_offers(uow: UnitOfWork, dealer_ids: list[int]) -> dict[int, datetime]:
    rows = uow.session.execute(
        select(LeadOffer.dealer_id, func.max(LeadOffer.offered_at))
        .where(LeadOffer.dealer_id.in_(dealer_ids))
        .group_by(LeadOffer.dealer_id)
    )
    return {dealer: at for dealer, at in rows if at is not None}


def _had_it(uow: UnitOfWork, lead_id: int) -> set[int]:
    return set(uow.session.scalars(select(LeadOffer.dealer_id).where(LeadOffer.lead_id == lead_id)))


def candidates(uow: UnitOfWork, lead: Lead, territories: list[Coverage] | None = None) -> list[Candidate]:
    """The dealers the lead may go to, best first (see the module's docstring)."""
    covering = [
        t
        for t in (territories if territories is not None else coverages(uow))
        if t.covers(country=lead.country_code, postal_code=lead.postal_code, region=lead.region)
    ]
    had = _had_it(uow, lead.id) if lead.id is not None else set()
    covering = [t for t in covering if t.organization_id not in had]
    ids = [t.organization_id for t in covering]
    counts = open_leads(uow, ids)
    last = _last_offers(uow, ids) if ids else {}
    found = [
        Candidate(t.organization_id, counts.get(t.organization_id, 0), last.get(t.organization_id))
        for t in covering
        if counts.get(t.organization_id, 0) < t.capacity
    ]
    never = datetime.min.replace(tzinfo=utcnow().tzinfo)
    found.sort(key=lambda c: (c.open_leads, c.last_offered or never, c.organization_id))
    return found


def _has_room(uow: UnitOfWork, dealer_id: int) -> bool:
    """Lock the dealer's territory row, then count again: the place is still free."""
    capacity = uow.session.scalar(
        select(Territory.capacity).where(Territory.organization_id == dealer_id).with_for_update()
    )
    if capacity is None:
        return False
    return open_leads(uow, [dealer_id]).get(dealer_id, 0) < capacity


def offer(
    uow: UnitOfWork,
    principal: Principal,
    lead: Lead,
    dealer_id: int,
    *,
    answer_within: timedelta,
    by_hand: bool = False,
    now: datetime | None = None,
) -> LeadOffer:
    """Offer ``lead`` to ``dealer_id`` until now + ``answer_within``; records ``lead.offered``."""
    now = now or utcnow()
    due = now + answer_within
    entry = LeadOffer(
        lead_id=lead.id, dealer_id=dealer_id, offered_at=now, answer_due_at=due, by_hand=by_hand
    )
    uow.session.add(entry)
    lead.status = LeadStatus.OFFERED
    lead.dealer_id = dealer_id
    lead.offered_at = now
    lead.answer_due_at = due
    lead.accepted_at = None
    lead.updated_at = now
    uow.flush()
    record(
        uow,
        principal,
        "lead.offered",
        "lead",
        lead.id,
        number=lead.number,
        dealer_id=dealer_id,
        answer_due_at=due.isoformat(),
        by_hand=by_hand,
    )
    return entry


def distribute(
    uow: UnitOfWork,
    principal: Principal,
    lead: Lead,
    *,
    answer_within: timedelta,
    territories: list[Coverage] | None = None,
    now: datetime | None = None,
) -> int | None:
    """Offer a lead without a dealer to the best candidate; returns the dealer, or None when no
    dealer can take it (the lead waits in marketing's queue)."""
    for candidate in candidates(uow, lead, territories):
        if _has_room(uow, candidate.organization_id):
            offer(uow, principal, lead, candidate.organization_id, answer_within=answer_within, now=now)
            return candidate.organization_id
    had = lead.id is not None and bool(_had_it(uow, lead.id))
    lead.status = LeadStatus.DECLINED if had else LeadStatus.NEW
    lead.dealer_id = None
    lead.offered_at = None
    lead.answer_due_at = None
    lead.updated_at = now or utcnow()
    uow.flush()
    return None
