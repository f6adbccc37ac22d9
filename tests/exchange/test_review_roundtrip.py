"""The buyer's review decision back by EDI (issue #17): the supplier's changes by ORDRSP, 855, UBL
OrderResponse or openTRANS ORDERRESPONSE wait for review; the owner accepts one and rejects another;
the supplier gets an ORDCHG, 860, UBL OrderChange or openTRANS ORDERCHANGE with the lines as now agreed
(an accepted change), as still ordered (a rejected one), and the decision and reason in its note."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from portal.exchange.worker import run_once
from portal.models import ExchangeRecord, RecordState
from portal.orders import review
from portal.orders import service as orders
from tests.edi.xml.opentrans.xsd import xsd_errors
from tests.exchange.helpers import order_response, partner_scene

MESSAGE_TYPES = {"edifact": "ORDCHG", "x12": "860", "ubl": "OrderChange", "opentrans": "ORDERCHANGE"}


@pytest.mark.parametrize("fmt", sorted(MESSAGE_TYPES))
def test_the_supplier_gets_the_buyers_decision_on_its_changes(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner = partner_scene(factory, tmp_path, fmt)
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
    partner.send("ordrsp-1", order_response(loaded, quantities={1: Decimal(6), 2: Decimal(2)}), "401")
    run_once(factory)
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            decisions=[review.LineDecision(1, True), review.LineDecision(2, False, "wir brauchen alle 4")],
        )
    run_once(factory)
    [sent] = partner.received("review_")
    decoded = edi.decode_all(sent.read_bytes())
    assert decoded.error is None and decoded.messages[0].message_type == MESSAGE_TYPES[fmt]
    change = decoded.messages[0].document
    assert isinstance(change, doc.OrderChange) and change.order_number == order.number
    assert [(line.line_id, line.action, line.quantity) for line in change.lines] == [
        ("1", doc.ChangeAction.CHANGED, Decimal(6)),  # accepted: the cut holds
        ("2", doc.ChangeAction.CHANGED, Decimal(4)),  # rejected: as ordered
    ]
    assert change.note is not None and "line 1: accepted" in change.note
    assert "line 2: rejected (wir brauchen alle 4)" in change.note


def test_an_opentrans_review_reverses_an_accepted_rejection_and_counts_on(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "opentrans")
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
    partner.send("ordrsp-1", order_response(loaded, quantities={1: Decimal(6), 2: Decimal(0)}), "402")
    run_once(factory)
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            decisions=[review.LineDecision(1, True), review.LineDecision(2, True)],
        )
    run_once(factory)
    [sent] = partner.received("review_")
    data = sent.read_bytes()
    assert xsd_errors(data) == []
    assert b"<QUANTITY>-4</QUANTITY>" in data  # the rejected line, its rejection accepted: reversed
    change = edi.decode_all(data).messages[0].document
    assert isinstance(change, doc.OrderChange)
    assert change.sequence == "1"  # the first ORDERCHANGE sent for this order
    assert [(line.line_id, line.action, line.quantity) for line in change.lines] == [
        ("1", doc.ChangeAction.CHANGED, Decimal(6)),
        ("2", doc.ChangeAction.CANCELLED, Decimal(4)),
    ]
    with factory() as session:
        assert not session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.state == RecordState.FAILED)
        ).all()
