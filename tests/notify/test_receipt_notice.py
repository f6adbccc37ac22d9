"""The supplier hears of a goods receipt with damages or shortfalls (issue #17.3); a clean receipt
tells nobody."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from portal.models import ReceiptReason
from portal.notify.notifier import notify_once
from portal.notify.rules import Kind
from portal.orders.fulfilment import ShipLine, record_shipment
from portal.orders.receiving import ReceiveLine, record_goods_receipt
from tests.builders import build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_rules import routed_and_confirmed, told


def test_damages_tell_the_supplier_and_a_clean_receipt_tells_nobody(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    other_supplier = add_user(scene, "supplier-b", "member")
    dealer = add_user(scene, "dealer-branch", "member")
    receiver = add_user(scene, "owner", "support")
    order = routed_and_confirmed(scene, supplier, "dealer-branch")
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(10)), ShipLine(2, Decimal(5))],
        )
    with scene.uow() as uow:
        record_goods_receipt(
            uow=uow,
            principal=as_user(scene, receiver),
            order_id=order.id,
            received_on=date.today(),
            lines=[ReceiveLine(1, Decimal(10))],
        )
    notify_once(factory)
    assert told(factory, Kind.RECEIPT_DISCREPANCY) == set()
    with scene.uow() as uow:
        record_goods_receipt(
            uow=uow,
            principal=as_user(scene, receiver),
            order_id=order.id,
            received_on=date.today(),
            lines=[ReceiveLine(2, Decimal(5), damaged=Decimal(2), reason=ReceiptReason.DAMAGED)],
        )
    notify_once(factory)
    assert told(factory, Kind.RECEIPT_DISCREPANCY) == {(supplier, order.id)}
    assert not {other_supplier, dealer, receiver} & {u for u, _ in told(factory, Kind.RECEIPT_DISCREPANCY)}
