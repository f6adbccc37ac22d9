"""What the sales side's events tell whom (issue #18): opportunities, deal registrations and leads.
Part of `portal.notify.notices`' rules, kept apart so that each module has one subject."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.models import DealRegistration, Event, Lead, Opportunity, Organization
from portal.notify.notice import OWNER_ORDER_STAFF, Notice, is_int
from portal.notify.rules import Kind

if TYPE_CHECKING:
    from portal.notify.notices import Lookup


def opportunity_notices(event: Event, lookup: Lookup, base: dict[str, Any]) -> list[Notice]:
    """The user an opportunity is given to (not the one who gave it): once per event that gave it;
    a won opportunity: its dealer and the owner's sales staff."""
    opportunity = lookup.opportunities.get(event.entity_id)
    if opportunity is None:
        return []
    shown = {"number": opportunity.number}
    if event.kind == "opportunity.won":
        order = event.payload.get("order_number")
        return [
            Notice(Kind.OPPORTUNITY_WON, "opportunity", opportunity.id, (Opportunity, opportunity.id),
                   {**shown, "order": order if isinstance(order, str) else "?"},
                   orgs=(opportunity.dealer_id,), owner_roles=OWNER_ORDER_STAFF, **base)
        ]  # fmt: skip
    owner = event.payload.get("owner_user_id")  # whom this event gave it to (it may have moved on since)
    if not is_int(owner) or owner == event.actor_user_id:
        return []
    return [
        Notice(Kind.OPPORTUNITY_ASSIGNED, "opportunity", opportunity.id, (Opportunity, opportunity.id),
               shown, users=(owner,), **base)
    ]  # fmt: skip


OPPORTUNITY_EVENTS = frozenset({"opportunity.created", "opportunity.assigned", "opportunity.won"})


def deal_notices(event: Event, lookup: Lookup, base: dict[str, Any]) -> list[Notice]:
    """A new registration: the owner's sales staff; a decision and an expiry: the registering dealer
    (and the organizations above it)."""
    registration = lookup.registrations.get(event.entity_id)
    if registration is None:
        return []
    check = (DealRegistration, registration.id)
    shown = {"number": registration.number}
    if event.kind == "deal_registration.submitted":
        return [
            Notice(Kind.DEAL_REGISTRATION_SUBMITTED, "deal_registration", registration.id, check,
                   {**shown, "prospect": registration.prospect_name}, owner_roles=OWNER_ORDER_STAFF, **base)
        ]  # fmt: skip
    if event.kind == "deal_registration.expired":
        return [
            Notice(Kind.DEAL_REGISTRATION_EXPIRED, "deal_registration", registration.id, check, shown,
                   orgs=(registration.dealer_id,), **base)
        ]  # fmt: skip
    status = event.kind.removeprefix("deal_registration.")
    return [
        Notice(Kind.DEAL_REGISTRATION_DECIDED, "deal_registration", registration.id, check,
               {**shown, "status": status}, orgs=(registration.dealer_id,), **base)
    ]  # fmt: skip


def lead_notices(event: Event, base: dict[str, Any]) -> list[Notice]:
    """A lead offered: the dealer's users (while it is still offered to them). Declined: marketing
    (the owner's sales staff and admins). Expired: the dealer that let it pass (told on its own
    organization: the lead is no longer its to see) and marketing."""
    p = event.payload
    dealer = p.get("dealer_id") if is_int(p.get("dealer_id")) else None
    shown: dict[str, Any] = {"number": p.get("number") if isinstance(p.get("number"), str) else "?"}
    lead = (Lead, event.entity_id)
    if event.kind == "lead.offered":
        if dealer is None:
            return []
        return [Notice(Kind.LEAD_OFFERED, "lead", event.entity_id, lead, shown, orgs=(dealer,), **base)]
    if event.kind == "lead.declined":
        reason = p.get("reason")
        shown["reason"] = reason[:200] if isinstance(reason, str) else ""
        return [
            Notice(
                Kind.LEAD_DECLINED,
                "lead",
                event.entity_id,
                lead,
                shown,
                owner_roles=OWNER_ORDER_STAFF,
                **base,
            )
        ]
    notices = [
        Notice(Kind.LEAD_EXPIRED, "lead", event.entity_id, lead, shown, owner_roles=OWNER_ORDER_STAFF, **base)
    ]
    if dealer is not None:
        notices.append(
            Notice(
                Kind.LEAD_EXPIRED,
                "leads",
                event.entity_id,
                (Organization, dealer),
                shown,
                orgs=(dealer,),
                **base,
            )
        )
    return notices


LEAD_EVENTS = frozenset({"lead.offered", "lead.declined", "lead.expired"})


DEAL_EVENTS = frozenset(
    {
        "deal_registration.submitted",
        "deal_registration.approved",
        "deal_registration.rejected",
        "deal_registration.expired",
    }
)
