"""Demo notifications: the latest few events of each kind that notifies, delivered by the real
notifier (so each demo user finds a few unread entries it may read), and the notifier's cursor
placed after the seeded history (the worker then tells only of what happens next)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from portal.db import make_sessionmaker, unit_of_work
from portal.models import Counter, Event
from portal.notify.delivery import deliver
from portal.notify.notices import NOTIFYING_EVENTS, Lookup, notices_of
from portal.notify.notifier import CURSOR

PER_KIND = 3


def seed_notifications(engine: Engine) -> int:
    added = 0
    with unit_of_work(make_sessionmaker(engine)) as uow:
        session = uow.session
        latest: list[Event] = []
        for kind in sorted(NOTIFYING_EVENTS):
            latest += session.scalars(
                select(Event).where(Event.kind == kind).order_by(Event.id.desc()).limit(PER_KIND)
            )
        latest.sort(key=lambda e: e.id)
        lookup = Lookup(session, latest)
        for event in latest:
            added += deliver(session, notices_of(event, lookup), event.occurred_at)
        last = session.scalar(select(func.max(Event.id))) or 0
        cursor = session.get(Counter, CURSOR)
        if cursor is None:
            session.add(Counter(name=CURSOR, value=last))
        else:
            cursor.value = last
    return added
