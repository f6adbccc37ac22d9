"""Goods receipts by EDI (issue #17.3): a receiving partner (the dealer an order was sold by) sends
RECADV or 861; it becomes the order's goods receipt on the ship notice it names. A receipt for a line
the order does not have, or an order the partner does not have, is refused like a missing one: the
raw file stays in the ledger with the reason, which the partner reads there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from portal.exchange import contents, ledger
from portal.exchange.profiles import create_profile
from portal.exchange.worker import run_once
from portal.models import (
    ExchangeLink,
    ExchangeRecord,
    GoodsReceipt,
    GoodsReceiptLine,
    Order,
    Organization,
    ReceiptReason,
    RecordState,
)
from tests.builders import Scene, build_scene
from tests.portal.test_order_summaries import assert_facts_and_tallies_current

OWNER_GLN = "4012345000016"
DEALER_GLN = "4034567000018"


def dealer_scene(factory: sessionmaker[Session], root: Path, fmt: str) -> Scene:
    scene = build_scene(factory)
    with scene.uow() as uow:
        uow.session.get_one(Organization, scene.orgs["owner"].id).gln = OWNER_GLN
        uow.session.get_one(Organization, scene.orgs["dealer-branch"].id).gln = DEALER_GLN
        create_profile(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["dealer-branch"].id,
            transport="folder",
            settings={"root": str(root)},
            partner_id=DEALER_GLN,
            our_id=OWNER_GLN,
            format=fmt,
        )
    return scene


def shipped(scene: Scene) -> Order:
    order = scene.order(
        scene.customer(shared_with=("dealer-branch",)), dealer="dealer-branch", supplier="supplier-a"
    )
    scene.fulfil(order, "supplier-a")  # 10 and 5 shipped on DN-<id>, invoiced
    return order


def send(root: Path, fmt: str, document: doc.ReceivingAdvice, control: str) -> bytes:
    envelope = doc.Envelope(
        sender=DEALER_GLN,
        recipient=OWNER_GLN,
        control_reference=control,
        sender_qualifier="14" if fmt == "edifact" else "ZZ",
        recipient_qualifier="14" if fmt == "edifact" else "ZZ",
    )
    data = edi.encode(document, format=fmt, envelope=envelope)
    (root / "out").mkdir(parents=True, exist_ok=True)
    (root / "out" / f"recadv-{control}").write_bytes(data)
    return data


def advice(order: Order, *lines: doc.ReceivingLine, despatch: str | None = None) -> doc.ReceivingAdvice:
    return doc.ReceivingAdvice(
        "WE-1",
        date.today(),
        date.today(),
        order.number,
        doc.Party(name="Dealer Branch", gln=DEALER_GLN),
        doc.Party(name="Supplier A"),
        lines,
        despatch,
    )


def inbound(factory: sessionmaker[Session]) -> list[ExchangeRecord]:
    with factory() as session:
        return list(
            session.scalars(
                select(ExchangeRecord)
                .where(ExchangeRecord.direction == "inbound")
                .order_by(ExchangeRecord.id)
            )
        )


@pytest.mark.parametrize("fmt", ["edifact", "x12"])
def test_a_receiving_advice_becomes_the_orders_goods_receipt(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    scene = dealer_scene(factory, tmp_path, fmt)
    order = shipped(scene)
    lines = (
        doc.ReceivingLine("1", Decimal(10), order_line_id="1"),
        doc.ReceivingLine("2", Decimal(4), order_line_id="2", reason="short", note="1 Karton fehlt"),
    )
    send(tmp_path, fmt, advice(order, *lines, despatch=f"DN-{order.id}"), "701")
    run_once(factory)
    [record] = inbound(factory)
    assert record.state is RecordState.APPLIED, record.error
    with factory() as session:
        receipt = session.scalars(select(GoodsReceipt)).one()
        assert receipt.received_by_org_id == scene.orgs["dealer-branch"].id
        assert receipt.shipment_id is not None and receipt.has_discrepancy
        rows = session.scalars(select(GoodsReceiptLine).order_by(GoodsReceiptLine.id)).all()
        assert [(r.quantity, r.shortfall_quantity, r.reason, r.note) for r in rows] == [
            (Decimal(10), Decimal(0), None, None),
            (Decimal(4), Decimal(1), ReceiptReason.SHORT, "1 Karton fehlt"),
        ]
        links = {(link.entity, link.entity_id) for link in session.scalars(select(ExchangeLink))}
        assert ("goods_receipt", receipt.id) in links
    assert_facts_and_tallies_current(factory)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("line", "has no line 9"),
        ("order", "order SO-0000 not found"),
        ("despatch", "has no ship notice DN-NONE"),
    ],
)
def test_a_receipt_for_a_line_or_order_the_partner_does_not_have_is_refused_and_kept(
    factory: sessionmaker[Session], tmp_path: Path, bad: str, message: str
) -> None:
    scene = dealer_scene(factory, tmp_path, "edifact")
    order = shipped(scene)
    line = doc.ReceivingLine(
        "9" if bad == "line" else "1", Decimal(1), order_line_id="9" if bad == "line" else "1"
    )
    document = advice(order, line, despatch="DN-NONE" if bad == "despatch" else None)
    if bad == "order":
        from dataclasses import replace

        document = replace(document, order_number="SO-0000")
    data = send(tmp_path, "edifact", document, "702")
    run_once(factory)
    [record] = inbound(factory)
    assert record.state is RecordState.FAILED
    assert message in (record.error or ""), record.error
    with factory() as session:
        assert contents.read_all(session, record.id) == data  # the raw file is kept
        seen = ledger.get_record(session, scene.p("dealer-branch"), record.id)
        assert seen.error == record.error
        assert session.scalars(select(GoodsReceipt)).all() == []


@pytest.mark.parametrize(("fmt", "message_type"), [("edifact", "RECADV"), ("x12", "861"), ("ubl", None)])
def test_the_supplier_gets_the_receipt_as_its_format_has_one(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str, message_type: str | None
) -> None:
    from portal.orders.receiving import ReceiveLine, record_goods_receipt
    from tests.exchange.helpers import partner_scene

    partner = partner_scene(factory, tmp_path, fmt)
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a")
    run_once(factory)  # the order leaves
    scene.fulfil(order, "supplier-a")
    with scene.uow() as uow:
        receipt = record_goods_receipt(
            uow=uow,
            principal=scene.p("owner", "support"),
            order_id=order.id,
            received_on=date.today(),
            lines=[
                ReceiveLine(1, Decimal(10)),
                ReceiveLine(2, Decimal(5), damaged=Decimal(2), reason=ReceiptReason.DAMAGED, note="nass"),
            ],
        )
    run_once(factory)
    files = partner.received(message_type or "RECADV")
    if message_type is None:
        assert files == [] and partner.received("861") == []
        return
    [path] = files
    decoded = edi.decode_all(path.read_bytes())
    [message] = decoded.messages
    advice = message.document
    assert isinstance(advice, doc.ReceivingAdvice)
    assert (advice.number, advice.order_number, advice.despatch_number) == (
        f"WE-{receipt.id}",
        order.number,
        None,
    )
    assert [(x.line_id, x.quantity, x.quantity_damaged, x.reason, x.note) for x in advice.lines] == [
        ("1", Decimal(10), Decimal(0), None, None),
        ("2", Decimal(5), Decimal(2), "damaged", "nass"),
    ]


@pytest.mark.parametrize(
    ("fmt", "kind", "needle"), [("edifact", "APERAK", b"APERAK"), ("x12", "824", b"ST*824")]
)
def test_a_refused_receipt_is_answered_with_the_reason_in_an_application_acknowledgement(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str, kind: str, needle: bytes
) -> None:
    """Besides CONTRL / 997 (the file could be read), APERAK / 824 tells the partner's system that its
    receipt did not hold, and why (issue #17.4)."""
    scene = dealer_scene(factory, tmp_path, fmt)
    order = shipped(scene)
    send(
        tmp_path,
        fmt,
        advice(order, doc.ReceivingLine("1", Decimal(1), order_line_id="1"), despatch="DN-NONE"),
        "703",
    )
    run_once(factory)
    with factory() as session:
        [refused] = session.scalars(
            select(ExchangeRecord).where(
                ExchangeRecord.direction == "outbound", ExchangeRecord.message_type == kind
            )
        ).all()
        data = contents.read_all(session, refused.id)
    assert needle in data and b"has no ship notice" in data  # (X12 TED02 cuts the text at 60)
    sent = sorted(p.name for p in (tmp_path / "in").iterdir())
    assert any(name.startswith(kind) for name in sent)


@pytest.mark.parametrize(("fmt", "needle"), [("edifact", b"QVR++AC'"), ("x12", b"*****03~")])
def test_a_line_counted_over_what_was_shipped_is_told_as_over_shipped(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str, needle: bytes
) -> None:
    from portal.orders.receiving import ReceiveLine, record_goods_receipt
    from tests.exchange.helpers import partner_scene

    partner = partner_scene(factory, tmp_path, fmt)
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    run_once(factory)
    scene.fulfil(order, "supplier-a")
    with scene.uow() as uow:
        record_goods_receipt(
            uow=uow,
            principal=scene.p("owner", "support"),
            order_id=order.id,
            received_on=date.today(),
            lines=[ReceiveLine(1, Decimal(12))],  # two more than were shipped: flagged, no reason needed
        )
    run_once(factory)
    [path] = partner.received("RECADV" if fmt == "edifact" else "861")
    data = path.read_bytes()
    assert needle in data
    advice = edi.decode_all(data).messages[0].document
    assert isinstance(advice, doc.ReceivingAdvice)
    assert [(x.quantity, x.reason) for x in advice.lines] == [(Decimal(12), "over")]


@pytest.mark.parametrize("fmt", ["edifact", "x12"])
def test_an_over_shipped_line_from_a_receiver_is_kept_as_counted_and_flagged(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    scene = dealer_scene(factory, tmp_path, fmt)
    order = shipped(scene)
    line = doc.ReceivingLine("1", Decimal(12), order_line_id="1", reason="over")  # AC / 03 on the wire
    send(tmp_path, fmt, advice(order, line), "702")
    run_once(factory)
    [record] = inbound(factory)
    assert record.state is RecordState.APPLIED, record.error
    with factory() as session:
        receipt = session.scalars(select(GoodsReceipt)).one()
        row = session.scalars(select(GoodsReceiptLine)).one()
    # the portal has no reason for it: the excess is flagged by counting
    assert receipt.over_received and (row.quantity, row.excess_quantity, row.reason) == (
        Decimal(12),
        Decimal(2),
        None,
    )
