"""Erasing a contact person on request (GDPR art. 17): the person's data anonymised, the history
kept without it, the erasure itself logged.

What is erased: the contact's names, e-mail, phone, position and consent records (the row stays,
marked ``erased_at``, so activities and cases that refer to it keep their shape); in the texts of
the customer's activities (subject and body) and in what was copied from them (the payloads of
their events and of notifications about them), the person's full name (either order), last name,
e-mail address and phone number are replaced by ``[erased]``. The contact's own events never held
personal data (their payloads name fields, not values). The erasure is an event
``contact.erased``: who and when (the event's actor and time), which contact id, how many
activities were redacted; each redacted activity gets an ``activity.redacted`` event, so that sync
clients and webhooks replace their copy with the redacted one.

Not touched (documented in docs/portal.md): orders keep the delivery contact copied onto them
(commercial documents under the retention duty of HGB s. 257 / AO s. 147), free text of cases, and
mails already sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, or_, select

from portal.access import Principal, get_visible, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidState
from portal.events import record
from portal.models import Activity, Contact, Event, Notification
from portal.models.base import utcnow

ERASED = "[erased]"
MIN_NAME = 3  # a last name shorter than this is not searched for on its own (too many false hits)


def personal_pattern(contact: Contact) -> re.Pattern[str] | None:
    """What identifies the person in free text, longest first, case-insensitive; names as whole words."""
    first, last = contact.first_name.strip(), contact.last_name.strip()
    names = {f"{first} {last}", f"{last}, {first}", f"{last} {first}"} if first and last else set()
    if len(last) >= MIN_NAME:
        names.add(last)
    literal = {v.strip() for v in (contact.email, contact.phone) if v and v.strip()}
    parts = [rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(names, key=len, reverse=True) if n.strip()]
    parts += [re.escape(v) for v in sorted(literal, key=len, reverse=True)]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """``value`` (text, or JSON of lists and dicts) with every match replaced by ``[erased]``."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, pattern) for k, v in value.items()}
    return value


def erase_contact(
    *, uow: UnitOfWork, principal: Principal, contact_id: int, expected_version: int | None = None
) -> Contact:
    session = uow.session
    contact = get_visible(session, principal, Contact, contact_id, for_update=True)
    may.require(principal, may.can_erase_contact(principal), "erase contacts", only="the owner's admins")
    if contact.erased_at is not None:
        raise InvalidState("contact", "erased", "erase")
    if expected_version is not None and expected_version != contact.version:
        raise Conflict(f"contact {contact.id} was changed meanwhile; reload it")
    pattern = personal_pattern(contact)
    redacted: list[int] = []
    if pattern is not None:
        activities = session.scalars(
            visible(principal, Activity)
            .where(Activity.customer_id == contact.customer_id)
            .order_by(Activity.id)
        )
        for activity in activities:
            subject, body = scrub(activity.subject, pattern), scrub(activity.body, pattern)
            if (subject, body) != (activity.subject, activity.body):
                activity.subject, activity.body = subject, body
                redacted.append(activity.id)
        _scrub_copies(uow, pattern, redacted, contact.id)
    contact.first_name, contact.last_name = "", ""
    contact.email = contact.phone = contact.position = None
    contact.email_consent = contact.phone_consent = False
    contact.email_consent_at = contact.phone_consent_at = None
    contact.email_consent_source = contact.phone_consent_source = None
    contact.erased_at = utcnow()
    uow.flush()
    for activity_id in redacted:
        record(uow, principal, "activity.redacted", "activity", activity_id, contact_id=contact.id)
    record(
        uow,
        principal,
        "contact.erased",
        "contact",
        contact.id,
        customer_id=contact.customer_id,
        activities_redacted=len(redacted),
    )
    return contact


def _scrub_copies(
    uow: UnitOfWork, pattern: re.Pattern[str], activity_ids: Iterable[int], contact_id: int
) -> None:
    """The activities' texts as copied into event and notification payloads. Events are read by
    entity and id (ix_events_entity_entity_id); the erasure is an owner admin's act on the owner's
    log, not a read of a principal's data."""
    ids = sorted(set(activity_ids))
    session = uow.session
    arms = [and_(Event.entity == "contact", Event.entity_id == contact_id)]
    if ids:
        arms.append(and_(Event.entity == "activity", Event.entity_id.in_(ids)))
    for event in session.scalars(select(Event).where(or_(*arms))):
        cleaned = scrub(event.payload, pattern)
        if cleaned != event.payload:
            event.payload = cleaned
    if ids:
        notes = select(Notification).where(Notification.entity == "activity", Notification.entity_id.in_(ids))
        for note in session.scalars(notes):
            cleaned = scrub(note.payload, pattern)
            if cleaned != note.payload:
                note.payload = cleaned
