"""A customer's change log: who created and changed the customer and its contacts, and when.

Read from the event log (portal.events), through the policy: owner staff see every event, anyone
else only their own organizations' (the pages show the log to owner staff only:
``permissions.can_read_customer_changes``). Payloads name changed fields, never personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from portal.access import Principal, get_visible, visible
from portal.models import ApiToken, Contact, Customer, Event, Organization, User

KINDS = (
    "customer.created",
    "customer.updated",
    "customer.shared",
    "customer.unshared",
    "contact.created",
    "contact.updated",
    "contact.erased",
)


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    occurred_at: datetime
    kind: str
    organization: str | None  # the acting organization's name
    person: str | None  # the user's name, or the API token's name
    via: str  # "user", "token" or "system"
    contact_id: int | None  # for contact events
    payload: dict[str, Any]


def customer_changes(
    session: Session, principal: Principal, customer_id: int, *, limit: int = 200
) -> list[ChangeEntry]:
    """The newest ``limit`` changes of a visible customer and its contacts, newest first."""
    customer = get_visible(session, principal, Customer, customer_id)
    contact_ids = list(
        session.scalars(
            visible(principal, Contact)
            .with_only_columns(Contact.id)
            .where(Contact.customer_id == customer.id)
        )
    )
    # Plain id lists: each arm is one lookup in ix_events_entity_entity_id.
    arms = [and_(Event.entity == "customer", Event.entity_id == customer.id)]
    if contact_ids:
        arms.append(and_(Event.entity == "contact", Event.entity_id.in_(contact_ids)))
    events = list(
        session.scalars(
            visible(principal, Event)
            .where(or_(*arms), Event.kind.in_(KINDS))
            .order_by(Event.occurred_at.desc(), Event.id.desc())
            .limit(limit)
        )
    )
    orgs = dict(
        session.execute(
            select(Organization.id, Organization.name).where(
                Organization.id.in_({e.actor_org_id for e in events if e.actor_org_id})
            )
        ).all()
    )
    users = dict(
        session.execute(
            select(User.id, User.name).where(
                User.id.in_({e.actor_user_id for e in events if e.actor_user_id})
            )
        ).all()
    )
    tokens = dict(
        session.execute(
            select(ApiToken.id, ApiToken.name).where(
                ApiToken.id.in_({e.actor_token_id for e in events if e.actor_token_id})
            )
        ).all()
    )
    return [
        ChangeEntry(
            occurred_at=e.occurred_at,
            kind=e.kind,
            organization=orgs.get(e.actor_org_id) if e.actor_org_id else None,
            person=users.get(e.actor_user_id)
            if e.actor_user_id
            else tokens.get(e.actor_token_id)
            if e.actor_token_id
            else None,
            via="user" if e.actor_user_id else "token" if e.actor_token_id else "system",
            contact_id=e.entity_id if e.entity == "contact" else None,
            payload=dict(e.payload or {}),
        )
        for e in events
    ]
