"""The notifier: outbox events (and the scheduler's occasions) -> inbox rows, in the worker.

``notify_once`` runs in every exchange worker pass (`portal exchange run`, and the worker thread of
`portal demo`). It reads the ``events`` table after its own cursor (the counter row
``notify.events``), locked for the transaction: two workers never read the same batch at once
(the second waits on the row lock, then reads past the cursor the first one moved). A batch is one
transaction: its inbox rows and the moved cursor commit together, so a worker killed anywhere in
between leaves nothing behind, and the next pass does the batch again.

Ids are handed out at insert, not at commit: a transaction still open may yet commit an event with
a smaller id. So, as the outbound EDI feed does, the cursor only passes events older than
:data:`SETTLE`; younger ones are read again on the next pass, and the unique keys (event, user,
channel) and (occasion, user, channel) make sure each row is inserted once (at-least-once reading,
exactly-once rows).

Who is told: per event, the candidates of its rule (the organizations it concerns and the owner's
staff of some roles, never the actor, only active users), each kept only if the user, as the
database has it at that moment (`portal.access.standing_user`, the statement the portal's requests
use), may read the object (`portal.access.rule_for`, the one access policy), and only on the
channels the user's preferences (or the role's defaults) ask for. The parts: `notices` (what an
event tells whom), `recipients` (who may be told, as they stand now), `delivery` (the inbox rows).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import unit_of_work
from portal.exchange.faults import checkpoint
from portal.models import Event
from portal.models.base import utcnow
from portal.notify.delivery import deliver
from portal.notify.notices import NOTIFYING_EVENTS, Lookup, notices_of
from portal.numbering import locked_counter

log = logging.getLogger("portal.notify")

CURSOR = "notify.events"
SETTLE = timedelta(minutes=2)  # no unit of work stays open longer than this (as portal.exchange.outbound)
BATCH = 2000  # events per transaction


def notify_once(factory: sessionmaker[Session], *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Turn new outbox events and due occasions into inbox rows; returns the rows added."""
    from portal.notify.scheduler import expire_once, schedule_once

    now = now or utcnow()
    expire_once(factory, now=now)
    added = 0
    after = 0
    while True:
        count, last = _event_batch(factory, now, batch, after)
        added += count
        if last is None:
            break
        after = last
    added += schedule_once(factory, now=now)
    return added


def _event_batch(
    factory: sessionmaker[Session], now: datetime, batch: int, after: int
) -> tuple[int, int | None]:
    with unit_of_work(factory) as uow:
        session = uow.session
        cursor = locked_counter(session, CURSOR)  # one worker at a time reads the outbox
        settled = session.scalar(
            select(func.max(Event.id)).where(Event.id > cursor.value, Event.occurred_at < utcnow() - SETTLE)
        )
        events = list(
            session.scalars(
                select(Event)
                .where(Event.id > max(cursor.value, after), Event.kind.in_(sorted(NOTIFYING_EVENTS)))
                .order_by(Event.id)
                .limit(batch)
            )
        )
        lookup = Lookup(session, events)
        notices = [notice for event in events for notice in notices_of(event, lookup)]
        added = deliver(session, notices, now)
        _crash_point("delivered")
        advance = settled if settled is not None else cursor.value
        last = events[-1].id if len(events) == batch else None
        if last is not None:
            advance = min(advance, last)
        cursor.value = max(cursor.value, advance)
        session.flush()
        _crash_point("cursor")
    return added, last


CRASH_AT: set[str] = set()  # the fault tests' crash points: raise there, as a killed worker stops


class Crash(RuntimeError):
    pass


def _crash_point(step: str) -> None:
    if step in CRASH_AT:
        raise Crash(step)
    checkpoint(f"notify_{step}")  # PORTAL_EXCHANGE_CRASH_AT=notify_delivered: the process dies here
