"""A supplier's split line by EDI (issue #17, schedule lines): its ORDRSP, 855, UBL OrderResponse or
openTRANS ORDERRESPONSE with several deliveries for a line waits for the buyer's review like the
portal's split; once accepted, the line's schedule is what the file said."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

import edi.documents as doc
from portal.exchange.worker import run_once
from portal.orders import review
from portal.orders import service as orders
from tests.exchange.helpers import order_response, partner_scene

SOON, LATER = date.today() + timedelta(days=6), date.today() + timedelta(days=33)


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl", "opentrans"])
def test_a_split_by_edi_waits_for_review_and_becomes_the_schedule(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner = partner_scene(factory, tmp_path, fmt)
    scene = partner.scene
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 4))
    run_once(factory)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
    answer = order_response(loaded, quantities={1: Decimal(10), 2: None})
    split = replace(
        answer.lines[0],
        promised_date=LATER,
        schedule=(doc.ScheduleLine(Decimal(3), SOON), doc.ScheduleLine(Decimal(7), LATER)),
    )
    partner.send("ordrsp-1", replace(answer, lines=(split, answer.lines[1])), "301")
    run_once(factory)
    with scene.uow() as uow:
        line = orders.load_order(uow, scene.p("owner"), order.id).lines[0]
        assert line.awaiting_review
        assert line.proposed_deliveries == [(Decimal(3), SOON), (Decimal(7), LATER)]
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow, principal=scene.p("owner"), order_id=order.id, decisions=[review.LineDecision(1, True)]
        )
    with scene.uow() as uow:
        agreed = orders.load_order(uow, scene.p("owner"), order.id)
        assert agreed.lines[0].deliveries == [(Decimal(3), SOON), (Decimal(7), LATER)]
        assert agreed.earliest_open_due == SOON
