"""Step 1 of the dispatcher: outbox events -> one delivery per enabled endpoint that wants the kind
and whose organization may see the object now (`portal.access` through the change feed's rule,
`portal.changes.changes_of`). Events are read after the dispatcher's own cursor
(``webhooks.last_event``, a locked counter: one worker at a time); ``(endpoint, event)`` is unique,
so an event read twice (the cursor passes only events old enough to be surely committed) makes no
second delivery."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.changes import changes_of
from portal.db import unit_of_work
from portal.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from portal.notify.webhooks import signing
from portal.notify.webhooks.service import organization_principal
from portal.numbering import locked_counter

CURSOR = "webhooks.last_event"
SETTLE = timedelta(minutes=2)  # ids are handed out at insert: younger events are read again
EVENT_BATCH = 500


def create_deliveries(factory: sessionmaker[Session], *, now: datetime) -> int:
    created = 0
    after = 0
    while True:
        count, last = _create_batch(factory, now, after)
        created += count
        if last is None:
            return created
        after = last


def _create_batch(factory: sessionmaker[Session], now: datetime, after: int) -> tuple[int, int | None]:
    created = 0
    with unit_of_work(factory) as uow:
        session = uow.session
        cursor = locked_counter(session, CURSOR)
        settled = session.scalar(
            select(func.max(Event.id)).where(Event.id > cursor.value, Event.occurred_at < now - SETTLE)
        )
        endpoints = list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))))
        if not endpoints:
            cursor.value = max(cursor.value, settled or 0)
            return 0, None
        since = min(e.created_at for e in endpoints)
        if cursor.value == 0:  # never read: the history before any endpoint is nobody's
            history = session.scalar(select(func.max(Event.id)).where(Event.occurred_at < since - SETTLE))
            cursor.value = max(cursor.value, history or 0)
        kinds = sorted({kind for e in endpoints for kind in e.event_kinds})
        batch = list(
            session.scalars(
                select(Event)
                .where(Event.id > max(cursor.value, after), Event.kind.in_(kinds), Event.occurred_at >= since)
                .order_by(Event.id)
                .limit(EVENT_BATCH)
            )
        )
        if batch:
            created = _deliveries_for(session, endpoints, batch)
        advance = settled if settled is not None else cursor.value
        last = batch[-1].id if len(batch) == EVENT_BATCH else None
        if last is not None:
            advance = min(advance, last)
        cursor.value = max(cursor.value, advance)
    return created, last


def _deliveries_for(session: Session, endpoints: list[WebhookEndpoint], batch: list[Event]) -> int:
    ids = [e.id for e in batch]
    taken: set[tuple[int, int]] = {
        (endpoint_id, event_id)
        for endpoint_id, event_id in session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.event_id).where(
                WebhookDelivery.event_id.in_(ids)
            )
        )
    }
    created = 0
    by_org: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in endpoints:
        by_org.setdefault(endpoint.organization_id, []).append(endpoint)
    for org_id, own in by_org.items():
        wanted = {kind for e in own for kind in e.event_kinds}
        mine = [event for event in batch if event.kind in wanted]
        if not mine:
            continue
        seen = changes_of(session, organization_principal(session, org_id), mine)
        for event in mine:
            if event.id not in seen:
                continue  # the organization may not see it (now): nothing for its endpoints
            for endpoint in own:
                if (
                    event.kind in endpoint.event_kinds
                    and event.occurred_at >= endpoint.created_at
                    and (endpoint.id, event.id) not in taken
                ):
                    session.add(
                        WebhookDelivery(
                            endpoint_id=endpoint.id,
                            organization_id=org_id,
                            event_id=event.id,
                            event_kind=event.kind,
                            webhook_id=signing.new_webhook_id(),
                            status=DeliveryStatus.PENDING,
                            manual=False,
                            attempts=0,
                            next_attempt_at=event.occurred_at,
                        )
                    )
                    taken.add((endpoint.id, event.id))
                    created += 1
    session.flush()
    return created
