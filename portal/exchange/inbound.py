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
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from adapters import AdapterError, FetchedFile, RemoteFile, RemoteFileNotFound, Transport
from portal.access import Principal
from portal.db import UnitOfWork, unit_of_work
from portal.errors import Conflict, InvalidState, PortalError
from portal.events import record as record_event
from portal.exchange import contents, einvoices, failures, outbound
from portal.exchange.faults import checkpoint
from portal.exchange.handling import discard, reprocess
from portal.exchange.mapping import apply_document
from portal.exchange.profiles import acting_principal, organization_principal, owner_principal
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
CLAIM_TIMEOUT = timedelta(minutes=10)  # a hung worker loses its claim (PostgreSQL)


@dataclass
class PollReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)


def poll(
    factory: sessionmaker[Session],
    profile: ExchangeProfile,
    transport: Transport,
    *,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> PollReport:
    """Move every ready file of the profile's inbox into the ledger, then archive it remotely.

    A file bigger than ``max_file_bytes`` is not read: it is recorded as failed with the reason and
    archived, so it neither stays in the inbox nor fails every run. Transport trouble (`AdapterError`)
    stops this profile's poll (the files stay remote for the next run); anything else fails only the
    file at hand."""
    report = PollReport()
    for entry in transport.list_ready(
        profile.inbox, min_age_seconds=min_age_seconds, settle_seconds=settle_seconds
    ):
        try:
            if entry.size > max_file_bytes:
                if refuse_oversized(factory, profile, entry, max_file_bytes) == "stored":
                    report.refused += 1
            else:
                fetched = transport.fetch(profile.inbox, entry.name, expected_size=entry.size)
                report.fetched += 1
                checkpoint("fetched")
                outcome = store(factory, profile, fetched, written_at=entry.mtime)
                del fetched  # the bytes are in the ledger now; processing reads them from there
                if outcome == "stored":
                    report.stored += 1
                elif outcome == "duplicate":
                    report.duplicates += 1
                checkpoint("stored")
            with contextlib.suppress(RemoteFileNotFound):  # archived by another worker that fetched it too
                transport.archive(profile.inbox, entry.name, profile.archive)
            checkpoint("archived")
        except RemoteFileNotFound:
            continue  # another worker archived it meanwhile
        except AdapterError:
            raise
        except Exception as exc:
            log.exception("exchange profile %s: file %r", profile.id, entry.name)
            report.errors.append(f"{entry.name}: {failures.clean(failures.detail(exc), 300)}")
    return report


def refuse_oversized(
    factory: sessionmaker[Session], profile: ExchangeProfile, entry: RemoteFile, limit: int
) -> str:
    """Record a file too big to take as failed, without reading it: "stored", or "seen" when it was
    recorded before (the worker died before archiving it). Its bytes are not kept (``sha256`` is
    empty); the key is made of its name, size and time, since its content was never read."""
    key = hashlib.sha256(
        f"oversized\0{entry.name}\0{entry.size}\0{entry.mtime.isoformat()}".encode()
    ).hexdigest()
    with unit_of_work(factory) as uow:
        seen = uow.session.scalar(
            select(ExchangeRecord.id).where(
                ExchangeRecord.organization_id == profile.organization_id,
                ExchangeRecord.direction == Direction.INBOUND,
                ExchangeRecord.sha_key == key,
            )
        )
        if seen is not None:
            return "seen"
        rec = ExchangeRecord(
            organization_id=profile.organization_id,
            direction=Direction.INBOUND,
            state=RecordState.FAILED,
            filename=entry.name,
            size=entry.size,
            sha256="",
            sha_key=key,
            error=(
                f"the file has {entry.size:,} bytes, more than the limit of {limit:,} bytes "
                "(PORTAL_EXCHANGE_MAX_FILE_BYTES): it was not read, and was moved to the archive "
                "folder. Ask the partner to send smaller files, or raise the limit and put the file "
                "back into the inbox"
            ),
            messages=[],
        )
        uow.session.add(rec)
        uow.flush()
        contents.save(uow.session, rec.id, b"")  # every record has its bytes; this one none
        record_event(
            uow,
            acting_principal(uow.session, profile),
            "exchange.failed",
            "exchange_record",
            rec.id,
            filename=rec.filename,
            format=None,
        )
    return "stored"


def store(
    factory: sessionmaker[Session],
    profile: ExchangeProfile,
    fetched: FetchedFile,
    *,
    written_at: datetime | None = None,
) -> str:
    """Record the raw file. Returns "stored", "duplicate" (the partner sent the same bytes again)
    or "seen" (this very file was stored before, by us or another worker: nothing to do).

    The same bytes under the same name are "seen" only when the file was written (``written_at``,
    its modification time in the listing) before the earlier record was made: that is the very
    file, still in the inbox because a worker died before archiving it, or fetched by two workers
    at once. Written after it, the partner sent the file again: a duplicate, recorded as such."""
    sha = fetched.sha256 or hashlib.sha256(fetched.data).hexdigest()  # transports hash while reading
    try:
        return _store(factory, profile, fetched, sha, written_at)
    except Conflict:
        return "seen"  # a concurrent worker stored the same file a moment ago (unique sha_key)


def _store(
    factory: sessionmaker[Session],
    profile: ExchangeProfile,
    fetched: FetchedFile,
    sha: str,
    written_at: datetime | None,
) -> str:
    with unit_of_work(factory) as uow:
        existing = uow.session.scalar(
            select(ExchangeRecord).where(
                ExchangeRecord.organization_id == profile.organization_id,
                ExchangeRecord.direction == Direction.INBOUND,
                ExchangeRecord.sha_key == sha,
            )
        )
        if existing is not None:
            if existing.filename == fetched.name and (
                written_at is None or written_at <= existing.created_at
            ):
                return "seen"
            _add_record(
                uow,
                profile,
                fetched,
                sha,
                sha_key=None,
                state=RecordState.DUPLICATE,
                error=(
                    f"the same file was received before as {existing.filename} (record {existing.id}); "
                    "not applied again"
                ),
            )
            return "duplicate"
        _add_record(uow, profile, fetched, sha, sha_key=sha, state=RecordState.RECEIVED)
    return "stored"


def stored_before(session: Session, organization_id: int, sha: str) -> int | None:
    """The inbound record of ``organization_id`` that holds these very bytes (``sha``), if any."""
    return session.scalar(
        select(ExchangeRecord.id).where(
            ExchangeRecord.organization_id == organization_id,
            ExchangeRecord.direction == Direction.INBOUND,
            ExchangeRecord.sha_key == sha,
        )
    )


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
        sha_key=sha_key,
        error=error,
        messages=[],
    )
    uow.session.add(rec)
    uow.flush()  # a unique sha_key taken meanwhile surfaces as Conflict
    contents.save(uow.session, rec.id, fetched.data)  # in chunks: no driver keeps a copy of the file
    return rec


MAX_ATTEMPTS = 3
_WAITING_CODE = InvalidState.code


@dataclass(frozen=True, slots=True)
class Claim:
    """A received record this worker is processing. ``attempt`` is the record's ``attempts`` after the
    claim: a worker that finds another value has lost the record to a worker that reclaimed it."""

    record_id: int
    attempt: int
    failed: bool = False  # the claim found a poison file and failed it instead


def claim_next(factory: sessionmaker[Session], *, skip: Collection[int] = ()) -> Claim | None:
    """Claim the oldest received record (one committed transaction): count the attempt, note the time.

    A claim whose worker still works on the record is invisible here: its processing transaction
    holds the row (``SKIP LOCKED`` passes it over). A received record with a claim but no lock was
    left by a worker that died (killed, out of memory, a crash in a codec): it is reclaimed at once.
    After `MAX_ATTEMPTS` attempts such a poison file is failed instead, so it cannot stop the worker
    for ever. (A worker that hangs keeps its lock until PostgreSQL ends its idle transaction after
    `CLAIM_TIMEOUT`; then the record is reclaimed too.)"""
    with unit_of_work(factory) as uow:
        stmt = select(ExchangeRecord).where(
            ExchangeRecord.direction == Direction.INBOUND, ExchangeRecord.state == RecordState.RECEIVED
        )
        if skip:
            stmt = stmt.where(ExchangeRecord.id.not_in(list(skip)))
        rec = uow.session.scalars(
            stmt.order_by(ExchangeRecord.id).limit(1).with_for_update(skip_locked=True)
        ).first()
        if rec is None:
            return None
        if rec.claimed_at is not None and rec.attempts >= MAX_ATTEMPTS:
            _mark_failed(
                uow,
                rec,
                f"the worker stopped {rec.attempts} times while processing this file (it may be too "
                "big or trigger a fault in a decoder). Nothing of it was applied; process it again "
                "once the cause is fixed, or discard it",
            )
            return Claim(rec.id, rec.attempts, failed=True)
        rec.attempts += 1
        rec.claimed_at = utcnow()
        return Claim(rec.id, rec.attempts)


def _claimed(session: Session, claim: Claim) -> ExchangeRecord | None:
    """The claimed record, locked for processing; None when another worker reclaimed it meanwhile."""
    if session.get_bind().dialect.name == "postgresql":
        # A hung worker must not keep its claim for ever: the server ends the idle transaction.
        seconds = int(CLAIM_TIMEOUT.total_seconds())
        session.execute(text(f"SET LOCAL idle_in_transaction_session_timeout = '{seconds}s'"))
    return session.scalars(
        select(ExchangeRecord)
        .where(
            ExchangeRecord.id == claim.record_id,
            ExchangeRecord.state == RecordState.RECEIVED,
            ExchangeRecord.attempts == claim.attempt,
        )
        .with_for_update()
    ).first()


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


def _process_received(factory: sessionmaker[Session], *, limit: int) -> int:
    """Process claimed records one by one. Whatever one file raises fails that file, with its
    reason, and the run goes on with the next: no file can stop the exchange of every partner."""
    done = 0
    skip: set[int] = set()  # records that stay received after this pass tried them
    conflicts: dict[int, int] = {}
    while done < limit:
        claim = claim_next(factory, skip=skip)
        if claim is None:
            return done
        if claim.failed:
            done += 1
            continue
        checkpoint("claimed")
        try:
            with unit_of_work(factory) as uow:
                rec = _claimed(uow.session, claim)
                if rec is None:
                    skip.add(claim.record_id)
                    continue
                process_record(uow, rec)
                _storable(rec)
                rec.claimed_at = None
        except Conflict as exc:
            conflicts[claim.record_id] = conflicts.get(claim.record_id, 0) + 1
            if conflicts[claim.record_id] >= 3:
                skip.add(claim.record_id)
            log.info("exchange record raced with another worker, retrying: %s", exc)
            _release(factory, claim)
            continue
        except Exception as exc:  # any failure of one file: fail it, go on with the next
            log.exception("exchange record %s failed", claim.record_id)
            if not _fail_claimed(factory, claim, failures.reason(exc)):
                skip.add(claim.record_id)
            done += 1
            continue
        checkpoint("applied")
        done += 1
    return done


def _release(factory: sessionmaker[Session], claim: Claim) -> None:
    with contextlib.suppress(Exception), unit_of_work(factory) as uow:
        rec = _claimed(uow.session, claim)
        if rec is not None:
            rec.claimed_at = None


def _fail_claimed(factory: sessionmaker[Session], claim: Claim, reason: str) -> bool:
    """Fail the claimed record with ``reason`` in a transaction of its own. False when even that
    failed (the record stays claimed; a later pass reclaims it, bounded by `MAX_ATTEMPTS`)."""
    try:
        with unit_of_work(factory) as uow:
            rec = _claimed(uow.session, claim)
            if rec is not None:
                _mark_failed(uow, rec, reason)
    except Exception:
        log.exception("could not record the failure of exchange record %s", claim.record_id)
        return False
    return True


def _mark_failed(uow: UnitOfWork, rec: ExchangeRecord, reason: str) -> None:
    rec.state = RecordState.FAILED
    rec.error = failures.clean(reason)
    rec.claimed_at = None
    rec.ref_key = None
    rec.messages = []
    session = uow.session
    profile = session.scalars(
        select(ExchangeProfile).where(ExchangeProfile.organization_id == rec.organization_id)
    ).first()
    principal = acting_principal(session, profile) if profile is not None else owner_principal(session)
    uow.flush()
    record_event(
        uow, principal, "exchange.failed", "exchange_record", rec.id, filename=rec.filename, format=rec.format
    )


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


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    """Name the step for the ledger when it raises (a race stays a `Conflict`: it is retried)."""
    try:
        yield
    except (Conflict, failures.StepFailed):
        raise
    except Exception as exc:
        raise failures.StepFailed(name, exc) from exc


Screen = Callable[[str, doc.Message], str | None]
"""What a caller refuses before a message is applied (its reason), e.g. an upload: not an e-invoice."""


def process_record(
    uow: UnitOfWork,
    rec: ExchangeRecord,
    *,
    principal: Principal | None = None,
    screen: Screen | None = None,
) -> None:
    """Decode one stored file and apply each message in a savepoint of its own: one bad message
    fails that message only. Anything else that goes wrong raises; the worker fails the file.

    A file of an organization without an exchange profile (an invoice uploaded in the portal) is
    applied as that organization (or as ``principal``), an e-invoice breaking its rules is always
    refused, and no acknowledgement is written: nobody would fetch it."""
    session = uow.session
    profile = session.scalars(
        select(ExchangeProfile).where(ExchangeProfile.organization_id == rec.organization_id)
    ).first()
    if principal is None:
        principal = (
            acting_principal(session, profile)
            if profile is not None
            else organization_principal(session, rec.organization_id)
        )
    policy = profile.invalid_einvoices if profile is not None else "reject"
    with _step("decoding the file"):
        # The stored file is read in chunks as the decoder goes and each message's document is let
        # go once it is applied: a big EDIFACT/X12 file is never whole in memory, nor its documents
        # (about five times its size). XML and PDF files are read whole (capped by the worker).
        stream = edi.iter_messages(contents.StoredContent(session, rec.id))
        messages = iter(stream)
        message = next(messages, None)
    rec.format = stream.format
    envelope = message.envelope if message is not None else None
    rec.message_type = message.message_type if message is not None else None
    rec.interchange_ref = envelope.control_reference if envelope is not None else None
    with _step("checking the interchange reference"):
        if envelope is not None and not _claim_reference(session, rec, stream.format, envelope):
            return
    if profile is not None and envelope is not None and stream.format in ("edifact", "x12"):
        sender = envelope.sender.strip()
        if sender != profile.partner_id.strip():
            rec.state = RecordState.FAILED
            rec.error = (
                f"the interchange comes from {sender!r}, but this partner's interchange id is "
                f"{profile.partner_id!r}: not applied"
            )
            return
    results = []
    texts: dict[object, object] = {}  # one copy of each error text, not one per message
    refused: tuple[doc.Message, einvoices.Verdict] | None = None
    while message is not None:
        verdict = None
        if message.document is not None and einvoices.is_einvoice(stream.format, message):
            with _step("validating the e-invoice"):  # an XML or PDF file: one message, read whole
                verdict = einvoices.check(contents.read_all(session, rec.id))
            if verdict.broken and policy == "reject":
                refused = (message, verdict)
        with _step(f"applying message {message.envelope.message_reference}"):
            screened = screen(stream.format, message) if screen is not None else None
            result = _apply_message(uow, principal, rec, message, verdict, policy, screened)
            result["error"] = texts.setdefault(result["error"], result["error"])
            results.append(result)
        with _step("decoding the file"):
            message = None  # let its document go before the next one is decoded
            message = next(messages, None)
    decoded = stream.summary()  # every message without its document, for the acknowledgement
    rec.messages = results
    applied = sum(1 for r in results if r["ok"])
    if decoded.error is not None:
        rec.error = _describe(decoded.error)
    elif applied < len(results):
        rec.error = _joined(f"message {r['reference']}: {r['error']}" for r in results if not r["ok"])
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
    if profile is not None:
        with _step("writing the acknowledgement"):
            _queue_acknowledgement(uow, profile, rec, decoded, refused)
            _refuse_order_changes(uow, profile, rec, decoded, results)
    with _step("saving the result"):
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
        uow.flush()


def _joined(texts: Iterator[str]) -> str:
    """``"; ".join(texts)`` as far as the ledger keeps it (`failures.MAX_REASON`): a file of 50,000
    refused messages does not build a text of megabytes to cut it to one thousand characters."""
    parts: list[str] = []
    size = 0
    for part in texts:
        parts.append(part)
        size += len(part) + 2
        if size > failures.MAX_REASON:
            break
    return "; ".join(parts)


def _storable(rec: ExchangeRecord) -> None:
    """Text taken from the file is data: no NUL byte (PostgreSQL refuses them), within column sizes."""
    rec.error = failures.clean(rec.error) if rec.error else rec.error
    rec.interchange_ref = failures.clean(rec.interchange_ref, 35) if rec.interchange_ref else None
    rec.message_type = failures.clean(rec.message_type, 32) if rec.message_type else None
    cleaned = [_clean_result(result) for result in rec.messages]
    if any(new is not old for new, old in zip(cleaned, rec.messages, strict=True)):
        rec.messages = cleaned  # else left as it is: no copy of every message's result


def _clean_result(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` with `failures.clean` text values; the very same dict when they are clean already."""
    if all(
        not isinstance(v, str) or (v.isprintable() and len(v) <= failures.MAX_REASON) for v in result.values()
    ):
        return result
    return {key: failures.clean(value) if isinstance(value, str) else value for key, value in result.items()}


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
    uow: UnitOfWork,
    principal: Principal,
    rec: ExchangeRecord,
    message: doc.Message,
    verdict: einvoices.Verdict | None = None,
    policy: str = "reject",
    screened: str | None = None,
) -> dict[str, object]:
    result: dict[str, object] = {
        "reference": message.envelope.message_reference,
        "type": message.message_type,
        "ok": False,
        "error": None,
        "links": [],
    }
    if verdict is not None:
        result.update(verdict.result())
    if message.error is not None or message.document is None:
        result["error"] = _describe(message.error) if message.error else "no document"
        return result
    if verdict is not None and verdict.broken and policy == "reject":
        result["error"] = verdict.refusal()
        result["code"] = einvoices.ERROR_CODE
        return result
    if screened is not None:
        result["error"] = screened
        result["code"] = "refused"
        return result
    try:
        with uow.session.begin_nested():
            if isinstance(message.document, doc.Acknowledgement):
                links = outbound.apply_acknowledgement(uow, rec.organization_id, message.document)
            else:
                links = apply_document(uow, principal, message.document, record_id=rec.id)
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
    uow: UnitOfWork,
    profile: ExchangeProfile,
    rec: ExchangeRecord,
    decoded: edi.Decoded,
    refused: tuple[doc.Message, einvoices.Verdict] | None = None,
) -> None:
    if any(isinstance(m.document, doc.Acknowledgement) for m in decoded.messages):
        return  # acknowledgements are not acknowledged
    fmt = None
    if refused is not None:  # an e-invoice that breaks its rules: say which, in a format the partner reads
        ack, fmt = einvoices.acknowledgement(decoded, *refused, profile.format)
    else:
        found = edi.acknowledgement(decoded)
        if found is None:
            return
        ack = found
    ack_rec = outbound.queue_acknowledgement(uow, profile, ack, decoded, acknowledges=rec, fmt=fmt)
    if ack_rec is not None:
        rec.ack_record_id = ack_rec.id


CHANGE_TYPES = frozenset({"ORDCHG", "860", "OrderChange", "ORDERCHANGE"})
# Refused with an application acknowledgement besides the syntax one: a buyer's order change and a
# receiving advice (a receipt the partner may not record, an order or ship notice it does not have).
APPLICATION_REFUSED = CHANGE_TYPES | {"RECADV", "861"}


def _refuse_order_changes(
    uow: UnitOfWork,
    profile: ExchangeProfile,
    rec: ExchangeRecord,
    decoded: edi.Decoded,
    results: list[dict[str, Any]],
) -> None:
    """A buyer's order change or a receiving advice that was read but refused (an order the partner
    does not have, a shipped line, a ship notice the order does not have): besides the syntax
    acknowledgement, which only says the file could be read, an application acknowledgement with the
    reason (APERAK, 824, ApplicationResponse), so that the partner's system learns its change or
    receipt did not hold."""
    refused = [r for r in results if r["type"] in APPLICATION_REFUSED and not r["ok"] and r.get("code")]
    if not refused or decoded.format == "opentrans":
        # openTRANS has no acknowledgement document: the refusal stays in the ledger, where the
        # partner sees it with its reason (as for any openTRANS file that failed)
        return
    ack = doc.Acknowledgement(
        interchange_reference=rec.interchange_ref or "unknown",
        status=doc.AckStatus.REJECTED,
        kind="application",
        document_reference=rec.interchange_ref,
        errors=tuple(doc.AckError(code="BV", text=str(r["error"])) for r in refused),
        issue_date=utcnow().date(),
    )
    fmt = decoded.format if decoded.format in ("edifact", "x12") else "ubl"
    outbound.queue_acknowledgement(uow, profile, ack, decoded, acknowledges=rec, fmt=fmt)


__all__ = [
    "Claim",
    "PollReport",
    "Screen",
    "claim_next",
    "discard",
    "poll",
    "process_pending",
    "process_record",
    "refuse_oversized",
    "reprocess",
    "store",
    "stored_before",
]
