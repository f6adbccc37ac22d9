"""Webhooks on random worlds (tests.access.world): every organization subscribes to every kind, and
no organization gets a delivery, or a payload, about an object it could not see at that moment:
when the delivery is made from the event, and again when it is sent (access taken away in between
turns the delivery into ``skipped``, with nothing sent)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from portal.access import visible_ids
from portal.changes import ENTITY_MODELS
from portal.db import make_sessionmaker
from portal.models import (
    CustomerAssignment,
    DeliveryStatus,
    Event,
    Organization,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal.models.base import utcnow
from portal.notify.webhooks import claims, deliveries, signing
from portal.notify.webhooks.kinds import EVENT_KINDS
from portal.notify.webhooks.service import organization_principal
from tests.access.test_notify_isolation import _events
from tests.access.world import WorldSpec, build, worlds
from tests.conftest import wipe


def _sees(session: Session, org_id: int, event: Event) -> bool:
    model = ENTITY_MODELS[event.entity]
    return event.entity_id in visible_ids(session, organization_principal(session, org_id), model)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds())
def test_no_webhook_about_what_the_organization_cannot_see(engine: Engine, spec: WorldSpec) -> None:
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            build(session, spec)
            orgs = list(session.scalars(select(Organization.id)))
            owner_id = min(orgs)
            earlier = utcnow() - timedelta(hours=1)
            for org_id in orgs:
                session.add(
                    WebhookEndpoint(
                        organization_id=org_id,
                        url="https://93.184.216.34/hook",  # never called: only claimed
                        event_kinds=list(EVENT_KINDS),
                        secret=signing.new_secret(),
                        created_at=earlier,
                    )
                )
            session.add_all(_events(session, owner_id))
            # The world's own deliveries (about a made-up "x" event, for the list tests) are not ours.
            before = session.scalar(select(func.coalesce(func.max(WebhookDelivery.id), 0)))
            session.commit()
        deliveries.create_deliveries(factory, now=utcnow())
        with factory() as session:
            events = {e.id: e for e in session.scalars(select(Event))}
            made = list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.id > before)))
            for d in made:
                assert _sees(session, d.organization_id, events[d.event_id]), (
                    f"{d.event_kind} about {events[d.event_id].entity} {events[d.event_id].entity_id} "
                    f"went to organization {d.organization_id}, which cannot see it"
                )
            # ... and those who may see it get one: every routed order reaches its supplier.
            routed = {
                (e.entity_id, e.payload["supplier_id"]) for e in events.values() if e.kind == "order.routed"
            }
            got = {
                (events[d.event_id].entity_id, d.organization_id)
                for d in made
                if d.event_kind == "order.routed"
            }
            assert routed <= got
            # Access taken away between the event and the sending: every customer unshared.
            session.execute(delete(CustomerAssignment))
            session.commit()
        jobs = claims.claim_due(factory, now=utcnow(), limit=100_000)
        with factory() as session:
            sent = {job.delivery_id for job in jobs}
            for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id > before)):
                event = session.get_one(Event, d.event_id)
                if d.id in sent:
                    assert _sees(session, d.organization_id, event), f"{d.event_kind} sent after access ended"
                else:
                    assert d.status is DeliveryStatus.SKIPPED
    finally:
        wipe(engine)
