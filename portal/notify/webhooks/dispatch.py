"""The webhook dispatcher, one step of the worker loop (`portal.exchange.worker`, so `portal exchange
run` and `portal demo`'s worker thread run it).

1. **Deliveries from events.** Events after its own cursor (``webhooks.last_event``, a locked
   counter: one worker at a time) become one delivery per enabled endpoint that wants the kind and
   whose organization may see the object now (`portal.access` through the change feed's rule,
   `portal.changes.changes_of`). ``(endpoint, event)`` is unique: an event read twice (the cursor
   passes only events old enough to be surely committed) makes no second delivery.
2. **Sending, outside any transaction.** Due deliveries are claimed (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL) by setting them ``sending`` with a lease, and the payload is rendered then, as the
   organization may see the object at that moment (nothing it may no longer see is sent: the
   delivery becomes ``skipped``). Commit; then POST, signed per Standard Webhooks, to the address the
   SSRF guard checked; then record the outcome in a new transaction. A worker killed after the claim
   leaves the delivery ``sending``; when its lease ends another run sends it again with the same
   ``webhook-id`` (at least once; receivers deduplicate by it).
3. **Retries** follow `portal.notify.webhooks.schedule` (27.6 hours); then the delivery is failed,
   the endpoint disabled and a ``webhook.disabled`` event recorded (the inbox tells the admins).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx2
import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal import events
from portal.changes import Change, changes_of
from portal.config import Settings
from portal.db import UnitOfWork, unit_of_work
from portal.exchange.faults import checkpoint
from portal.models import DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from portal.notify.webhooks import guard, signing
from portal.notify.webhooks.kinds import DISABLED_KIND, TEST_KIND
from portal.notify.webhooks.schedule import delay_after
from portal.notify.webhooks.service import organization_principal
from portal.numbering import locked_counter

log = logging.getLogger("portal.webhooks")

CURSOR = "webhooks.last_event"
SETTLE = timedelta(minutes=2)  # ids are handed out at insert: younger events are read again
LEASE = timedelta(minutes=10)  # at least: a claimed delivery is claimable again after this (a killed worker)
EVENT_BATCH = 500
SEND_BATCH = 50
MAX_SEND_BATCHES = 20  # per run: the exchange steps of the loop get their turn too
MAX_RESPONSE_BYTES = 64 * 1024  # read of a receiver's answer; the rest is not read
EXCERPT_CHARS = 1000
USER_AGENT = "portal-webhooks/1"


@dataclass(frozen=True, slots=True)
class Job:
    delivery_id: int
    url: str
    webhook_id: str
    body: bytes
    keys: list[str]


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None


def dispatch_webhooks_once(
    factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> int:
    """Create deliveries for new events and send the due ones; returns the number of attempts made."""
    moment = now or datetime.now(UTC)
    create_deliveries(factory, now=moment)
    allowed = guard.allowed_networks(settings.webhook_allow_networks)
    attempts = 0
    # Longer than the slowest a batch can take (every answer cut at its deadline), so that no other
    # worker sends a delivery again while this one still works on it.
    lease = max(LEASE, timedelta(seconds=SEND_BATCH * 3 * settings.webhook_timeout + 60))
    with _client(settings) as client:
        for _ in range(MAX_SEND_BATCHES):
            jobs = claim_due(factory, now=moment, limit=SEND_BATCH, lease=lease)
            if not jobs:
                break
            checkpoint("webhook_claimed")
            outcomes = [send(client, job, allowed, settings.webhook_timeout) for job in jobs]
            checkpoint("webhook_sent")
            record_outcomes(factory, outcomes, now=moment)
            attempts += len(outcomes)
    return attempts


# --- 1. deliveries from events -------------------------------------------------------------------


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


# --- 2. claim, render, send ------------------------------------------------------------------------


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


def _client(settings: Settings) -> httpx2.Client:
    timeout = httpx2.Timeout(settings.webhook_timeout, connect=min(settings.webhook_timeout, 5.0))
    return httpx2.Client(timeout=timeout, follow_redirects=False, trust_env=False, verify=True)


def _pinned(target: guard.Target) -> tuple[str, str]:
    """The URL with the checked address in place of the host, and the Host header."""
    parts = urlsplit(target.url)
    address = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    default = 443 if target.scheme == "https" else 80
    netloc = f"{address}:{target.port}"
    host = target.host if target.port == default else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host = f"[{target.host}]" if target.port == default else f"[{target.host}]:{target.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host


def _clean(text: str, limit: int) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send(client: httpx2.Client, job: Job, allowed: tuple[guard.Network, ...], timeout: float) -> Outcome:
    """POST one delivery; never raises (every trouble is an outcome with its reason)."""
    started = time.monotonic()

    def outcome(ok: bool, code: int | None, error: str | None, excerpt: str | None = None) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(job.delivery_id, ok, code, error and _clean(error, 500), elapsed, excerpt)

    try:
        target = guard.check(job.url, allowed)  # again at each send: DNS may have changed
    except (guard.TargetRefused, Exception) as exc:
        return outcome(False, None, str(exc))
    url, host = _pinned(target)
    headers = signing.headers(job.webhook_id, datetime.now(UTC), job.body, job.keys)
    headers.update({"host": host, "content-type": "application/json", "user-agent": USER_AGENT})
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    deadline = started + 3 * timeout  # a receiver that drips its answer is cut off too
    try:
        with client.stream("POST", url, content=job.body, headers=headers, extensions=extensions) as response:
            received = bytearray()
            truncated = False
            for chunk in response.iter_raw():
                received += chunk
                if len(received) >= MAX_RESPONSE_BYTES:
                    truncated = True
                    break
                if time.monotonic() > deadline:
                    return outcome(
                        False, response.status_code, f"the answer took longer than {3 * timeout:g} s"
                    )
            body = bytes(received[:MAX_RESPONSE_BYTES]).decode("utf-8", "replace")
            excerpt = _clean(body, EXCERPT_CHARS) if body else None
            code = response.status_code
            if 200 <= code < 300:
                return outcome(True, code, None, excerpt)
            if 300 <= code < 400:
                location = response.headers.get("location", "")
                return outcome(
                    False, code, f"redirect to {location or '(no location)'} not followed", excerpt
                )
            note = " (answer cut at 64 KiB)" if truncated else ""
            return outcome(False, code, f"HTTP {code}{note}", excerpt)
    except httpx2.TimeoutException as exc:
        return outcome(False, None, f"timed out ({type(exc).__name__}) after {timeout:g} s")
    except httpx2.HTTPError as exc:
        return outcome(False, None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


# --- 3. outcomes ---------------------------------------------------------------------------------


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
    endpoint.disabled_reason = (
        f"every attempt of delivery {delivery.webhook_id} failed: {delivery.last_error}"[:500]
    )
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
