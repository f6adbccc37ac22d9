"""Inbound files: poll -> store raw file and record (one transaction) -> only then archive remotely ->
decode -> apply as the sending organization -> queue the acknowledgement.

Nothing here holds a database transaction open across network I/O: fetching and archiving run
between transactions. Every step can be interrupted; the next run finishes the job:

- killed after fetching, before storing: the file is still in the inbox and is fetched again;
- killed after storing, before archiving: the next fetch finds the same bytes (``sha_key``) under the
  same name, skips the insert and archives;
- killed while applying: the transaction rolls back and the record is still ``received``.

Duplicates (same bytes, or same interchange reference from the same partner) are recorded with
state ``duplicate`` and never applied.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from adapters import FetchedFile, RemoteFileNotFound, Transport
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.db import UnitOfWork, unit_of_work
from portal.errors import Conflict, InvalidState, PortalError
from portal.events import record as record_event
from portal.exchange import outbound
from portal.exchange.faults import checkpoint
from portal.exchange.mapping import apply_document
from portal.exchange.profiles import acting_principal
from portal.models import (
    Direction,
    ExchangeLink,
    ExchangeProfile,
    ExchangeRecord,
    RecordState,
)
from portal.models.base import utcnow

log = logging.getLogger("portal.exchange")
MAX_FILE_BYTES = 50 * 1024 * 1024
STALE_CLAIM = timedelta(minutes=10)


@dataclass
class PollReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def poll(
    factory: sessionmaker[Session],
    profile: ExchangeProfile,
    transport: Transport,
    *,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
) -> PollReport:
    """Move every ready file of the profile's inbox into the ledger, then archive it remotely."""
    report = PollReport()
    for entry in transport.list_ready(
        profile.inbox, min_age_seconds=min_age_seconds, settle_seconds=settle_seconds
    ):
        if entry.size > MAX_FILE_BYTES:
            report.errors.append(f"{entry.name}: {entry.size} bytes exceeds the {MAX_FILE_BYTES} byte limit")
            continue
        try:
            fetched = transport.fetch(profile.inbox, entry.name, expected_size=entry.size)
        except RemoteFileNotFound:
            continue  # another worker archived it meanwhile
        report.fetched += 1
        checkpoint("fetched")
        outcome = store(factory, profile, fetched)
        if outcome == "stored":
            report.stored += 1
        elif outcome == "duplicate":
            report.duplicates += 1
        checkpoint("stored")
        with contextlib.suppress(RemoteFileNotFound):  # archived by another worker that fetched it too
            transport.archive(profile.inbox, entry.name, profile.archive)
        checkpoint("archived")
    return report


def store(factory: sessionmaker[Session], profile: ExchangeProfile, fetched: FetchedFile) -> str:
    """Record the raw file. Returns "stored", "duplicate" (the partner sent the same bytes again)
    or "seen" (this very file was stored before, by us or another worker: nothing to do)."""
    sha = hashlib.sha256(fetched.data).hexdigest()
    try:
        return _store(factory, profile, fetched, sha)
    except Conflict:
        return "seen"  # a concurrent worker stored the same file a moment ago (unique sha_key)


def _store(factory: sessionmaker[Session], profile: ExchangeProfile, fetched: FetchedFile, sha: str) -> str:
    with unit_of_work(factory) as uow:
        existing = uow.session.scalar(
            select(ExchangeRecord).where(
                ExchangeRecord.organization_id == profile.organization_id,
                ExchangeRecord.direction == Direction.INBOUND,
                ExchangeRecord.sha_key == sha,
            )
        )
        if existing is not None:
            if existing.filename == fetched.name:
                return "seen"
            _add_record(
                uow,
                profile,
                fetched,
                sha,
                sha_key=None,
                state=RecordState.DUPLICATE,
                error=f"the same file was received before as {existing.filename} (record {existing.id})",
            )
            return "duplicate"
        _add_record(uow, profile, fetched, sha, sha_key=sha, state=RecordState.RECEIVED)
    return "stored"


def _add_record(
    uow: UnitOfWork,
    profile: ExchangeProfile,
    fetched: FetchedFile,
    sha: str,
    *,
    sha_key: str | None,
    state: RecordState,
    error: str | None = None,
) -> ExchangeRecord:
    rec = ExchangeRecord(
        organization_id=profile.organization_id,
        direction=Direction.INBOUND,
        state=state,
        filename=fetched.name,
        size=len(fetched.data),
        sha256=sha,
        content=fetched.data,
        sha_key=sha_key,
        error=error,
        messages=[],
    )
    uow.session.add(rec)
    uow.flush()  # a unique sha_key taken meanwhile surfaces as Conflict
    return rec


def claim_received(session: Session, *, limit: int = 50) -> list[ExchangeRecord]:
    """Lock received records for this worker; other workers skip them (SKIP LOCKED on PostgreSQL)."""
    stmt = (
        select(ExchangeRecord)
        .where(ExchangeRecord.direction == Direction.INBOUND, ExchangeRecord.state == RecordState.RECEIVED)
        .order_by(ExchangeRecord.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


def process_pending(factory: sessionmaker[Session], *, limit: int = 50) -> int:
    """Decode and apply received files, one transaction per file. Returns how many were processed.

    Partners' files do not always arrive in order (a ship notice before the order response it
    follows). A file that failed only because an order was not yet in the right state is tried again
    after other files of the same partner were applied, up to ``MAX_ATTEMPTS`` times in all."""
    done = _process_received(factory, limit=limit)
    total = done
    while done and total < limit and _requeue_waiting(factory):
        done = _process_received(factory, limit=limit - total)
        total += done
    return total


MAX_ATTEMPTS = 3
_WAITING_CODE = InvalidState.code


def _process_received(factory: sessionmaker[Session], *, limit: int) -> int:
    done = conflicts = 0
    while conflicts < 3 and done < limit:
        try:
            with unit_of_work(factory) as uow:
                claimed = claim_received(uow.session, limit=1)
                if not claimed:
                    return done
                checkpoint("claimed")
                process_record(uow, claimed[0])
        except Conflict as exc:
            conflicts += 1
            log.info("exchange record raced with another worker, retrying: %s", exc)
            continue
        checkpoint("applied")
        conflicts = 0
        done += 1
    return done


def _requeue_waiting(factory: sessionmaker[Session]) -> int:
    """Failed files whose every failure was a wrong order state go back to "received" when a later file
    of the same partner has been applied since. Returns how many."""
    with unit_of_work(factory) as uow:
        failed = uow.session.scalars(
            select(ExchangeRecord)
            .where(
                ExchangeRecord.direction == Direction.INBOUND,
                ExchangeRecord.state == RecordState.FAILED,
                ExchangeRecord.attempts < MAX_ATTEMPTS,
            )
            .with_for_update(skip_locked=True)
        ).all()
        requeued = 0
        for rec in failed:
            waiting = rec.messages and all(
                m.get("ok") or m.get("code") == _WAITING_CODE for m in rec.messages
            )
            progress = uow.session.scalar(
                select(ExchangeRecord.id)
                .where(
                    ExchangeRecord.organization_id == rec.organization_id,
                    ExchangeRecord.direction == Direction.INBOUND,
                    ExchangeRecord.state == RecordState.APPLIED,
                    ExchangeRecord.updated_at > rec.updated_at,
                )
                .limit(1)
            )
            if waiting and progress is not None:
                rec.state = RecordState.RECEIVED
                rec.ref_key = None
                requeued += 1
        return requeued


def process_record(uow: UnitOfWork, rec: ExchangeRecord) -> None:
    """Decode one stored file and apply each message in a savepoint of its own: one bad message
    fails that message only."""
    session = uow.session
    profile = session.scalars(
        select(ExchangeProfile).where(ExchangeProfile.organization_id == rec.organization_id)
    ).one()
    principal = acting_principal(session, profile)
    decoded = edi.decode_all(rec.content)
    rec.format = decoded.format
    rec.attempts += 1
    first = decoded.messages[0] if decoded.messages else None
    rec.message_type = first.message_type if first else None
    rec.interchange_ref = first.envelope.control_reference if first else None
    if first is not None and not _claim_reference(session, rec, decoded.format, first.envelope):
        return
    if first is not None and decoded.format in ("edifact", "x12"):
        sender = first.envelope.sender.strip()
        if sender != profile.partner_id.strip():
            rec.state = RecordState.FAILED
            rec.error = (
                f"the interchange comes from {sender!r}, but this partner's interchange id is "
                f"{profile.partner_id!r}: not applied"
            )
            return
    results = []
    for message in decoded.messages:
        results.append(_apply_message(uow, principal, rec, message))
    rec.messages = results
    applied = sum(1 for r in results if r["ok"])
    if decoded.error is not None:
        rec.error = _describe(decoded.error)
    elif applied < len(results):
        rec.error = "; ".join(f"message {r['reference']}: {r['error']}" for r in results if not r["ok"])
    else:
        rec.error = None
    if applied and applied == len(results) and decoded.error is None:
        rec.state = RecordState.APPLIED
    elif applied:
        rec.state = RecordState.PARTIALLY_APPLIED
    else:
        rec.state = RecordState.FAILED
        if not rec.error:
            rec.error = "the file holds no message"
    _queue_acknowledgement(uow, profile, rec, decoded)
    record_event(
        uow,
        principal,
        f"exchange.{rec.state.value}",
        "exchange_record",
        rec.id,
        filename=rec.filename,
        format=rec.format,
        message_type=rec.message_type,
    )


def _claim_reference(session: Session, rec: ExchangeRecord, fmt: str, envelope: doc.Envelope) -> bool:
    """Set the interchange reference key; a second file with the same reference is a duplicate. (Two
    workers racing on the same reference: the unique key fails one commit, whose record stays
    ``received`` and is found to be a duplicate on the next claim.)"""
    key = f"{fmt}:{envelope.sender}:{envelope.control_reference}"[:80]
    first = session.scalar(
        select(ExchangeRecord.id).where(
            ExchangeRecord.organization_id == rec.organization_id,
            ExchangeRecord.direction == Direction.INBOUND,
            ExchangeRecord.ref_key == key,
        )
    )
    if first is None:
        rec.ref_key = key
        return True
    rec.state = RecordState.DUPLICATE
    rec.error = (
        f"interchange {envelope.control_reference} from {envelope.sender} was received before "
        f"(record {first}); not applied again"
    )
    return False


def _apply_message(
    uow: UnitOfWork, principal: Principal, rec: ExchangeRecord, message: doc.Message
) -> dict[str, object]:
    result: dict[str, object] = {
        "reference": message.envelope.message_reference,
        "type": message.message_type,
        "ok": False,
        "error": None,
        "links": [],
    }
    if message.error is not None or message.document is None:
        result["error"] = _describe(message.error) if message.error else "no document"
        return result
    try:
        with uow.session.begin_nested():
            if isinstance(message.document, doc.Acknowledgement):
                links = outbound.apply_acknowledgement(uow, rec.organization_id, message.document)
            else:
                links = apply_document(uow, principal, message.document)
            for entity, entity_id in links:
                uow.session.add(ExchangeLink(record_id=rec.id, entity=entity, entity_id=entity_id))
            uow.session.flush()
    except PortalError as exc:
        result["error"] = exc.message
        result["code"] = exc.code
        return result
    result["ok"] = True
    result["links"] = [{"entity": e, "id": i} for e, i in links]
    return result


def _describe(error: Exception) -> str:
    return str(error)


def _queue_acknowledgement(
    uow: UnitOfWork, profile: ExchangeProfile, rec: ExchangeRecord, decoded: edi.Decoded
) -> None:
    if any(isinstance(m.document, doc.Acknowledgement) for m in decoded.messages):
        return  # acknowledgements are not acknowledged
    ack = edi.acknowledgement(decoded)
    if ack is None:
        return
    ack_rec = outbound.queue_acknowledgement(uow, profile, ack, decoded, acknowledges=rec)
    if ack_rec is not None:
        rec.ack_record_id = ack_rec.id


def reprocess(*, uow: UnitOfWork, principal: Principal, record_id: int) -> ExchangeRecord:
    """Put a failed inbound file back in the queue (after the partner or we fixed the cause)."""
    rec = get_visible(uow.session, principal, ExchangeRecord, record_id)
    may.require(principal, may.can_reprocess_file(principal), "reprocess files")
    # Only files of which nothing was applied: re-running a partially applied one would apply its good
    # messages twice.
    if rec.direction is not Direction.INBOUND or rec.state is not RecordState.FAILED:
        raise InvalidState("exchange record", rec.state.value, "reprocess")
    rec.state = RecordState.RECEIVED
    rec.ref_key = None
    rec.error = None
    rec.messages = []
    rec.updated_at = utcnow()
    uow.flush()
    record_event(uow, principal, "exchange.reprocess", "exchange_record", rec.id, filename=rec.filename)
    return rec
