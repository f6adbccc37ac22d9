"""Step 3 of the dispatcher: record each attempt's outcome in a new transaction. A failure is tried
again after `portal.notify.webhooks.schedule` (27.6 hours in all); then the delivery is failed,
the endpoint disabled and a ``webhook.disabled`` event recorded (the inbox tells the admins)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal import events
from portal.db import UnitOfWork, unit_of_work
from portal.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.notify.webhooks.kinds import DISABLED_KIND, EVERY_ATTEMPT_FAILED
from portal.notify.webhooks.schedule import delay_after
from portal.notify.webhooks.sending import Outcome
from portal.notify.webhooks.service import organization_principal


def record_outcomes(factory: sessionmaker[Session], outcomes: list[Outcome], *, now: datetime) -> None:
    with unit_of_work(factory) as uow:
        stmt = select(WebhookDelivery).where(WebhookDelivery.id.in_([o.delivery_id for o in outcomes]))
        if uow.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=WebhookDelivery)
        found = {d.id: d for d in uow.session.scalars(stmt)}
        for result in outcomes:
            delivery = found.get(result.delivery_id)
            if delivery is not None:  # else its endpoint was deleted meanwhile
                _record(uow, delivery, result, now)


def _record(uow: UnitOfWork, delivery: WebhookDelivery, result: Outcome, now: datetime) -> None:
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    delivery.duration_ms = result.duration_ms
    delivery.response_excerpt = result.excerpt
    if result.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = datetime.now(UTC)
        delivery.next_attempt_at = None
        return
    delay = None if delivery.manual else delay_after(delivery.attempts)
    if delay is not None:
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + delay
        return
    delivery.status = DeliveryStatus.FAILED
    delivery.next_attempt_at = None
    if not delivery.manual:
        _disable(uow, delivery)


def _disable(uow: UnitOfWork, delivery: WebhookDelivery) -> None:
    endpoint = uow.session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
    if endpoint is None or not endpoint.enabled:
        return
    endpoint.enabled = False
    endpoint.disabled_reason = EVERY_ATTEMPT_FAILED.format(
        delivery=delivery.webhook_id, error=delivery.last_error
    )[:500]
    principal = organization_principal(uow.session, endpoint.organization_id)
    events.record(
        uow,
        principal,
        DISABLED_KIND,
        "webhook_endpoint",
        endpoint.id,
        organization_id=endpoint.organization_id,
        url=endpoint.url,
        reason=endpoint.disabled_reason,
        delivery_id=delivery.id,
    )
