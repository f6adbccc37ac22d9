"""Outbound files from the outbox: events -> encode in the partner's format -> record (queued) ->
upload under a temporary name and rename -> sent -> acknowledged when the partner's CONTRL/997 comes.

Exactly once: each event becomes at most one record per partner (``source_key`` is unique); the
upload is idempotent (the same bytes under the same name, renamed over any earlier copy), so a
worker killed between upload and "sent" just uploads again.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
import edi.x12
from adapters import AdapterError, Transport
from edi.errors import EdiError
from portal.db import UnitOfWork, unit_of_work
from portal.errors import NotFound
from portal.exchange import contents, failures
from portal.exchange.faults import checkpoint
from portal.exchange.mapping import (
    DECISIONS,
    Link,
    invoice_response,
    order_change,
    order_for_outbound,
    purchase_order,
    receiving_advice,
    remittance_advice,
    reversed_cancellations,
    review_decision,
)
from portal.exchange.profiles import owner_principal
from portal.models import (
    Direction,
    Event,
    ExchangeLink,
    ExchangeProfile,
    ExchangeRecord,
    Order,
    Organization,
    OrgKind,
    RecordState,
)
from portal.models.base import utcnow
from portal.numbering import locked_counter, next_value
from portal.orders.changes import list_versions

log = logging.getLogger("portal.exchange")
CURSOR = "exchange.outbound.last_event"
EXTENSIONS = {"edifact": "edi", "x12": "x12", "opentrans": "xml", "ubl": "xml", "cii": "xml"}
SENDING_TIMEOUT = timedelta(minutes=5)
ORDER_MESSAGE_TYPES = {"edifact": "ORDERS", "x12": "850", "opentrans": "ORDER", "ubl": "Order"}
# The buyer's change of an order sent before (issue #17): every outbound format has one.
CHANGE_MESSAGE_TYPES = {"edifact": "ORDCHG", "x12": "860", "opentrans": "ORDERCHANGE", "ubl": "OrderChange"}
CHANGED = "order.changed"
# The buyer's review of the supplier's changes goes back as an order change too (issue #17): the
# lines as now agreed, the note saying which change was accepted and which rejected, and why.
REVIEWED = "order.change_reviewed"
# The outbox events that become files for the supplier an order is routed to.
OUTBOUND_EVENTS = {
    "order.routed": doc.OrderPurpose.ORIGINAL,
    "order.cancelled": doc.OrderPurpose.CANCELLATION,
    CHANGED: doc.OrderPurpose.ORIGINAL,  # written as an OrderChange, see _queue_order
    REVIEWED: doc.OrderPurpose.ORIGINAL,  # likewise
}
SETTLE = timedelta(minutes=2)  # no unit of work stays open longer than this
# A recorded payment becomes a remittance advice where the partner's format has one (issue #17.4);
# UBL, CII and openTRANS have none, so their partners get no file for it.
REMITTANCE_EVENT = "invoice.paid"
REMITTANCE_TYPES = {"edifact": "REMADV", "x12": "820"}
# A goods receipt becomes a receiving advice for the order's supplier where its format has one
# (issue #17.3); UBL, CII and openTRANS have none.
RECEIPT_EVENT = "goods_receipt.recorded"
RECEIPT_TYPES = {"edifact": "RECADV", "x12": "861"}
# The buyer's decisions on an invoice go back where the supplier's format has a message for them
# (issue #17.4): UBL a Peppol Invoice Response for each (approved AP, disputed UQ, rejected RE,
# fully paid PD); EDIFACT a COMDIS and X12 an 824 for a dispute or a rejection only (an approval
# needs no answer there: the REMADV / 820 tells of the payment). CII and openTRANS have none.
DECISION_EVENTS = frozenset(DECISIONS) - {REMITTANCE_EVENT}
RESPONSE_TYPES = {"ubl": "InvoiceResponse", "edifact": "COMDIS", "x12": "824"}
RESPONDED = {
    "ubl": frozenset(DECISIONS),
    "edifact": frozenset({"invoice.disputed", "invoice.rejected"}),
    "x12": frozenset({"invoice.disputed", "invoice.rejected"}),
}


def _envelope(session: Session, profile: ExchangeProfile) -> doc.Envelope:
    control = next_value(session, f"exchange.icr.{profile.organization_id}")
    return doc.Envelope(
        sender=profile.our_id,
        sender_qualifier=profile.our_qualifier,
        recipient=profile.partner_id,
        recipient_qualifier=profile.partner_qualifier,
        control_reference=f"{control:09d}" if profile.format == "x12" else str(control),
        message_reference="1",
        prepared_at=utcnow(),
    )


def _queue_document(
    session: Session,
    profile: ExchangeProfile,
    document: doc.Document,
    *,
    message_type: str,
    name: str,
    source_key: str,
    links: tuple[tuple[str, int], ...],
    ack_hours: int | None,
) -> ExchangeRecord:
    """``document`` encoded for the profile's partner, kept as a queued outbound record named
    ``<name>_<interchange reference>``, linked to ``links`` ((entity, id)); a value the format cannot
    carry makes a failed record with the reason instead, visible in the ledger."""
    envelope = _envelope(session, profile)
    state, error = RecordState.QUEUED, None
    try:
        data = edi.encode(document, format=profile.format, envelope=envelope, version=profile.version)
    except EdiError as exc:
        data, state, error = b"", RecordState.FAILED, f"cannot be sent as {profile.format}: {exc}"
    rec = _new_record(
        session,
        profile,
        data=data,
        filename=f"{name}_{envelope.control_reference}.{EXTENSIONS[profile.format]}",
        fmt=profile.format,
        message_type=message_type,
        reference=envelope.control_reference,
        source_key=source_key,
        ack_hours=ack_hours,
    )
    rec.state, rec.error = state, error
    for entity, ident in links:
        session.add(ExchangeLink(record_id=rec.id, entity=entity, entity_id=ident))
    return rec


def _new_record(
    session: Session,
    profile: ExchangeProfile,
    *,
    data: bytes,
    filename: str,
    fmt: str,
    message_type: str,
    reference: str,
    source_key: str | None,
    ack_hours: int | None,
) -> ExchangeRecord:
    rec = ExchangeRecord(
        organization_id=profile.organization_id,
        direction=Direction.OUTBOUND,
        state=RecordState.QUEUED,
        filename=filename,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        message_type=message_type,
        interchange_ref=reference,
        source_key=source_key,
        ack_due_at=utcnow() + timedelta(hours=ack_hours) if ack_hours else None,
        messages=[],
    )
    session.add(rec)
    session.flush()
    contents.save(session, rec.id, data)
    return rec


def queue_from_events(factory: sessionmaker[Session], *, batch: int = 500) -> int:
    """Turn new outbox events into queued files for partners that exchange files. Returns the count.

    Reads only what can become a file: `OUTBOUND_EVENTS` for a supplier with an enabled profile,
    from when that profile existed (through the ``(kind, id)`` index), batch after batch until
    none is left, so a new order leaves in this pass whatever the backlog. A fresh cursor starts
    after every event older than the oldest profile (a seeded database's history)."""
    queued = 0
    after = 0
    while True:
        count, last = _queue_batch(factory, batch, after)
        queued += count
        if last is None:
            break
        after = last  # young events stay before the cursor, but this pass goes on after them
    checkpoint("queued")
    return queued


def _queue_batch(factory: sessionmaker[Session], batch: int, after: int) -> tuple[int, int | None]:
    """Queue up to ``batch`` events after the cursor and ``after``; return the count and, when the
    batch was full, the last id read."""
    queued = 0
    with unit_of_work(factory) as uow:
        session = uow.session
        cursor = locked_counter(session, CURSOR)  # one worker at a time reads the feed
        profiles = {
            p.organization_id: p
            for p in session.scalars(select(ExchangeProfile).where(ExchangeProfile.enabled.is_(True)))
        }
        # Ids are handed out at insert, not at commit: a transaction still open may yet commit an event
        # with a smaller id. So the cursor only passes events old enough to be surely committed; younger
        # ones are read again next time and skipped by their unique source_key.
        settled = session.scalar(
            select(func.max(Event.id)).where(Event.id > cursor.value, Event.occurred_at < utcnow() - SETTLE)
        )
        if not profiles:
            cursor.value = max(cursor.value, settled or 0)
            return 0, None
        since = min(p.created_at for p in profiles.values())
        if cursor.value == 0:  # never read: skip the history no profile can want
            history = session.scalar(select(func.max(Event.id)).where(Event.occurred_at < since - SETTLE))
            cursor.value = max(cursor.value, history or 0)
        events = list(
            session.scalars(
                select(Event)
                .where(
                    Event.kind.in_((*OUTBOUND_EVENTS, REMITTANCE_EVENT, RECEIPT_EVENT, *DECISION_EVENTS)),
                    Event.id > max(cursor.value, after),
                    Event.occurred_at >= since,
                    Event.payload["supplier_id"].as_integer().in_(list(profiles)),
                )
                .order_by(Event.id)
                .limit(batch)
            )
        )
        for event in events:
            supplier_id = event.payload.get("supplier_id")
            profile = profiles.get(supplier_id) if isinstance(supplier_id, int) else None
            if profile is None or event.occurred_at < profile.created_at:
                continue  # no exchange with this partner, or not yet when the event happened
            try:
                with session.begin_nested():
                    if event.kind in DECISION_EVENTS or (
                        event.kind == REMITTANCE_EVENT and profile.format not in REMITTANCE_TYPES
                    ):
                        done = _queue_invoice_response(uow, profile, event)
                    elif event.kind == REMITTANCE_EVENT:
                        done = _queue_remittance(uow, profile, event)
                    elif event.kind == RECEIPT_EVENT:
                        done = _queue_receipt(uow, profile, event)
                    else:
                        done = _queue_order(uow, profile, event, OUTBOUND_EVENTS[event.kind])
            except Exception as exc:  # one event that cannot become a file must not stop the feed
                log.exception("outbound event %s for profile %s failed", event.id, profile.id)
                _failed(uow, profile, event, exc)
                continue
            if done is not None:
                queued += 1
        advance = settled if settled is not None else cursor.value
        last = events[-1].id if len(events) == batch else None
        if last is not None:
            advance = min(advance, last)
        cursor.value = max(cursor.value, advance)
    return queued, last


def _failed(uow: UnitOfWork, profile: ExchangeProfile, event: Event, exc: Exception) -> None:
    """Record an event that could not become a file as a failed outbound file (never retried: its
    ``source_key`` is taken), so the ledger shows it and someone tells the partner another way."""
    reason = f"the {event.kind} event {event.id} could not be turned into a file: {failures.detail(exc)}"
    rec = _new_record(
        uow.session,
        profile,
        data=b"",
        filename=f"event_{event.id}.{EXTENSIONS[profile.format]}",
        fmt=profile.format,
        message_type=ORDER_MESSAGE_TYPES[profile.format],
        reference="",
        source_key=f"event:{event.id}:{profile.organization_id}",
        ack_hours=None,
    )
    rec.state, rec.error = RecordState.FAILED, failures.clean(reason)
    if event.entity == "order":
        uow.session.add(ExchangeLink(record_id=rec.id, entity="order", entity_id=event.entity_id))


def _was_sent(session: Session, profile: ExchangeProfile, order_id: int) -> bool:
    """Whether the partner ever got this order as a file (only then does it get the cancellation)."""
    sent = (
        select(ExchangeRecord.id)
        .join(ExchangeLink, ExchangeLink.record_id == ExchangeRecord.id)
        .where(
            ExchangeRecord.organization_id == profile.organization_id,
            ExchangeRecord.direction == Direction.OUTBOUND,
            ExchangeRecord.message_type.in_(tuple(ORDER_MESSAGE_TYPES.values())),
            ExchangeLink.entity == "order",
            ExchangeLink.entity_id == order_id,
        )
        .limit(1)
    )
    return session.scalar(sent) is not None


def _queue_order(
    uow: UnitOfWork, profile: ExchangeProfile, event: Event, purpose: doc.OrderPurpose
) -> ExchangeRecord | None:
    session = uow.session
    source_key = f"event:{event.id}:{profile.organization_id}"
    if session.scalar(select(ExchangeRecord.id).where(ExchangeRecord.source_key == source_key)):
        return None
    owner = owner_principal(session)
    try:
        order, products = order_for_outbound(uow, owner, event.entity_id)
    except NotFound:
        return None
    if order.supplier_id != profile.organization_id:
        return None  # routed elsewhere since
    cancelling = purpose is doc.OrderPurpose.CANCELLATION
    reviewing = event.kind == REVIEWED
    changing = event.kind == CHANGED or reviewing
    if (cancelling or changing) and not _was_sent(session, profile, order.id):
        return None  # the partner never got the order: nothing to change or cancel at its end
    owner_org = session.scalars(select(Organization).where(Organization.kind == OrgKind.OWNER)).first()
    supplier = session.get_one(Organization, profile.organization_id)
    assert owner_org is not None
    document: doc.Document
    if reviewing:
        decided = event.payload.get("lines")
        if not isinstance(decided, list) or not decided:
            return None
        document = review_decision(
            order,
            decided,
            owner_org,
            supplier,
            products,
            f"{order.number}-R{event.id}",
            event.occurred_at.date(),
        )
    elif changing:
        number = event.payload.get("version")
        version = next((v for v in list_versions(uow, owner, order.id) if v.number == number), None)
        if version is None:
            return None
        document = order_change(order, version, owner_org, supplier, products)
    else:
        document = replace(purchase_order(order, owner_org, supplier, products), purpose=purpose)
        message_type = ORDER_MESSAGE_TYPES[profile.format]
    if changing:
        message_type = CHANGE_MESSAGE_TYPES[profile.format]
        if profile.format == "opentrans" and isinstance(document, doc.OrderChange):
            document = _as_opentrans_change(session, profile, order, document)
    kind = "cancel" if cancelling else "review" if reviewing else "change" if changing else message_type
    # e.g. a cancellation in a format that cannot carry one: a failed record, visible in the ledger
    return _queue_document(
        session,
        profile,
        document,
        message_type=message_type,
        name=f"{kind}_{order.number}",
        source_key=source_key,
        links=(("order", order.id),),
        ack_hours=profile.ack_hours if profile.format in ("edifact", "x12") else None,
    )


def _as_opentrans_change(
    session: Session, profile: ExchangeProfile, order: Order, change: doc.OrderChange
) -> doc.OrderChange:
    """openTRANS numbers every ORDERCHANGE sent for an order (ORDERCHANGE_SEQUENCE_ID, from 1), the
    buyer's changes and its reviews alike, and cancels a line by reversing its quantity."""
    sent = session.scalar(
        select(func.count(ExchangeRecord.id))
        .join(ExchangeLink, ExchangeLink.record_id == ExchangeRecord.id)
        .where(
            ExchangeRecord.organization_id == profile.organization_id,
            ExchangeRecord.direction == Direction.OUTBOUND,
            ExchangeRecord.message_type == CHANGE_MESSAGE_TYPES["opentrans"],
            ExchangeRecord.state != RecordState.FAILED,
            ExchangeLink.entity == "order",
            ExchangeLink.entity_id == order.id,
        )
    )
    return replace(reversed_cancellations(change, order), sequence=str((sent or 0) + 1))


def _queue_remittance(uow: UnitOfWork, profile: ExchangeProfile, event: Event) -> ExchangeRecord | None:
    """The remittance advice of one recorded payment, in the partner's format where it has one."""
    session = uow.session
    message_type = REMITTANCE_TYPES.get(profile.format)
    source_key = f"event:{event.id}:{profile.organization_id}"
    if message_type is None or session.scalar(
        select(ExchangeRecord.id).where(ExchangeRecord.source_key == source_key)
    ):
        return None
    payment_id = event.payload.get("payment_id")
    if not isinstance(payment_id, int):
        return None
    owner = owner_principal(session)
    try:
        document, invoice_id, number = remittance_advice(uow, owner, payment_id)
    except NotFound:
        return None
    return _queue_document(
        session,
        profile,
        document,
        message_type=message_type,
        name=f"{message_type}_{number}",
        source_key=source_key,
        links=(("invoice", invoice_id),),
        ack_hours=profile.ack_hours,
    )


def _queue_receipt(uow: UnitOfWork, profile: ExchangeProfile, event: Event) -> ExchangeRecord | None:
    """The receiving advice of one goods receipt, in the supplier's format where it has one."""
    session = uow.session
    message_type = RECEIPT_TYPES.get(profile.format)
    source_key = f"event:{event.id}:{profile.organization_id}"
    if message_type is None or session.scalar(
        select(ExchangeRecord.id).where(ExchangeRecord.source_key == source_key)
    ):
        return None
    owner = owner_principal(session)
    try:
        document, order_id, number = receiving_advice(uow, owner, event.entity_id)
    except NotFound:
        return None
    return _queue_document(
        session,
        profile,
        document,
        message_type=message_type,
        name=f"{message_type}_{number}",
        source_key=source_key,
        links=(("order", order_id), ("goods_receipt", event.entity_id)),
        ack_hours=profile.ack_hours,
    )


def _latin1(text: str) -> str:
    """Free text as EDIFACT's UNOC (Latin-1) carries it: the euro sign spelt out, other characters
    outside Latin-1 as '?', so a reviewer's typed reason never keeps the message from leaving."""
    return text.replace("€", "EUR").encode("latin-1", "replace").decode("latin-1")


def _queue_invoice_response(uow: UnitOfWork, profile: ExchangeProfile, event: Event) -> ExchangeRecord | None:
    """The buyer's decision on one invoice, in the supplier's format where it has a message for it."""
    session = uow.session
    message_type = RESPONSE_TYPES.get(profile.format)
    source_key = f"event:{event.id}:{profile.organization_id}"
    if (
        message_type is None
        or event.kind not in RESPONDED[profile.format]
        or (event.kind == REMITTANCE_EVENT and not event.payload.get("fully_paid"))
        or session.scalar(select(ExchangeRecord.id).where(ExchangeRecord.source_key == source_key))
    ):
        return None
    message_id = event.payload.get("message_id")
    owner = owner_principal(session)
    try:
        document, invoice = invoice_response(
            uow,
            owner,
            event.entity_id,
            event.kind,
            message_id if isinstance(message_id, int) else None,
            f"IR-{event.id}",
        )
    except NotFound:
        return None
    if invoice.supplier_id != profile.organization_id:
        return None  # never another supplier's invoice
    if profile.format == "edifact" and document.reason:
        document = replace(document, reason=_latin1(document.reason))
    return _queue_document(
        session,
        profile,
        document,
        message_type=message_type,
        name=f"{message_type}_{invoice.number}",
        source_key=source_key,
        links=(("invoice", invoice.id),),
        ack_hours=profile.ack_hours if profile.format in ("edifact", "x12") else None,
    )


def queue_acknowledgement(
    uow: UnitOfWork,
    profile: ExchangeProfile,
    ack: doc.Acknowledgement,
    decoded: edi.Decoded,
    *,
    acknowledges: ExchangeRecord,
    fmt: str | None = None,
) -> ExchangeRecord | None:
    """Queue the acknowledgement of an inbound file: in the file's own syntax (CONTRL, 997,
    ApplicationResponse), or with ``fmt`` an application acknowledgement in that format (APERAK for
    "edifact", 824 for "x12", ApplicationResponse for "ubl")."""
    envelope = _envelope(uow.session, profile)
    if fmt is None:
        data = edi.encode_acknowledgement(decoded, ack, envelope)
        fmt = decoded.format
        kind = {"edifact": "CONTRL", "x12": "997"}.get(fmt, "ApplicationResponse")
    elif fmt == "x12":
        data, kind = edi.x12.encode(ack, envelope, ack_type="824"), "824"
    else:
        data = edi.encode(ack, format=fmt, envelope=envelope)
        kind = "APERAK" if fmt == "edifact" else "ApplicationResponse"
    if data is None:
        return None
    rec = _new_record(
        uow.session,
        profile,
        data=data,
        filename=f"{kind}_{envelope.control_reference}.{EXTENSIONS.get(fmt, 'xml')}",
        fmt=fmt,
        message_type=kind,
        reference=envelope.control_reference,
        source_key=None,
        ack_hours=None,
    )
    rec.acknowledges_id = acknowledges.id
    return rec


def apply_acknowledgement(uow: UnitOfWork, organization_id: int, ack: doc.Acknowledgement) -> list[Link]:
    """A partner's CONTRL/997 for one of our files: mark that file acknowledged or rejected."""
    # A 997 names the functional group (GS06), not the interchange; ours are numbered alike.
    reference = (ack.interchange_reference or ack.group_reference or "").strip()
    unpadded = reference.lstrip("0") or "0"
    sent = uow.session.scalars(
        select(ExchangeRecord)
        .where(
            ExchangeRecord.organization_id == organization_id,
            ExchangeRecord.direction == Direction.OUTBOUND,
            ExchangeRecord.acknowledges_id.is_(None),
            ExchangeRecord.interchange_ref.in_({reference, unpadded, unpadded.zfill(9)}),
        )
        .order_by(ExchangeRecord.id.desc())
    ).first()
    if sent is not None:
        rejected = ack.status is doc.AckStatus.REJECTED
        sent.state = RecordState.REJECTED if rejected else RecordState.ACKNOWLEDGED
        sent.error = ("; ".join(e.text or e.code for e in ack.errors) or "rejected") if rejected else None
        return [("exchange_record", sent.id)]
    raise NotFound("exchange record", f"interchange {ack.interchange_reference}")


def send_queued(factory: sessionmaker[Session], profile: ExchangeProfile, transport: Transport) -> int:
    """Upload the profile's queued files. Claims in one transaction, uploads outside any, marks sent
    in another: a crash between upload and mark re-uploads the same bytes under the same name."""
    sent = 0
    while True:
        with unit_of_work(factory) as uow:
            stale = utcnow() - SENDING_TIMEOUT
            rec = uow.session.scalars(
                select(ExchangeRecord)
                .where(
                    ExchangeRecord.organization_id == profile.organization_id,
                    ExchangeRecord.direction == Direction.OUTBOUND,
                    or_(
                        ExchangeRecord.state == RecordState.QUEUED,
                        (ExchangeRecord.state == RecordState.SENDING) & (ExchangeRecord.claimed_at < stale),
                    ),
                )
                .order_by(ExchangeRecord.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if rec is None:
                return sent
            rec.state = RecordState.SENDING
            rec.claimed_at = utcnow()
            rec.attempts += 1
            record_id, filename, data = rec.id, rec.filename, contents.read_all(uow.session, rec.id)
        try:
            transport.put(profile.outbox, filename, data)
        except AdapterError as exc:
            with unit_of_work(factory) as uow:  # back in the queue, with the reason, for the next run
                failed = uow.session.get_one(ExchangeRecord, record_id)
                failed.state = RecordState.QUEUED
                failed.error = f"upload failed: {exc}"
            raise
        checkpoint("uploaded")
        with unit_of_work(factory) as uow:
            done = uow.session.get_one(ExchangeRecord, record_id)
            if done.state is RecordState.SENDING:
                done.state = RecordState.SENT
                done.error = None
        sent += 1
