"""One bad file never stops the exchange: whatever processing a file raises fails that file with a
readable reason, releases its claim, and the run goes on with the next file and the outbound side.

Each failure kind is injected where the real one happens (the codec, the acknowledgement, the
database), so these tests keep testing the worker even once the codecs stop raising."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdf.errors
import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker

import edi
from edi.errors import EncodeError
from portal.exchange import inbound
from portal.exchange.worker import run_once
from portal.models import Event, ExchangeRecord, Order, OrderStatus, RecordState
from portal.models.base import utcnow
from portal.orders import service as orders
from tests.exchange.helpers import Partner, order_response, partner_scene

POISON = b"POISON"


def routed_order(partner: Partner) -> Order:
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    with partner.scene.uow() as uow:
        return orders.load_order(uow, partner.scene.p("owner"), order.id)


def record(factory: sessionmaker[Session], filename: str) -> ExchangeRecord:
    with factory() as session:
        return session.scalars(select(ExchangeRecord).where(ExchangeRecord.filename == filename)).one()


def status(partner: Partner, order: Order) -> OrderStatus:
    with partner.scene.uow() as uow:
        return orders.load_order(uow, partner.scene.p("owner"), order.id).status()


def _raise_on_poison(original: Callable[..., object], exc: BaseException) -> Callable[..., object]:
    def patched(source: bytes | edi.Readable, *args: object, **kwargs: object) -> object:
        data = source if isinstance(source, bytes) else source.read()  # the worker streams the file
        if POISON in data:
            raise exc
        return original(data, *args, **kwargs)

    return patched


KINDS: dict[str, tuple[BaseException, str]] = {
    "limit": (pypdf.errors.LimitReachedError("limit reached"), "decoding the file failed: LimitReachedError"),
    "bug": (KeyError("BGM"), "decoding the file failed: KeyError: 'BGM'"),
    "memory": (MemoryError(), "decoding the file failed: MemoryError"),
    "nul": (
        DataError("INSERT ...", {}, ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes")),
        "the database refused the data (PostgreSQL text fields cannot contain NUL (0x00) bytes)",
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_file_whose_decoding_raises_fails_alone(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    exc, expected = KINDS[kind]
    monkeypatch.setattr(edi, "iter_messages", _raise_on_poison(edi.iter_messages, exc))
    partner = partner_scene(factory, tmp_path)
    first, second = routed_order(partner), routed_order(partner)
    partner.drop("a-bad.edi", b"UNA:+.? 'UNB+" + POISON + b"'")  # listed and claimed first
    partner.send("b-good.edi", order_response(first, quantities={1: None}), "501")
    report = run_once(factory)
    bad = record(factory, "a-bad.edi")
    assert bad.state is RecordState.FAILED
    assert expected in (bad.error or "")
    assert "process it again, or discard it" in (bad.error or "")
    assert bad.claimed_at is None
    assert record(factory, "b-good.edi").state is RecordState.APPLIED
    assert status(partner, first) is OrderStatus.CONFIRMED
    assert len(partner.received("ORDERS")) == 2  # the outbound side ran after the bad file
    assert report.processed == 2
    with factory() as session:  # the failure is an event like any other outcome
        failed = session.scalars(select(Event).where(Event.kind == "exchange.failed")).all()
        assert [e.entity_id for e in failed] == [bad.id]
    # The next run does not touch it again; a new file of the partner is applied.
    partner.send("c-good.edi", order_response(second, quantities={1: None}, number="RSP-2"), "502")
    run_once(factory)
    assert record(factory, "a-bad.edi").state is RecordState.FAILED
    assert record(factory, "c-good.edi").state is RecordState.APPLIED


def test_an_acknowledgement_that_cannot_be_written_fails_the_file_not_the_run(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = edi.acknowledgement

    def acknowledgement(decoded: edi.Decoded) -> object:
        if decoded.messages and decoded.messages[0].envelope.control_reference == "666":
            raise EncodeError("the ApplicationResponse has no issue date")
        return original(decoded)

    monkeypatch.setattr(edi, "acknowledgement", acknowledgement)
    partner = partner_scene(factory, tmp_path)
    first, second = routed_order(partner), routed_order(partner)
    partner.send("a-ack-fails.edi", order_response(first, quantities={1: None}), "666")
    partner.send("b-good.edi", order_response(second, quantities={1: None}, number="RSP-2"), "667")
    run_once(factory)
    bad = record(factory, "a-ack-fails.edi")
    assert bad.state is RecordState.FAILED
    assert "writing the acknowledgement failed: EncodeError: the ApplicationResponse has no issue date" in (
        bad.error or ""
    )
    # Nothing of the failed file stays applied (one transaction per file); the other one is.
    assert status(partner, first) is OrderStatus.AWAITING_CONFIRMATION
    assert status(partner, second) is OrderStatus.CONFIRMED
    assert len(partner.received("CONTRL")) == 1


def test_a_nul_byte_in_a_reference_fails_the_file_with_a_storable_reason(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """On PostgreSQL the NUL byte makes the database refuse the file's data (psycopg DataError); on
    SQLite the order is simply not found. Either way the file fails and the reason is storable."""
    partner = partner_scene(factory, tmp_path)
    first = routed_order(partner)
    good = order_response(first, quantities={1: None})
    data = edi.encode(good, format="edifact", envelope=partner.envelope("700"))
    number = first.number.encode()
    poisoned = data.replace(number, number[:3] + b"\x00" + number[3:])
    assert poisoned != data
    partner.drop("a-nul.edi", poisoned)
    partner.send("b-good.edi", good, "701")
    run_once(factory)
    bad = record(factory, "a-nul.edi")
    assert bad.state is RecordState.FAILED
    assert bad.error and "\x00" not in bad.error
    assert record(factory, "b-good.edi").state is RecordState.APPLIED
    assert status(partner, first) is OrderStatus.CONFIRMED


def test_a_file_that_killed_its_worker_is_reclaimed_then_failed_after_three_attempts(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    order = routed_order(partner)
    partner.send("ordrsp.edi", order_response(order, quantities={1: None}), "800")
    run_once(factory)
    applied = record(factory, "ordrsp.edi")
    assert (applied.state, applied.attempts, applied.claimed_at) == (RecordState.APPLIED, 1, None)

    # A worker died after claiming (its claim committed, its processing rolled back): reclaimed at once.
    with partner.scene.uow() as uow:
        rec = uow.session.get_one(ExchangeRecord, applied.id)
        rec.state, rec.ref_key, rec.claimed_at = RecordState.RECEIVED, None, utcnow()
    claim = inbound.claim_next(factory)
    assert claim is not None and not claim.failed and claim.attempt == 2
    # It died twice more: the claim after the third attempt fails the file instead of retrying it.
    assert inbound.claim_next(factory) == inbound.Claim(applied.id, 3)
    poisoned = inbound.claim_next(factory)
    assert poisoned == inbound.Claim(applied.id, 3, failed=True)
    rec = record(factory, "ordrsp.edi")
    assert rec.state is RecordState.FAILED
    assert "the worker stopped 3 times while processing this file" in (rec.error or "")
    assert inbound.claim_next(factory) is None


def test_an_order_that_cannot_be_encoded_fails_alone_and_the_feed_goes_on(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner = partner_scene(factory, tmp_path)
    first = routed_order(partner)
    original = edi.encode

    def encode(document: object, *args: object, **kwargs: object) -> bytes:
        if getattr(document, "number", None) == first.number:
            raise ZeroDivisionError("a codec bug")
        return original(document, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(edi, "encode", encode)
    second = routed_order(partner)
    report = run_once(factory)
    assert report.errors == []
    assert [p.name.split("_")[1] for p in partner.received("ORDERS")] == [second.number]
    with factory() as session:
        failed = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.state == RecordState.FAILED)
        ).one()
        assert failed.direction.value == "outbound"
        assert "could not be turned into a file: ZeroDivisionError: a codec bug" in (failed.error or "")
    assert run_once(factory).queued == 0  # not tried again and again
