"""Webhook deliveries against a real receiver process on loopback that verifies every signature
with the standardwebhooks package: success, 500 then success, a hanging target, a redirect, an
oversized answer, a worker killed between claim and send, lost access, retries running out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import unit_of_work
from portal.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from portal.notify.webhooks import claims, guard, sending, service
from portal.notify.webhooks.deliveries import create_deliveries
from portal.notify.webhooks.dispatch import dispatch_webhooks_once
from portal.notify.webhooks.schedule import MAX_ATTEMPTS
from portal.orders import service as orders
from tests.builders import Scene, build_scene
from tests.notify.conftest import Receiver

SETTINGS = Settings(webhook_allow_networks="127.0.0.0/8", webhook_timeout=1.0)
LOOPBACK = guard.allowed_networks(SETTINGS.webhook_allow_networks)


def register(
    scene: Scene,
    receiver: Receiver,
    path: str,
    slug: str = "supplier-a",
    kinds: tuple[str, ...] = ("order.routed",),
) -> tuple[int, str]:
    with scene.uow() as uow:
        made = service.create_endpoint(
            uow,
            scene.p(slug, "admin"),
            url=receiver.url(path),
            event_kinds=kinds,
            description="ERP",
            allowed_networks=LOOPBACK,
        )
        endpoint_id, secret = made.endpoint.id, made.secret
    receiver.expect(path, secret)
    return endpoint_id, secret


def deliveries(factory: sessionmaker[Session]) -> list[WebhookDelivery]:
    with factory() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_routed_order_reaches_the_supplier_signed(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/ok")
    order = scene.order(
        scene.customer(shared_with=("dealer-group",)), dealer="dealer-group", supplier="supplier-a"
    )
    assert dispatch_webhooks_once(factory, SETTINGS) == 1
    [got] = receiver.received("/ok")
    assert got["verified_with"], "the signature must verify with the endpoint's secret"
    body = json.loads(got["body"])
    assert body["type"] == "order.routed"
    assert body["data"]["id"] == order.id and body["data"]["operation"] == "upsert"
    assert body["data"]["state"]["number"] == order.number
    assert body["data"]["state"]["dealer_id"] is None  # a supplier never learns who sold the order
    assert got["host"] == f"127.0.0.1:{receiver.port}"
    [d] = deliveries(factory)
    assert (d.status, d.last_status_code, d.attempts, d.webhook_id) == (
        DeliveryStatus.DELIVERED,
        204,
        1,
        got["webhook_id"],
    )
    assert d.duration_ms is not None and d.delivered_at is not None
    assert dispatch_webhooks_once(factory, SETTINGS) == 0  # nothing twice
    assert len(receiver.received()) == 1


def test_500_then_success_keeps_the_webhook_id(factory: sessionmaker[Session], receiver: Receiver) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/flaky")
    scene.order(scene.customer(), supplier="supplier-a")
    now = datetime.now(UTC)
    dispatch_webhooks_once(factory, SETTINGS, now=now)
    [d] = deliveries(factory)
    assert (d.status, d.last_status_code, d.attempts) == (DeliveryStatus.PENDING, 500, 1)
    assert d.next_attempt_at == now + timedelta(seconds=5)
    assert d.response_excerpt == "try later"
    assert dispatch_webhooks_once(factory, SETTINGS, now=now + timedelta(seconds=1)) == 0  # not due yet
    assert dispatch_webhooks_once(factory, SETTINGS, now=now + timedelta(seconds=6)) == 1
    first, second = receiver.received("/flaky")
    assert first["webhook_id"] == second["webhook_id"] and first["verified_with"] and second["verified_with"]
    [d] = deliveries(factory)
    assert (d.status, d.last_status_code, d.attempts) == (DeliveryStatus.DELIVERED, 200, 2)


def test_a_hanging_target_times_out_and_is_retried(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/hang")
    scene.order(scene.customer(), supplier="supplier-a")
    now = datetime.now(UTC)
    dispatch_webhooks_once(factory, SETTINGS, now=now)
    [d] = deliveries(factory)
    assert d.status is DeliveryStatus.PENDING and d.last_status_code is None
    assert d.last_error is not None and "timed out" in d.last_error
    assert d.duration_ms is not None and 900 <= d.duration_ms < 5000
    dispatch_webhooks_once(factory, SETTINGS, now=now + timedelta(seconds=6))
    [d] = deliveries(factory)
    assert d.attempts == 2 and d.next_attempt_at == now + timedelta(seconds=6) + timedelta(minutes=5)
    assert len(receiver.received("/hang")) == 2


def test_a_redirect_is_a_failure_and_not_followed(factory: sessionmaker[Session], receiver: Receiver) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/redirect")
    scene.order(scene.customer(), supplier="supplier-a")
    dispatch_webhooks_once(factory, SETTINGS)
    [d] = deliveries(factory)
    assert (d.status, d.last_status_code) == (DeliveryStatus.PENDING, 302)
    assert d.last_error == "redirect to /ok not followed"
    assert receiver.received("/ok") == [] and len(receiver.received("/redirect")) == 1


def test_an_oversized_answer_is_cut(factory: sessionmaker[Session], receiver: Receiver) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/big")
    scene.order(scene.customer(), supplier="supplier-a")
    dispatch_webhooks_once(factory, SETTINGS)
    [d] = deliveries(factory)
    assert (d.status, d.last_status_code) == (DeliveryStatus.DELIVERED, 200)
    assert d.response_excerpt is not None and len(d.response_excerpt) == sending.EXCERPT_CHARS
    assert set(d.response_excerpt[:-1]) == {"x"}


def _run_worker_until(database_url: str, step: str) -> int:
    code = textwrap.dedent(
        f"""
        from portal.config import Settings
        from portal.db import make_engine, make_sessionmaker
        from portal.notify.webhooks.dispatch import dispatch_webhooks_once
        factory = make_sessionmaker(make_engine({database_url!r}))
        dispatch_webhooks_once(factory, Settings(webhook_allow_networks="127.0.0.0/8", webhook_timeout=2.0))
        """
    )
    env = {**os.environ, "PORTAL_EXCHANGE_CRASH_AT": step}
    return subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode


@pytest.mark.parametrize("step", ["webhook_claimed", "webhook_sent"])
def test_a_worker_killed_mid_delivery_delivers_at_least_once_with_the_same_id(
    factory: sessionmaker[Session], receiver: Receiver, database_url: str, step: str
) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/ok")
    scene.order(scene.customer(), supplier="supplier-a")
    assert _run_worker_until(database_url, step) == 86  # killed right there
    [d] = deliveries(factory)
    assert d.status is DeliveryStatus.SENDING  # claimed, outcome unknown
    before = receiver.received("/ok")
    assert len(before) == (1 if step == "webhook_sent" else 0)
    now = datetime.now(UTC)
    assert dispatch_webhooks_once(factory, SETTINGS, now=now) == 0  # its lease still runs
    assert dispatch_webhooks_once(factory, SETTINGS, now=now + claims.LEASE + timedelta(seconds=1)) == 1
    got = receiver.received("/ok")
    assert len(got) == len(before) + 1
    assert {g["webhook_id"] for g in got} == {d.webhook_id} and all(g["verified_with"] for g in got)
    [d] = deliveries(factory)
    assert d.status is DeliveryStatus.DELIVERED and d.attempts == 2


def test_nothing_is_sent_about_an_object_the_organization_no_longer_sees(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/ok")
    order = scene.order(scene.customer(), supplier="supplier-a")
    now = datetime.now(UTC)
    assert create_deliveries(factory, now=now) == 1
    with scene.uow() as uow:  # routed away before the delivery went out
        orders.route_order(
            uow=uow, principal=scene.p("owner"), order_id=order.id, supplier_id=scene.orgs["supplier-b"].id
        )
    dispatch_webhooks_once(factory, SETTINGS, now=now)
    first = deliveries(factory)[0]
    assert first.status is DeliveryStatus.SKIPPED and first.attempts == 0
    states = [json.loads(g["body"])["data"]["state"] for g in receiver.received("/ok")]
    assert all(state is None for state in states)  # at most a removal, never the order's state
    assert all(json.loads(g["body"])["data"]["operation"] == "remove" for g in receiver.received("/ok"))


def test_an_endpoint_is_disabled_when_every_retry_failed(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    scene = build_scene(factory)
    endpoint_id, _ = register(scene, receiver, "/down")
    scene.order(scene.customer(), supplier="supplier-a")
    now = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):
        assert dispatch_webhooks_once(factory, SETTINGS, now=now) == 1
        [d] = deliveries(factory)
        now = (d.next_attempt_at or now) + timedelta(seconds=1)
    assert len(receiver.received("/down")) == MAX_ATTEMPTS
    assert d.status is DeliveryStatus.FAILED and d.attempts == MAX_ATTEMPTS
    with factory() as session:
        endpoint = session.get_one(WebhookEndpoint, endpoint_id)
        assert not endpoint.enabled and endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
        [event] = session.scalars(select(Event).where(Event.kind == "webhook.disabled"))
        assert event.entity_id == endpoint_id
        assert event.payload["organization_id"] == scene.orgs["supplier-a"].id
        assert event.actor_org_id == scene.orgs["supplier-a"].id
    scene.order(scene.customer("Zweite"), supplier="supplier-a")
    assert dispatch_webhooks_once(factory, SETTINGS, now=now + timedelta(days=2)) == 0  # disabled: nothing


def test_rotation_overlap_the_old_secret_still_verifies(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    scene = build_scene(factory)
    endpoint_id, old = register(scene, receiver, "/ok")
    with scene.uow() as uow:
        new = service.rotate_secret(uow, scene.p("supplier-a", "admin"), endpoint_id).secret
    assert new != old
    receiver.expect("/ok", old, new)
    scene.order(scene.customer(), supplier="supplier-a")
    dispatch_webhooks_once(factory, SETTINGS)
    [got] = receiver.received("/ok")
    assert got["verified_with"] == [old, new]
    assert len(got["signature"].split(" ")) == 2


def test_send_again_and_test_event(factory: sessionmaker[Session], receiver: Receiver) -> None:
    scene = build_scene(factory)
    endpoint_id, _ = register(scene, receiver, "/ok")
    scene.order(scene.customer(), supplier="supplier-a")
    dispatch_webhooks_once(factory, SETTINGS)
    [d] = deliveries(factory)
    admin = scene.p("supplier-a", "admin")
    with scene.uow() as uow:
        service.redeliver(uow, admin, d.id)
        service.send_test(uow, admin, endpoint_id)
    assert dispatch_webhooks_once(factory, SETTINGS) == 2
    got = receiver.received("/ok")
    assert [json.loads(g["body"])["type"] for g in got] == ["order.routed", "order.routed", "webhook.test"]
    assert got[0]["webhook_id"] == got[1]["webhook_id"] != got[2]["webhook_id"]
    assert all(g["verified_with"] for g in got)


def test_a_refused_target_at_send_time_is_a_failure(
    factory: sessionmaker[Session], receiver: Receiver
) -> None:
    scene = build_scene(factory)
    register(scene, receiver, "/ok")
    scene.order(scene.customer(), supplier="supplier-a")
    dispatch_webhooks_once(factory, replace(SETTINGS, webhook_allow_networks=""))  # the operator took it back
    [d] = deliveries(factory)
    assert d.status is DeliveryStatus.PENDING and d.last_error and "loopback" in d.last_error
    assert receiver.received() == []


def test_registration_refuses_private_targets(factory: sessionmaker[Session]) -> None:
    from portal.errors import InvalidInput

    scene = build_scene(factory)
    with unit_of_work(factory) as uow, pytest.raises(InvalidInput, match="loopback"):
        service.create_endpoint(
            uow, scene.p("supplier-a", "admin"), url="http://127.0.0.1/x", event_kinds=["order.routed"]
        )
