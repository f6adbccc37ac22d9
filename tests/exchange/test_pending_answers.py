"""An ORDRSP answers lines left pending after other lines were shipped and invoiced."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from edi import documents as doc
from portal.exchange.mapping import apply_document
from portal.models import LineResponse, Order, OrderStatus
from portal.orders import fulfilment
from portal.orders import service as orders
from tests.builders import Scene, build_scene
from tests.exchange.helpers import order_response


def _partly_invoiced(scene: Scene) -> Order:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(4, 2, 3))
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow, principal=sp, order_id=order.id, answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)]
        )
        fulfilment.record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-E",
            shipped_on=date.today(),
            lines=[fulfilment.ShipLine(1, Decimal(4))],
        )
        fulfilment.submit_invoice(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="R-E",
            issue_date=date.today(),
            lines=[fulfilment.BillLine(1, Decimal(4))],
        )
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
        assert loaded.status() is OrderStatus.PARTIALLY_INVOICED
        return loaded


def _responses(scene: Scene, order_id: int) -> list[LineResponse]:
    with scene.uow() as uow:
        return [line.response for line in orders.load_order(uow, scene.p("owner"), order_id).lines]


def test_an_ordrsp_answers_the_pending_lines_of_a_partly_invoiced_order(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    order = _partly_invoiced(scene)
    with scene.uow() as uow:
        apply_document(uow, scene.p("supplier-a"), order_response(order, quantities={2: None, 3: Decimal(0)}))
    scene.accept_changes(order)  # the rejection waited for the buyer's review (issue #17)
    assert _responses(scene, order.id) == [
        LineResponse.ACCEPTED,
        LineResponse.ACCEPTED,
        LineResponse.REJECTED,
    ]


def test_a_whole_order_ordrsp_answers_only_the_lines_still_open(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    order = _partly_invoiced(scene)
    whole = dataclasses.replace(
        order_response(order, quantities={}), status=doc.ResponseStatus.ACCEPTED, lines=()
    )
    with scene.uow() as uow:
        apply_document(uow, scene.p("supplier-a"), whole)
    assert _responses(scene, order.id) == [LineResponse.ACCEPTED] * 3
