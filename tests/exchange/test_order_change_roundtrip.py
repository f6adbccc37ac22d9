"""The buyer's order change by EDI (issue #17, part 2): the owner changes a routed order, the supplier
gets an ORDCHG, 860, UBL OrderChange or openTRANS ORDERCHANGE and re-confirms the changed lines with
its answer; the file read back is the version the owner made; a dealer's system sends an ORDCHG or an
ORDERCHANGE for an order it sold, and one for an order it does not have is refused (acknowledged
where the format has an acknowledgement), the file kept."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from portal.exchange import contents
from portal.exchange.profiles import create_profile
from portal.exchange.worker import run_once
from portal.models import ExchangeRecord, LineResponse, OrderStatus, Organization, RecordState
from portal.orders import changes
from portal.orders import service as orders
from tests.builders import build_scene
from tests.edi.xml.opentrans.xsd import xsd_errors
from tests.exchange.helpers import OWNER_GLN, order_response, partner_scene, party

MESSAGE_TYPES = {"edifact": "ORDCHG", "x12": "860", "ubl": "OrderChange", "opentrans": "ORDERCHANGE"}
FORMATS = sorted(MESSAGE_TYPES)
LATER = date.today() + timedelta(days=30)


def _change(scene, order_id: int) -> None:  # type: ignore[no-untyped-def]
    with scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=scene.p("owner", "sales"),
            order_id=order_id,
            changes=[
                changes.LineChange(1, quantity=Decimal(12), requested_date=LATER),
                changes.LineChange(2, cancel=True),
            ],
            added=[orders.NewOrderLine(quantity=Decimal(3), product_id=scene.products[2].id)],
            note="Kunde braucht mehr",
        )


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_supplier_gets_the_change_and_reconfirms(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner = partner_scene(factory, tmp_path, fmt)
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)
    [_sent] = partner.received()
    _change(scene, order.id)
    report = run_once(factory)
    assert report.queued == 1
    [change_file] = partner.received("change_")
    decoded = edi.decode_all(change_file.read_bytes())
    assert decoded.error is None and decoded.messages[0].message_type == MESSAGE_TYPES[fmt]
    change = decoded.messages[0].document
    assert isinstance(change, doc.OrderChange)
    assert change.order_number == order.number
    assert [(line.line_id, line.action, line.quantity) for line in change.lines] == [
        ("1", doc.ChangeAction.CHANGED, Decimal(12)),
        # openTRANS cancels a line by reversing its quantity (a negative QUANTITY)
        ("2", doc.ChangeAction.CANCELLED, Decimal(4) if fmt == "opentrans" else None),
        ("3", doc.ChangeAction.ADDED, Decimal(3)),
    ]
    assert change.lines[0].requested_date == LATER
    assert change.note == "Kunde braucht mehr"
    if fmt != "edifact":
        assert change.sequence == "1"
    # The supplier re-confirms the changed and the added line.
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
    partner.send("ordrsp-2", order_response(loaded, quantities={1: None, 3: None}), "201")
    run_once(factory)
    with scene.uow() as uow:
        answered = orders.load_order(uow, scene.p("owner"), order.id)
        assert [(line.line_no, line.response, line.cancelled) for line in answered.lines] == [
            (1, LineResponse.ACCEPTED, False),
            (2, LineResponse.PENDING, True),
            (3, LineResponse.ACCEPTED, False),
        ]
        assert answered.status() is OrderStatus.CONFIRMED
        assert answered.lines[0].quantity_confirmed == Decimal(12)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_file_read_back_is_the_version_the_owner_made(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner = partner_scene(factory, tmp_path, fmt)
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)
    _change(scene, order.id)
    run_once(factory)
    [change_file] = partner.received("change_")
    change = edi.decode_all(change_file.read_bytes()).messages[0].document
    assert isinstance(change, doc.OrderChange)
    with scene.uow() as uow:
        [_, version] = changes.list_versions(uow, scene.p("owner"), order.id)
    in_version = {str(line["line_no"]): line for line in version.lines}
    for line in change.lines:
        values = in_version[line.line_id]
        assert values["cancelled"] is (line.action is doc.ChangeAction.CANCELLED)
        if line.action is not doc.ChangeAction.CANCELLED:
            assert line.quantity == Decimal(values["quantity"])
            assert line.unit_price == Decimal(values["unit_price"])
            assert (line.requested_date.isoformat() if line.requested_date else None) == values[
                "requested_date"
            ]
    assert {line.line_id for line in change.lines} == {str(entry["line_no"]) for entry in version.changes}
    assert change.sequence in (None, str(version.number - 1))  # EDIFACT carries none


def test_opentrans_numbers_every_orderchange_it_sends_for_an_order(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "opentrans")
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)
    _change(scene, order.id)
    run_once(factory)
    with scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=scene.p("owner", "sales"),
            order_id=order.id,
            changes=[changes.LineChange(1, quantity=Decimal(11))],
        )
    run_once(factory)
    files = partner.received("change_")
    decoded = [edi.decode_all(f.read_bytes()).messages[0] for f in files]
    assert all(m.ok and m.message_type == "ORDERCHANGE" for m in decoded)
    assert sorted(m.document.sequence for m in decoded if isinstance(m.document, doc.OrderChange)) == [
        "1",
        "2",
    ]
    assert xsd_errors(files[0].read_bytes()) == [] and xsd_errors(files[1].read_bytes()) == []


def test_an_order_never_sent_as_a_file_sends_no_change(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "edifact")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-b")  # no profile
    _change(partner.scene, order.id)
    run_once(factory)
    assert partner.received() == []


DEALER_GLN = "4034567000018"


def _dealer_profile(factory: sessionmaker[Session], root: Path, fmt: str = "edifact"):  # type: ignore[no-untyped-def]
    scene = build_scene(factory)
    with scene.uow() as uow:
        owner = uow.session.get_one(Organization, scene.orgs["owner"].id)
        owner.gln = OWNER_GLN
        create_profile(
            uow=uow,
            principal=scene.p("owner"),
            organization_id=scene.orgs["dealer-group"].id,
            transport="folder",
            settings={"root": str(root)},
            partner_id=DEALER_GLN,
            our_id=OWNER_GLN,
            format=fmt,
        )
    return scene


def _ordchg(order_number: str, line_id: str = "1") -> bytes:
    change = doc.OrderChange(
        number=f"{order_number}-C1",
        order_number=order_number,
        issue_date=date.today(),
        buyer=party(DEALER_GLN, "Dealer Group"),
        seller=party(OWNER_GLN, "Owner"),
        lines=(doc.OrderChangeLine(line_id, doc.ChangeAction.CHANGED, Decimal(7)),),
    )
    envelope = doc.Envelope(
        sender=DEALER_GLN,
        recipient=OWNER_GLN,
        control_reference=order_number[-4:],
        sender_qualifier="14",
        recipient_qualifier="14",
    )
    return edi.encode(change, format="edifact", envelope=envelope)


def test_a_dealers_system_changes_an_order_it_sold_and_is_told_of_a_foreign_one(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    scene = _dealer_profile(factory, tmp_path)
    customer = scene.customer(shared_with=("dealer-group", "dealer-other"))
    mine = scene.order(customer, dealer="dealer-group", supplier="supplier-a")
    foreign = scene.order(customer, dealer="dealer-other", supplier="supplier-a")
    (tmp_path / "out").mkdir(parents=True, exist_ok=True)
    (tmp_path / "out" / "ordchg-mine.edi").write_bytes(_ordchg(mine.number))
    run_once(factory)
    (tmp_path / "out" / "ordchg-foreign.edi").write_bytes(raw := _ordchg(foreign.number))
    run_once(factory)
    with scene.uow() as uow:
        assert orders.load_order(uow, scene.p("owner"), mine.id).lines[0].quantity_ordered == Decimal(7)
        assert orders.load_order(uow, scene.p("owner"), foreign.id).lines[0].quantity_ordered == Decimal(10)
        assert [v.number for v in changes.list_versions(uow, scene.p("owner"), mine.id)] == [1, 2]
    with factory() as session:
        inbound = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.direction == "inbound").order_by(ExchangeRecord.id)
        ).all()
        assert [r.state for r in inbound] == [RecordState.APPLIED, RecordState.FAILED]
        refused = inbound[1]
        assert refused.message_type == "ORDCHG"
        assert f"order {foreign.number}" in (refused.error or "") and "not found" in (refused.error or "")
        assert contents.read_all(session, refused.id) == raw  # the raw file is kept
        assert refused.ack_record_id is not None
        acks = session.scalars(
            select(ExchangeRecord)
            .where(ExchangeRecord.acknowledges_id == refused.id)
            .order_by(ExchangeRecord.id)
        ).all()
        assert [a.message_type for a in acks] == ["CONTRL", "APERAK"]
        aperak = edi.decode_all(contents.read_all(session, acks[1].id)).messages[0].document
    # the syntax acknowledgement says the file was read; the APERAK why its change did not hold
    assert isinstance(aperak, doc.Acknowledgement) and aperak.status is doc.AckStatus.REJECTED
    assert foreign.number in (aperak.errors[0].text or "")
    sent = sorted(p.name.split("_")[0] for p in (tmp_path / "in").glob("*"))
    assert sent == ["APERAK", "CONTRL", "CONTRL"]


def _orderchange(order_number: str) -> bytes:
    """What a dealer's ERP writes: an openTRANS ORDERCHANGE without our UDX line action."""
    change = doc.OrderChange(
        number=f"{order_number}-1",
        order_number=order_number,
        issue_date=date.today(),
        buyer=party(DEALER_GLN, "Dealer Group"),
        seller=party(OWNER_GLN, "Owner"),
        lines=(
            doc.OrderChangeLine("1", doc.ChangeAction.CHANGED, Decimal(7)),
            doc.OrderChangeLine("2", doc.ChangeAction.CANCELLED, Decimal(4)),
            # the whole order listed, as some openTRANS systems send it: left as it stands
            doc.OrderChangeLine("3", doc.ChangeAction.CHANGED, Decimal(2)),
        ),
        sequence="1",
    )
    data = edi.encode(change, format="opentrans", envelope=None)
    data = re.sub(rb"\s*<ITEM_UDX>.*?</ITEM_UDX>", b"", data, flags=re.DOTALL)
    assert b"UDX" not in data and b"<QUANTITY>-4</QUANTITY>" in data
    return data


def test_a_dealers_opentrans_system_changes_an_order_it_sold_and_a_foreign_one_is_kept_failed(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    scene = _dealer_profile(factory, tmp_path, "opentrans")
    customer = scene.customer(shared_with=("dealer-group", "dealer-other"))
    mine = scene.order(customer, dealer="dealer-group", supplier="supplier-a", quantities=(10, 4, 2))
    foreign = scene.order(customer, dealer="dealer-other", supplier="supplier-a", quantities=(10, 4, 2))
    (tmp_path / "out").mkdir(parents=True, exist_ok=True)
    (tmp_path / "out" / "orderchange-mine.xml").write_bytes(_orderchange(mine.number))
    run_once(factory)
    (tmp_path / "out" / "orderchange-foreign.xml").write_bytes(raw := _orderchange(foreign.number))
    run_once(factory)
    with scene.uow() as uow:
        changed = orders.load_order(uow, scene.p("owner"), mine.id)
        assert [(line.quantity_ordered, line.cancelled) for line in changed.lines] == [
            (Decimal(7), False),
            (Decimal(4), True),
            (Decimal(2), False),
        ]
        assert [v.number for v in changes.list_versions(uow, scene.p("owner"), mine.id)] == [1, 2]
        assert orders.load_order(uow, scene.p("owner"), foreign.id).lines[0].quantity_ordered == Decimal(10)
    with factory() as session:
        inbound = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.direction == "inbound").order_by(ExchangeRecord.id)
        ).all()
        assert [(r.message_type, r.state) for r in inbound] == [
            ("ORDERCHANGE", RecordState.APPLIED),
            ("ORDERCHANGE", RecordState.FAILED),
        ]
        assert f"order {foreign.number}" in (inbound[1].error or "")
        assert contents.read_all(session, inbound[1].id) == raw
        # openTRANS has no acknowledgement: nothing is sent back, the ledger keeps the reason
        assert (
            session.scalars(select(ExchangeRecord).where(ExchangeRecord.acknowledges_id.is_not(None))).all()
            == []
        )
    assert not (tmp_path / "in").exists() or list((tmp_path / "in").glob("*")) == []
