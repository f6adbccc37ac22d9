"""The worker step that sends the mail outbox: claim, commit, send, record.

1. Claim (one short transaction): due queued rows, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
   concurrent workers take different rows; each claimed row's ``next_attempt_at`` moves one lease
   ahead and ``attempts`` goes up, by a conditional UPDATE (also correct on SQLite, where two
   workers may read the same row: only one UPDATE matches). Commit.
2. Send, with no transaction open: network I/O never holds a database transaction.
3. Record (one short transaction per message): sent (with the time), or a temporary failure
   (due again after an exponential backoff), or a permanent failure (the server's message).

A worker that dies between 1 and 3 leaves its rows claimed; when the lease runs out another worker
takes them: nothing is lost. A row recorded as sent is never claimed again. A worker that dies
after the server accepted a message and before 3 sends it again (at least once, with the same
Message-ID): SMTP gives no way to ask whether a message arrived.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import unit_of_work
from portal.exchange.faults import checkpoint
from portal.models import MailMessage, MailStatus
from portal.models.base import utcnow
from portal.notify.mail.transport import Delivery, Transport, build_message, open_transport

log = logging.getLogger("portal.mail")

LEASE = timedelta(minutes=10)  # a claimed row is someone's for this long
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12  # about 1 + 2 + 4 + ... minutes, capped at 6 h: roughly two days in all
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, ... minutes, at most 6 hours."""
    factor = 1 << min(max(0, attempts - 1), 20)
    return min(FIRST_RETRY * factor, MAX_RETRY)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    attempts: int
    message_row: MailMessage


def claim_due(factory: sessionmaker[Session], *, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to ``limit`` due rows for this worker (committed before it returns)."""
    claimed: list[Claimed] = []
    with unit_of_work(factory) as uow:
        session = uow.session
        rows = list(
            session.scalars(
                select(MailMessage)
                .where(MailMessage.status == MailStatus.QUEUED, MailMessage.next_attempt_at <= now)
                .order_by(MailMessage.next_attempt_at, MailMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            taken = cast(
                CursorResult[Any],
                session.execute(
                    update(MailMessage)
                    .where(
                        MailMessage.id == row.id,
                        MailMessage.status == MailStatus.QUEUED,
                        MailMessage.attempts == row.attempts,
                    )
                    .values(attempts=row.attempts + 1, next_attempt_at=now + LEASE)
                    .execution_options(synchronize_session=False)
                ),
            )
            if taken.rowcount == 1:
                claimed.append(Claimed(row.id, row.attempts + 1, row))
        session.expunge_all()
    return claimed


def _record(factory: sessionmaker[Session], item: Claimed, outcome: Delivery, *, now: datetime) -> str:
    with unit_of_work(factory) as uow:
        mine = (
            MailMessage.id == item.id,
            MailMessage.status == MailStatus.QUEUED,
            MailMessage.attempts == item.attempts,  # not taken over by another worker meanwhile
        )
        if outcome.ok:
            values: dict[str, object] = {"status": MailStatus.SENT, "sent_at": now, "last_error": None}
            result = "sent"
        elif outcome.permanent or item.attempts >= MAX_ATTEMPTS:
            values = {"status": MailStatus.FAILED, "last_error": outcome.error}
            result = "failed"
        else:
            values = {"next_attempt_at": now + backoff(item.attempts), "last_error": outcome.error}
            result = "retry"
        uow.session.execute(
            update(MailMessage).where(*mine).values(**values).execution_options(synchronize_session=False)
        )
    return result


def send_mail_once(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
    limit: int = BATCH,
) -> int:
    """One pass: send the due mails (at most ``limit``); returns how many were sent."""
    now = now or utcnow()
    claimed = claim_due(factory, now=now, limit=limit)
    if not claimed:
        return 0
    checkpoint("mail_claimed")
    sent = 0
    with transport or open_transport(settings) as channel:
        for item in claimed:
            try:
                outcome = channel.send(build_message(item.message_row, settings.mail_from))
            except Exception as exc:  # a bug in building the message must not stop the others
                log.exception("mail %s could not be sent", item.id)
                outcome = Delivery(ok=False, error=f"{type(exc).__name__}: {exc}")
            checkpoint("mail_sent")
            result = _record(factory, item, outcome, now=now)
            if result == "sent":
                sent += 1
            elif result == "failed":
                log.warning("mail %s to %s failed: %s", item.id, item.message_row.to_address, outcome.error)
            else:
                log.info("mail %s: temporary failure, retrying later: %s", item.id, outcome.error)
    return sent
