"""A simulated supplier ERP on the far side of an exchange profile (`portal exchange simulate`).

It does what a supplier's system does with the files the portal sends, and nothing more: it reads
the profile's outbox (the partner's inbox) through the profile's own transport (a folder or SFTP,
`adapters`), answers every order there with an order response, a ship notice and an invoice in the
profile's format (`edi.encode`), and writes them to the profile's inbox (the partner's outbox),
where the portal's worker picks them up like any partner's files. It never touches the database
beyond reading the profile once (where the files are, which format, which interchange ids).

Behaviour, deterministic for a ``seed`` and an order number:

- each file read is first moved to ``partner-archive`` beside the folder it was in (that claim is
  the rename: two simulators never answer one file twice) and then read from there;
- an order (ORDERS / 850 / openTRANS ORDER / UBL Order) is acknowledged at once (CONTRL, 997; UBL
  and openTRANS have no acknowledgement the portal could match), then answered ``delay`` seconds
  later: most lines accepted with a promised date, some changed (fewer pieces, a later date), a few
  rejected (``change_rate``, ``reject_rate``; never every line unless ``reject_rate`` is 1);
  another ``delay`` later the confirmed quantities are shipped (one ship notice with an SSCC),
  and another ``delay`` later invoiced (19 % VAT);
- a cancellation of an order drops what is still to be sent for it;
- the portal's acknowledgements of our files are read and logged (a rejection as a warning).

What is still to be sent survives a restart: it is kept, already encoded, in a JSON state file
(``var/simulator/<slug>.json`` by default), which a lock file keeps to one simulator per profile.
Interchange control numbers continue from that file; without it they start from the clock, so a
lost state file does not make the portal take new files for duplicates of old ones.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import logging
import os
import posixpath
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import edi
import edi.documents as doc
from adapters import AdapterError, RemoteFileNotFound, Transport
from edi.errors import EdiError
from portal.exchange.partner_answers import (
    ANSWERS,
    STEPS,
    Behaviour,
    decide,
    despatch_advice,
    invoice,
    order_response,
)

__all__ = [
    "KEEP_FOLDER",
    "STEPS",
    "Behaviour",
    "PartnerSide",
    "PartnerSimulator",
    "PassReport",
    "SimulatorBusy",
    "decide",
    "default_state_file",
    "in_background",
    "partner_side",
]

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from portal.access import Principal

log = logging.getLogger("portal.exchange.simulator")

KEEP_FOLDER = "partner-archive"
EXTENSIONS = {"edifact": "edi", "x12": "x12", "opentrans": "xml", "ubl": "xml"}
TYPES = {
    "edifact": {"ordrsp": "ORDRSP", "desadv": "DESADV", "invoic": "INVOIC", "ack": "CONTRL"},
    "x12": {"ordrsp": "855", "desadv": "856", "invoic": "810", "ack": "997"},
    "opentrans": {"ordrsp": "ORDERRESPONSE", "desadv": "DISPATCHNOTIFICATION", "invoic": "INVOICE"},
    "ubl": {"ordrsp": "OrderResponse", "desadv": "DespatchAdvice", "invoic": "Invoice"},
}
# Control numbers start from the clock when there is no state file (see the module docstring):
# seconds since this moment fit X12's nine digits until the 2050s.
_CONTROL_EPOCH = 1_700_000_000


class SimulatorBusy(RuntimeError):
    """Another simulator holds the state file of this profile."""


@dataclass(frozen=True, slots=True)
class PartnerSide:
    """An exchange profile as the partner sees it: it reads our outbox and writes our inbox, sends
    as ``partner_id`` to ``our_id``."""

    slug: str
    format: str
    partner_id: str
    our_id: str
    reads: str
    writes: str
    open_transport: Callable[[], Transport]
    keeps: str = KEEP_FOLDER  # where the partner moves what it has read
    version: str | None = None
    partner_qualifier: str | None = None
    our_qualifier: str | None = None


@dataclass
class PassReport:
    """What one pass did."""

    read: int = 0
    orders: int = 0
    cancellations: int = 0
    acknowledgements: int = 0
    rejected_by_portal: int = 0
    unreadable: int = 0
    sent: int = 0
    completed: int = 0  # orders whose last answer was sent in this pass
    pending: int = 0
    sent_names: list[str] = field(default_factory=list)


class _State:
    """The JSON state file: the next control number and the encoded files still to be sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.control = 0
        self.pending: list[dict[str, Any]] = []
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.control = int(data.get("control", 0))
            self.pending = list(data.get("pending", []))
        self.control = max(self.control, int(time.time()) - _CONTROL_EPOCH)

    def next_control(self) -> int:
        self.control += 1
        return self.control

    def save(self) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(
            json.dumps({"control": self.control, "pending": self.pending}, indent=1), encoding="utf-8"
        )
        os.replace(temporary, self.path)


class PartnerSimulator:
    """One simulated supplier. Use as a context manager (it locks and releases the state file);
    `run_pass` does one pass with a transport the caller opened, `run` loops until stopped."""

    def __init__(
        self,
        side: PartnerSide,
        state_file: Path,
        behaviour: Behaviour | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.side = side
        self.behaviour = behaviour or Behaviour()
        self.clock = clock
        self.state_file = state_file
        self._lock: TextIO | None = None
        self._state: _State | None = None

    def __enter__(self) -> PartnerSimulator:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        lock = self.state_file.with_name(f"{self.state_file.name}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise SimulatorBusy(
                f"another simulator answers for {self.side.slug} already (it locks {self.state_file}); "
                "`portal demo` runs one for nordtec unless started with --no-simulate-partner"
            ) from None
        self._lock = lock
        self._state = _State(self.state_file)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.close()  # closing releases the lock
            self._lock = None

    @property
    def state(self) -> _State:
        if self._state is None:
            raise RuntimeError("use the simulator as a context manager")
        return self._state

    def run_pass(self, transport: Transport) -> PassReport:
        """Read every file the portal left for the partner, then send what is due."""
        report = PassReport()
        for entry in transport.list_ready(self.side.reads, min_age_seconds=0, settle_seconds=0):
            try:  # the move is the claim: a file another simulator took first is gone
                kept = transport.archive(self.side.reads, entry.name, self.side.keeps)
            except RemoteFileNotFound:
                continue
            fetched = transport.fetch(self.side.keeps, kept)
            report.read += 1
            self._read(entry.name, fetched.data, report)
            self.state.save()
        self._send_due(transport, report)
        report.pending = len(self.state.pending)
        return report

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        poll: float = 1.0,
        once: bool = False,
        orders: int | None = None,
    ) -> PassReport:
        """Pass after pass every ``poll`` seconds until ``stop`` is set, after one pass (``once``), or
        once ``orders`` orders were answered completely. Transport trouble is logged and retried."""
        stop = stop or threading.Event()
        total = PassReport()
        transport: Transport | None = None
        try:
            while not stop.is_set():
                try:
                    if transport is None:
                        transport = self.side.open_transport()
                    report = self.run_pass(transport)
                except AdapterError as exc:
                    log.warning("%s: %s (trying again)", self.side.slug, exc)
                    if transport is not None:
                        transport.close()
                        transport = None
                    if once:
                        raise
                    stop.wait(max(poll, 5.0))
                    continue
                _add(total, report)
                if once or (orders is not None and total.completed >= orders):
                    break
                stop.wait(0 if report.sent_names and orders else poll)
        finally:
            if transport is not None:
                transport.close()
        return total

    # reading

    def _read(self, name: str, data: bytes, report: PassReport) -> None:
        decoded = edi.decode_all(data)
        if decoded.error is not None or not decoded.messages:
            report.unreadable += 1
            log.warning("%s: cannot read %s: %s", self.side.slug, name, decoded.error or "no message")
            return
        if (
            "ack" in self.behaviour.steps
            and decoded.format in ("edifact", "x12")
            # orders, the buyer's changes of them, remittance advice and invoice disputes (the portal
            # waits for their acknowledgement)
            and any(
                isinstance(
                    m.document,
                    doc.PurchaseOrder | doc.OrderChange | doc.RemittanceAdvice | doc.InvoiceResponse,
                )
                for m in decoded.messages
            )
        ):
            self._acknowledge(decoded)
        for message in decoded.messages:
            document = message.document
            if isinstance(document, doc.Acknowledgement):
                report.acknowledgements += 1
                if document.status is doc.AckStatus.REJECTED:
                    report.rejected_by_portal += 1
                    reasons = "; ".join(e.text or e.code for e in document.errors) or "no reason given"
                    log.warning(
                        "%s: the portal rejected our interchange %s: %s",
                        self.side.slug,
                        document.interchange_reference,
                        reasons,
                    )
            elif isinstance(document, doc.PurchaseOrder):
                if document.purpose is doc.OrderPurpose.CANCELLATION:
                    report.cancellations += 1
                    self._cancel(document.number)
                else:
                    report.orders += 1
                    if not self._plan(document):
                        report.completed += 1  # nothing to send for it: answered as far as asked
            elif message.error is not None:
                report.unreadable += 1
                log.warning("%s: %s in %s: %s", self.side.slug, message.message_type, name, message.error)

    def _acknowledge(self, decoded: edi.Decoded) -> None:
        """A CONTRL / 997 at once, as an ERP's EDI converter sends it (the portal waits for it)."""
        ack = edi.acknowledgement(decoded)
        if ack is not None:
            control = self.state.next_control()
            data = edi.encode_acknowledgement(decoded, ack, self._envelope(control))
            if data is not None:
                self._queue("ack", "", control, data, self.clock())

    def _plan(self, po: doc.PurchaseOrder) -> bool:
        """Queue the answers to ``po``; whether there is any."""
        behaviour = self.behaviour
        now = self.clock()
        today = datetime.fromtimestamp(now, UTC).date()
        answers = decide(po, behaviour, today)
        rng = random.Random(f"{behaviour.seed}:{po.number}:shipping")  # noqa: S311
        shipping = any(a.quantity > 0 for a in answers)
        documents: dict[str, doc.Document] = {"ordrsp": order_response(po, answers, today)}
        if shipping:
            documents["desadv"] = despatch_advice(po, answers, today, rng)
            documents["invoic"] = invoice(po, answers, today)
        wanted = [step for step in ANSWERS if step in behaviour.steps and step in documents]
        encoded = []
        for step in wanted:
            control = self.state.next_control()
            envelope = self._envelope(control)
            try:
                data = edi.encode(
                    documents[step], format=self.side.format, envelope=envelope, version=self.side.version
                )
            except EdiError as exc:  # nothing is sent for this order rather than half of it
                log.warning("%s: cannot write the %s for %s: %s", self.side.slug, step, po.number, exc)
                return False
            encoded.append((step, control, data))
        for n, (step, control, data) in enumerate(encoded, start=1):
            self._queue(step, po.number, control, data, now + n * behaviour.delay, last=n == len(encoded))
        counts = {s: sum(1 for a in answers if a.status is s) for s in doc.LineStatus}
        log.info(
            "%s: order %s received; answering in %g s: %d accepted, %d changed, %d rejected",
            self.side.slug,
            po.number,
            behaviour.delay,
            counts[doc.LineStatus.ACCEPTED],
            counts[doc.LineStatus.CHANGED],
            counts[doc.LineStatus.REJECTED],
        )
        return bool(encoded)

    def _cancel(self, number: str) -> None:
        before = len(self.state.pending)
        self.state.pending = [p for p in self.state.pending if p["order"] != number]
        dropped = before - len(self.state.pending)
        log.info("%s: order %s cancelled; %d answer(s) not sent", self.side.slug, number, dropped)

    def _envelope(self, control: int) -> doc.Envelope:
        side = self.side
        return doc.Envelope(
            sender=side.partner_id,
            sender_qualifier=side.partner_qualifier,
            recipient=side.our_id,
            recipient_qualifier=side.our_qualifier,
            control_reference=f"{control:09d}" if side.format == "x12" else str(control),
            prepared_at=datetime.fromtimestamp(self.clock(), UTC),
        )

    def _queue(
        self, step: str, order: str, control: int, data: bytes, due: float, *, last: bool = False
    ) -> None:
        kind = TYPES[self.side.format].get(step, step.upper())
        # The control number leads the name: files of one order sort in the order they must be
        # applied even where modification times are whole seconds (SFTP).
        name = f"{control:09d}-{kind}{f'-{order}' if order else ''}.{EXTENSIONS[self.side.format]}"
        self.state.pending.append(
            {
                "due": due,
                "order": order,
                "step": step,
                "name": name,
                "last": last,
                "data": base64.b64encode(data).decode("ascii"),
            }
        )

    # sending

    def _send_due(self, transport: Transport, report: PassReport) -> None:
        now = self.clock()
        due = sorted((p for p in self.state.pending if p["due"] <= now), key=lambda p: (p["due"], p["name"]))
        for item in due:
            transport.put(self.side.writes, item["name"], base64.b64decode(item["data"]))
            self.state.pending.remove(item)
            self.state.save()
            report.sent += 1
            report.sent_names.append(item["name"])
            if item.get("last"):
                report.completed += 1
            log.info("%s: sent %s", self.side.slug, item["name"])


def _add(total: PassReport, report: PassReport) -> None:
    for name in (
        "read",
        "orders",
        "cancellations",
        "acknowledgements",
        "rejected_by_portal",
        "unreadable",
        "sent",
        "completed",
    ):
        setattr(total, name, getattr(total, name) + getattr(report, name))
    total.pending = report.pending
    total.sent_names += report.sent_names


# Wiring to the portal's profiles (read once; everything else goes through files).


def partner_side(session: Session, principal: Principal, slug: str) -> PartnerSide:
    """The profile of the organization ``slug``, seen from the partner's side."""
    from functools import partial

    from sqlalchemy import select

    from portal.errors import NotFound
    from portal.exchange.profiles import list_profiles, open_transport
    from portal.models import Organization

    org_id = session.scalar(select(Organization.id).where(Organization.slug == slug))
    profile = next((p for p in list_profiles(session, principal) if p.organization_id == org_id), None)
    if org_id is None or profile is None:
        raise NotFound("exchange profile", slug)
    session.expunge(profile)
    return PartnerSide(
        slug=slug,
        format=profile.format,
        version=profile.version,
        partner_id=profile.partner_id,
        partner_qualifier=profile.partner_qualifier,
        our_id=profile.our_id,
        our_qualifier=profile.our_qualifier,
        reads=profile.outbox,
        writes=profile.inbox,
        keeps=posixpath.join(posixpath.dirname(profile.outbox.rstrip("/")), KEEP_FOLDER),
        open_transport=partial(open_transport, profile),
    )


def default_state_file(data_dir: Path, slug: str) -> Path:
    return data_dir / "simulator" / f"{slug}.json"


@contextlib.contextmanager
def in_background(
    side: PartnerSide, state_file: Path, behaviour: Behaviour, *, poll: float = 1.0
) -> Iterator[threading.Thread]:
    """Run a simulator in a daemon thread for the duration of the block (what `portal demo` does)."""
    stop = threading.Event()
    simulator = PartnerSimulator(side, state_file, behaviour)
    with simulator:

        def loop() -> None:
            try:
                simulator.run(stop=stop, poll=poll)
            except Exception:  # keep the demo serving; the trace says what broke
                log.exception("the partner simulator stopped")

        thread = threading.Thread(target=loop, daemon=True, name=f"simulator-{side.slug}")
        thread.start()
        try:
            yield thread
        finally:
            stop.set()
            thread.join(timeout=10)
