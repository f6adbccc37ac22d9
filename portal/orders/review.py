"""The buyer's review of supplier changes (issue #17): accept or reject a line's proposal, and the
suppliers' agreed tolerances.

A supplier's answer beyond its tolerance waits on the line as a proposal (`portal.orders.tolerance`)
and the order is flagged ``awaiting_review`` (kept by the flush hook). The owner's sales staff
accept it (it becomes the line's answer) or reject it with a reason (the agreed figures stay; a line
the supplier had not answered before waits for its answer again). The supplier sees the outcome on
the line and is notified (``order.change_reviewed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal import validation
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState
from portal.events import record
from portal.models import Order, Organization, OrgKind, ReviewOutcome
from portal.models.base import utcnow
from portal.orders.service import load_order, touch_order
from portal.orders.tolerance import MAX_TOLERANCE_DAYS, Tolerance, clear_proposal, proposal_of, settle


@dataclass(frozen=True, slots=True)
class LineDecision:
    """The buyer's decision on one line's change: accept it, or reject it (a reason is required)."""

    line_no: int
    accept: bool
    reason: str | None = None


def review_line_changes(
    *,
    uow: UnitOfWork,
    principal: Principal,
    order_id: int,
    decisions: Sequence[LineDecision],
    expected_version: int | None = None,
) -> Order:
    """Accept or reject the changes awaiting review on lines of an order. With ``expected_version``
    a second reviewer working from the same page is told the order changed meanwhile (Conflict);
    without it, a line decided meanwhile has no change awaiting review any more (InvalidState)."""
    may.require(principal, may.can_review_line_changes(principal), "review the supplier's changes")
    order = load_order(uow, principal, order_id, for_update=True)
    touch_order(order, expected_version)  # a stale page first: its decisions may all be moot
    if not decisions:
        raise InvalidInput("decisions", "decide on at least one line")
    by_no = {line.line_no: line for line in order.lines}
    seen: set[int] = set()
    now = utcnow()
    decided: list[dict[str, object]] = []
    for decision in decisions:
        field = f"lines[{decision.line_no}]"
        line = by_no.get(decision.line_no)
        if line is None or line.cancelled:
            raise InvalidInput(field, f"order {order.number} has no line {decision.line_no}")
        if decision.line_no in seen:
            raise InvalidInput(field, "decided twice")
        seen.add(decision.line_no)
        proposal = proposal_of(line)
        if proposal is None or order.cancelled_at is not None:
            raise InvalidState(
                f"line {line.line_no} of order {order.number}", "without a change awaiting review", "review"
            )
        # A supplier may ship while its change waits (an EDI ship notice right after the answer):
        # the change may still be accepted, unless it would confirm less than was shipped.
        if decision.accept and line.quantity_shipped > proposal.quantity:
            raise InvalidInput(
                field,
                f"line {line.line_no} has {line.quantity_shipped} shipped, more than the "
                f"{proposal.quantity} the change confirms: reject the change",
            )
        reason = validation.text(
            f"{field}.reason", decision.reason, max_length=500, required=not decision.accept
        )
        action = proposal.response.value
        if decision.accept:
            settle(line, proposal)
        clear_proposal(line)
        line.review_outcome = ReviewOutcome.ACCEPTED if decision.accept else ReviewOutcome.REJECTED
        line.review_reason = reason
        line.reviewed_at = now
        decided.append(
            {
                "line_no": line.line_no,
                "action": action,
                "outcome": line.review_outcome.value,
                **({"reason": reason} if reason else {}),
            }
        )
    uow.flush()
    record(
        uow,
        principal,
        "order.change_reviewed",
        "order",
        order.id,
        number=order.number,
        supplier_id=order.supplier_id,
        status=order.status().value,
        lines=decided,
    )
    return order


def set_tolerance(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organization_id: int,
    days: int,
    quantity_percent: Decimal,
) -> Organization:
    """Agree a supplier's tolerance: answers within it hold without the buyer's review."""
    may.require(
        principal, may.can_manage_tolerances(principal), "agree supplier tolerances", only="owner admins"
    )
    organization = get_visible(uow.session, principal, Organization, organization_id)
    if organization.kind is not OrgKind.SUPPLIER:
        raise InvalidInput("organization", f"{organization.name} is not a supplier")
    if not 0 <= days <= MAX_TOLERANCE_DAYS:
        raise InvalidInput("tolerance_days", f"must be between 0 and {MAX_TOLERANCE_DAYS} days")
    percent = validation.decimal("tolerance_quantity_percent", quantity_percent)
    if not Decimal(0) <= percent <= Decimal(100) or percent != round(percent, 2):
        raise InvalidInput(
            "tolerance_quantity_percent", "must be a percentage between 0 and 100 (two decimals)"
        )
    organization.tolerance_days = days
    organization.tolerance_quantity_percent = percent
    uow.flush()
    record(
        uow,
        principal,
        "organization.tolerance_changed",
        "organization",
        organization.id,
        days=days,
        quantity_percent=percent,
    )
    return organization


def tolerance_for(organization: Organization) -> Tolerance:
    return Tolerance(organization.tolerance_days, Decimal(organization.tolerance_quantity_percent))
