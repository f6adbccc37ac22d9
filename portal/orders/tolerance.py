"""A supplier's answer against its agreed tolerance (issue #17).

An answer is a :class:`Proposal` for a line. Within the supplier's tolerance (per supplier
organization: the promised date within N days of the requested one, the quantity within N % of the
ordered one; a price change, a rejection or a split into several deliveries never) it becomes
the line's answer at once (:func:`settle`); beyond it, it is kept beside the agreed figures as the
line's proposal (:func:`propose`) until the owner's staff accept or reject it (`portal.orders.review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import LineResponse, OrderLine, Organization
from portal.models.base import utcnow
from portal.models.orders import make_schedule, schedule_parts

MAX_TOLERANCE_DAYS = 365


@dataclass(frozen=True, slots=True)
class Tolerance:
    days: int = 0
    quantity_percent: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What an answer makes of a line: its response, confirmed quantity, promised date, confirmed
    price (None: the ordered price), the supplier's reason for a rejection, and for a line split into
    several deliveries its (quantity, date) parts by date (the quantity is their sum, the promised
    date the last one's)."""

    response: LineResponse
    quantity: Decimal
    promised_date: date | None
    price: Decimal | None
    reason: str | None
    schedule: tuple[tuple[Decimal, date], ...] = ()


def tolerance_of(session: Session, supplier_id: int | None) -> Tolerance:
    """The supplier organization's agreed tolerance (none: every change is reviewed)."""
    if supplier_id is None:
        return Tolerance()
    row = session.execute(
        select(Organization.tolerance_days, Organization.tolerance_quantity_percent).where(
            Organization.id == supplier_id
        )
    ).one_or_none()
    if row is None:
        return Tolerance()
    return Tolerance(int(row[0] or 0), Decimal(row[1] or 0))


def within_tolerance(line: OrderLine, proposal: Proposal, tolerance: Tolerance) -> bool:
    """Whether ``proposal`` may hold without the buyer's review."""
    if proposal.response is LineResponse.REJECTED:
        return False
    # A split always goes to the buyer: several deliveries mean several receipts and a plan the
    # buyer must agree to, however close each delivery is to the requested date.
    if proposal.schedule:
        return False
    if proposal.price is not None and proposal.price != line.effective_price:
        return False
    allowed = line.quantity_ordered * tolerance.quantity_percent / Decimal(100)
    if abs(proposal.quantity - line.quantity_ordered) > allowed:
        return False
    # The buyer's requested date is the reference; without one, the date last agreed.
    reference = line.requested_date or line.promised_date
    if proposal.promised_date is not None and reference is not None:
        return abs((proposal.promised_date - reference).days) <= tolerance.days
    return True


def settle(line: OrderLine, proposal: Proposal) -> None:
    """Make ``proposal`` the line's (agreed) answer."""
    line.response = proposal.response
    line.quantity_confirmed = proposal.quantity
    line.promised_date = proposal.promised_date
    line.confirmed_price = proposal.price
    line.reject_reason = proposal.reason if proposal.response is LineResponse.REJECTED else None
    line.schedule = make_schedule(proposal.schedule)


def propose(line: OrderLine, proposal: Proposal) -> None:
    """Keep ``proposal`` for the buyer's review (replacing an earlier one); the agreed figures stay."""
    line.proposed_response = proposal.response
    line.proposed_quantity = proposal.quantity
    line.proposed_date = proposal.promised_date
    line.proposed_price = proposal.price
    line.proposed_reason = proposal.reason
    line.proposed_schedule = make_schedule(proposal.schedule)
    line.proposed_at = utcnow()
    _forget_outcome(line)


def clear_proposal(line: OrderLine) -> None:
    """The line's answer holds as agreed: an earlier proposal (and the outcome of an earlier
    review) no longer applies."""
    line.proposed_response = None
    line.proposed_quantity = None
    line.proposed_date = None
    line.proposed_price = None
    line.proposed_reason = None
    line.proposed_schedule = None
    line.proposed_at = None
    _forget_outcome(line)


def proposal_of(line: OrderLine) -> Proposal | None:
    """The proposal awaiting review on ``line``, if any."""
    if line.proposed_response is None:
        return None
    return Proposal(
        line.proposed_response,
        line.proposed_quantity if line.proposed_quantity is not None else Decimal(0),
        line.proposed_date,
        line.proposed_price,
        line.proposed_reason,
        tuple(schedule_parts(line.proposed_schedule)),
    )


def _forget_outcome(line: OrderLine) -> None:
    line.review_outcome = None
    line.review_reason = None
    line.reviewed_at = None
