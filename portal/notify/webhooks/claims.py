"""Step 2a of the dispatcher: claim due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) by
setting them ``sending`` with a lease, and render each payload then, as the organization may see
the object at that moment: what it may no longer see is not sent (the delivery becomes
``skipped``). One transaction, committed before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.changes import Change, changes_of
from portal.db import unit_of_work
from portal.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from portal.notify.webhooks import signing
from portal.notify.webhooks.kinds import TEST_KIND
from portal.notify.webhooks.service import organization_principal

LEASE = timedelta(minutes=10)  # at least: a claimed delivery is claimable again after this (a killed worker)
SEND_BATCH = 50


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: int
    url: str
    webhook_id: str
    body: bytes
    keys: list[str]


def payload(event: Event, change: Change | None) -> dict[str, Any]:
    """The JSON body (Standard Webhooks' shape: type, timestamp, data)."""
    if change is None:  # the test event
        data: dict[str, Any] = {"endpoint_id": event.entity_id, "message": "This is a test event."}
    else:
        data = {
            "entity": change.entity,
            "id": change.entity_id,
            "operation": change.operation.value,
            "state": change.state,
        }
    return {
        "type": event.kind,
        "timestamp": event.occurred_at.astimezone(UTC).isoformat(),
        "event_id": event.id,
        "data": data,
    }


def claim_due(
    factory: sessionmaker[Session], *, now: datetime, limit: int = SEND_BATCH, lease: timedelta = LEASE
) -> list[Job]:
    """Claim up to ``limit`` due deliveries of enabled endpoints and render their bodies (one
    transaction, committed before anything is sent)."""
    jobs: list[Job] = []
    with unit_of_work(factory) as uow:
        session = uow.session
        stmt = (
            select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)),
                WebhookDelivery.next_attempt_at <= now,
                WebhookEndpoint.enabled.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
        deliveries = list(session.scalars(stmt))
        if not deliveries:
            return []
        endpoints = {
            e.id: e
            for e in session.scalars(
                select(WebhookEndpoint).where(WebhookEndpoint.id.in_({d.endpoint_id for d in deliveries}))
            )
        }
        found = {
            e.id: e
            for e in session.scalars(select(Event).where(Event.id.in_({d.event_id for d in deliveries})))
        }
        changes = _changes(session, deliveries, found)
        for delivery in deliveries:
            event = found[delivery.event_id]
            endpoint = endpoints[delivery.endpoint_id]
            change = changes.get((delivery.organization_id, event.id))
            if change is None and event.kind != TEST_KIND:
                delivery.status = DeliveryStatus.SKIPPED
                delivery.next_attempt_at = None
                delivery.last_error = "not sent: the organization may no longer see this object"
                continue
            delivery.status = DeliveryStatus.SENDING
            delivery.attempts += 1
            delivery.last_attempt_at = now
            delivery.next_attempt_at = now + lease
            keys = signing.signing_secrets(
                endpoint.secret, endpoint.previous_secret, endpoint.previous_secret_expires_at, now
            )
            body = orjson.dumps(payload(event, change))
            jobs.append(Job(delivery.id, endpoint.url, delivery.webhook_id, body, keys))
    return jobs


def _changes(
    session: Session, deliveries: list[WebhookDelivery], found: dict[int, Event]
) -> dict[tuple[int, int], Change]:
    by_org: dict[int, list[Event]] = {}
    for delivery in deliveries:
        event = found[delivery.event_id]
        if event.kind != TEST_KIND:
            by_org.setdefault(delivery.organization_id, []).append(event)
    changes: dict[tuple[int, int], Change] = {}
    for org_id, evs in by_org.items():
        for event_id, change in changes_of(session, organization_principal(session, org_id), evs).items():
            changes[org_id, event_id] = change
    return changes
