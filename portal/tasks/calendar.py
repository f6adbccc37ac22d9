"""Each user's iCalendar feed: a secret address, revocable and renewable, that calendar programs
(Outlook, Google Calendar, Apple Calendar, Thunderbird) subscribe to.

What it holds, decided by `portal.access` at each fetch for the user as the database has the user
then (`portal.access.standing_user`: a deactivated user's feed answers 404, as a revoked one does):

* **appointments and meetings the user scheduled** (``Activity.user_id``) and still may see, from
  :data:`PAST` ago to :data:`AHEAD` on, as timed events (UTC);
* **the user's open tasks** due in the same window, as **all-day events** on their due day, not as
  VTODO: Google Calendar ignores VTODO in subscribed calendars and Outlook shows subscribed
  calendars' tasks nowhere, while an all-day event shows in both (and in Apple Calendar and
  Thunderbird). A task done drops out of the feed on the next refresh.

Only the token's SHA-256 is stored (as API tokens are): the address is shown once, when it is made.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access import Principal, load_by_ids, standing_user, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import NotFound
from portal.events import record
from portal.models import CalendarFeed, Customer
from portal.models.base import utcnow
from portal.security import hash_token
from portal.tasks.agenda import Agenda, calendar_window

PREFIX = "cal_"
PAST = timedelta(days=60)
AHEAD = timedelta(days=366)


def N_(message: str) -> str:  # noqa: N802 - the gettext marker (portal.web.catalog extracts this file)
    return message


TASK_SUMMARY = N_("Task: %(subject)s")
CALENDAR_NAME = N_("Portal: %(name)s")
CUSTOMER_LINE = N_("Customer: %(name)s")


def _new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def feed_of(session: Session, principal: Principal) -> CalendarFeed | None:
    """The principal's own feed (when it was made), if there is one."""
    return session.scalars(visible(principal, CalendarFeed)).one_or_none()


def renew_feed(*, uow: UnitOfWork, principal: Principal) -> str:
    """A new secret address for the principal's calendar (the old one, if any, stops working);
    returns the token, which is not stored."""
    may.require(principal, may.can_use_calendar_feed(principal), "have a calendar feed")
    assert principal.user_id is not None
    token = _new_token()
    feed = feed_of(uow.session, principal)
    if feed is None:
        uow.session.add(CalendarFeed(user_id=principal.user_id, token_hash=hash_token(token)))
    else:
        feed.token_hash = hash_token(token)
        feed.created_at = utcnow()
    uow.flush()
    record(uow, principal, "calendar_feed.renewed", "user", principal.user_id)
    return token


def revoke_feed(*, uow: UnitOfWork, principal: Principal) -> None:
    may.require(principal, may.can_use_calendar_feed(principal), "have a calendar feed")
    assert principal.user_id is not None
    feed = feed_of(uow.session, principal)
    if feed is None:
        raise NotFound("calendar feed", "of this user")
    uow.session.delete(feed)
    uow.flush()
    record(uow, principal, "calendar_feed.revoked", "user", principal.user_id)


def feed_principal(session: Session, token: str) -> Principal:
    """Whose feed ``token`` opens, as that user stands now; a wrong, revoked or renewed token and a
    deactivated user are all the same NotFound."""
    if not token.startswith(PREFIX) or len(token) > 100:
        raise NotFound("calendar feed", "")
    user_id = session.scalar(select(CalendarFeed.user_id).where(CalendarFeed.token_hash == hash_token(token)))
    principal = None if user_id is None else standing_user(session, user_id)
    if principal is None:
        raise NotFound("calendar feed", "")
    return principal


@dataclass(frozen=True, slots=True)
class Presentation:
    """How the feed speaks: the reader's language, where links point, whose calendar it is."""

    gettext: Callable[[str], str]
    base_url: str  # "https://portal.example.com", no trailing slash
    host: str  # the UIDs' domain
    owner_name: str


def render_feed(
    session: Session, principal: Principal, *, now: datetime, zone: tzinfo, how: Presentation
) -> bytes:
    assert principal.user_id is not None
    today = now.astimezone(zone).date()
    agenda = calendar_window(
        session, principal, user_id=principal.user_id, first=today - PAST, last=today + AHEAD, zone=zone
    )
    ical: bytes = build_calendar(session, principal, agenda, now=now, how=how).to_ical()
    return ical


def build_calendar(
    session: Session, principal: Principal, agenda: Agenda, *, now: datetime, how: Presentation
) -> Calendar:
    _ = how.gettext
    customer_ids = {a.customer_id for a in agenda.appointments} | {
        t.customer_id for t in agenda.tasks if t.customer_id is not None
    }
    names = {ident: c.name for ident, c in load_by_ids(session, principal, Customer, customer_ids).items()}
    cal = Calendar()
    cal.add("prodid", "-//E-CRM partner portal//calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _(CALENDAR_NAME) % {"name": how.owner_name})
    cal.add("x-published-ttl", timedelta(hours=1))
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for a in agenda.appointments:
        event = Event()
        event.add("uid", f"activity-{a.id}@{how.host}")
        event.add("dtstamp", now)
        event.add("summary", a.subject)
        event.add("dtstart", a.starts_at)
        event.add("dtend", a.ends_at or a.starts_at)
        lines = [_(CUSTOMER_LINE) % {"name": names[a.customer_id]}] if a.customer_id in names else []
        if a.body:
            lines.append(a.body)
        if lines:
            event.add("description", "\n\n".join(lines))
        event.add("url", f"{how.base_url}/customers/{a.customer_id}")
        cal.add_component(event)
    for t in agenda.tasks:
        event = Event()
        event.add("uid", f"task-{t.id}@{how.host}")
        event.add("dtstamp", now)
        event.add("last-modified", t.updated_at)
        event.add("summary", _(TASK_SUMMARY) % {"subject": t.subject})
        event.add("dtstart", t.due_on)
        event.add("dtend", t.due_on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a task does not make the user busy all day
        lines = [_(CUSTOMER_LINE) % {"name": names[t.customer_id]}] if t.customer_id in names else []
        if t.notes:
            lines.append(t.notes)
        if lines:
            event.add("description", "\n\n".join(lines))
        event.add("url", f"{how.base_url}/tasks/{t.id}")
        cal.add_component(event)
    return cal
