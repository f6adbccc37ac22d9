"""The buyer's order change by EDI (issue #17, part 2): the owner changes a routed order, the supplier
gets an ORDCHG, 860 or UBL OrderChange and re-confirms the changed lines with its answer; a dealer's
system sends an ORDCHG for an order it sold, and one for an order it does not have is refused and
acknowledged, the file kept."""

from __future__ import annotations

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
from tests.exchange.helpers import OWNER_GLN, order_response, partner_scene, party

MESSAGE_TYPES = {"edifact": "ORDCHG", "x12": "860", "ubl": "OrderChange"}
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


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl"])
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
        ("2", doc.ChangeAction.CANCELLED, None),
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


def test_a_format_without_an_order_change_is_shown_failed_in_the_ledger(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "opentrans")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a")
    run_once(factory)
    _change(partner.scene, order.id)
    run_once(factory)
    with factory() as session:
        failed = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.state == RecordState.FAILED)
        ).one()
    assert failed.filename.startswith("change_") and "opentrans has no order change" in (failed.error or "")
    assert partner.received("change_") == []


def test_an_order_never_sent_as_a_file_sends_no_change(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "edifact")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-b")  # no profile
    _change(partner.scene, order.id)
    run_once(factory)
    assert partner.received() == []


DEALER_GLN = "4034567000018"


def _dealer_profile(factory: sessionmaker[Session], root: Path):  # type: ignore[no-untyped-def]
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
            format="edifact",
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
