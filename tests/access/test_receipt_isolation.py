"""Goods receipts (issue #17.3) through every service path: a partner never sees or records a receipt
of another partner's order, and a refused receipt leaves nothing behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import get_visible, visible_ids
from portal.errors import NotFound, PermissionDenied
from portal.models import GoodsReceipt, GoodsReceiptLine, LineResponse, OrderLine, ReceiptReason
from portal.orders import service as orders
from portal.orders.fulfilment import ShipLine, record_shipment
from portal.orders.receiving import ReceiveLine, receipts_of_order, record_goods_receipt
from tests.builders import Scene, build_scene


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def received_order(scene: Scene, supplier: str, dealer: str) -> tuple[int, int]:
    """An order sold by ``dealer``, routed to ``supplier``, shipped and received by the owner."""
    order = scene.order(scene.customer(shared_with=(dealer,)), dealer=dealer, supplier=supplier)
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p(supplier),
            order_id=order.id,
            answers=[orders.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in (1, 2)],
        )
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=scene.p(supplier),
            order_id=order.id,
            number=f"DN-{order.id}",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(10))],
        )
    with scene.uow() as uow:
        receipt = record_goods_receipt(
            uow=uow,
            principal=scene.p("owner", "support"),
            order_id=order.id,
            received_on=date.today(),
            lines=[ReceiveLine(1, Decimal(9), reason=ReceiptReason.SHORT)],
        )
    return order.id, receipt.id


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("owner", True),
        ("supplier-a", True),
        ("dealer-branch", True),
        ("dealer-group", True),  # the branch's group
        ("supplier-b", False),
        ("dealer-other", False),
        ("partner", False),
    ],
)
def test_a_receipt_is_seen_by_the_orders_parties_only(scene: Scene, viewer: str, sees: bool) -> None:
    order_id, receipt_id = received_order(scene, "supplier-a", "dealer-branch")
    principal = scene.p(viewer)
    with scene.factory() as session:
        assert (receipt_id in visible_ids(session, principal, GoodsReceipt)) is sees
        lines = visible_ids(session, principal, GoodsReceiptLine)
        assert bool(lines) is sees
        assert [r.id for r in receipts_of_order(session, principal, order_id)] == (
            [receipt_id] if sees else []
        )
        if not sees:
            with pytest.raises(NotFound):
                get_visible(session, principal, GoodsReceipt, receipt_id)


@pytest.mark.parametrize("intruder", ["supplier-b", "dealer-other", "partner"])
def test_a_partner_cannot_receive_another_partners_order(scene: Scene, intruder: str) -> None:
    order_id, _ = received_order(scene, "supplier-a", "dealer-branch")
    with pytest.raises(NotFound) as refused, scene.uow() as uow:
        record_goods_receipt(
            uow=uow,
            principal=scene.p(intruder),
            order_id=order_id,
            received_on=date.today(),
            lines=[ReceiveLine(1, Decimal(1))],
        )
    # exactly as a missing order
    assert refused.value.message == f"order {order_id} not found"
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(GoodsReceipt)) == 1
        assert session.scalar(
            select(OrderLine.quantity_received).where(OrderLine.order_id == order_id, OrderLine.line_no == 1)
        ) == Decimal(9)


@pytest.mark.parametrize(
    ("who", "roles"), [("supplier-a", ()), ("owner", ("viewer",)), ("dealer-branch", ("viewer",))]
)
def test_the_supplier_and_read_only_roles_may_not_receive(
    scene: Scene, who: str, roles: tuple[str, ...]
) -> None:
    order_id, _ = received_order(scene, "supplier-a", "dealer-branch")
    with pytest.raises(PermissionDenied), scene.uow() as uow:
        record_goods_receipt(
            uow=uow,
            principal=scene.p(who, *roles),
            order_id=order_id,
            received_on=date.today(),
            lines=[ReceiveLine(1, Decimal(1))],
        )
