"""The buyer's review decision back by EDI (issue #17): the supplier's changes by ORDRSP, 855 or UBL
OrderResponse wait for review; the owner accepts one and rejects another; the supplier gets an
ORDCHG, 860 or UBL OrderChange with the lines as now agreed (an accepted change), as still ordered
(a rejected one), and the decision and reason in its note. openTRANS has no such file here: the
ledger keeps a failed record saying so."""

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
from tests.exchange.helpers import order_response, partner_scene

MESSAGE_TYPES = {"edifact": "ORDCHG", "x12": "860", "ubl": "OrderChange"}


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl"])
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


def test_an_opentrans_partner_gets_no_review_file_and_the_ledger_says_why(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path, "opentrans")
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    run_once(factory)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
    partner.send("ordrsp-1", order_response(loaded, quantities={1: Decimal(6)}), "402")
    run_once(factory)
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow, principal=scene.p("owner"), order_id=order.id, decisions=[review.LineDecision(1, True)]
        )
    run_once(factory)
    with factory() as session:
        records = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.filename.like("review_%"))
        ).all()
    [record] = records
    assert record.state is RecordState.FAILED and "opentrans has no order change" in (record.error or "")
    assert partner.received("review_") == []
