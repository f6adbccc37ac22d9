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

The steps: `deliveries` (1), `claims` and `sending` (2), `outcomes` (3).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.exchange.faults import checkpoint
from portal.notify.webhooks import guard
from portal.notify.webhooks.claims import LEASE, SEND_BATCH, claim_due
from portal.notify.webhooks.deliveries import create_deliveries
from portal.notify.webhooks.outcomes import record_outcomes
from portal.notify.webhooks.sending import http_client, send

MAX_SEND_BATCHES = 20  # per run: the exchange steps of the loop get their turn too


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
    with http_client(settings) as client:
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
