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
from tests.changefeed import settle


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


def test_the_change_feed_carries_a_receipt_to_its_supplier_and_never_to_another(scene: Scene) -> None:
    """goods_receipt.recorded in the change feed (issue #17.4): the owner and the order's supplier get
    the receipt's state; the other supplier and the unrelated dealer get nothing; the dealer that sold
    the order does not learn the supplier from it."""
    from portal import changes

    order_id, receipt_id = received_order(scene, "supplier-a", "dealer-branch")
    settle(scene.factory)
    with scene.factory() as session:

        def receipts(slug: str) -> list[changes.Change]:
            page = changes.feed(session, scene.p(slug), entities=["goods_receipt"])
            return [entry for entry in page.entries if entry.kind == "goods_receipt.recorded"]

        [mine] = receipts("supplier-a")
        assert (mine.entity_id, mine.state and mine.state["order_id"]) == (receipt_id, order_id)
        assert mine.state and mine.state["supplier_id"] == scene.orgs["supplier-a"].id
        assert [entry.entity_id for entry in receipts("owner")] == [receipt_id]
        assert receipts("supplier-b") == [] and receipts("dealer-other") == []
        for entry in receipts("dealer-branch"):  # the dealer the goods went to may see its receipt
            assert entry.state and entry.state["supplier_id"] is None


def test_a_receipt_webhook_reaches_only_organizations_that_see_the_receipt(scene: Scene) -> None:
    from datetime import UTC, datetime

    from portal.db import unit_of_work
    from portal.models import Event, WebhookDelivery
    from portal.notify.webhooks import dispatch, service

    for slug in ("owner", "supplier-a", "supplier-b", "dealer-other"):
        with unit_of_work(scene.factory) as uow:
            service.create_endpoint(
                uow,
                scene.p(slug, "admin"),
                url="https://93.184.216.34/hook",
                event_kinds=("goods_receipt.recorded",),
            )
    _order_id, receipt_id = received_order(scene, "supplier-a", "dealer-branch")
    dispatch.create_deliveries(scene.factory, now=datetime.now(UTC))
    with scene.factory() as session:
        kinds = {e.id: e.kind for e in session.scalars(select(Event))}
        got = {
            d.organization_id
            for d in session.scalars(select(WebhookDelivery))
            if kinds[d.event_id] == "goods_receipt.recorded"
        }
    assert got == {scene.orgs["owner"].id, scene.orgs["supplier-a"].id}
    assert receipt_id


@pytest.mark.parametrize("viewer", ["owner", "supplier-a", "dealer-group", "supplier-b", "dealer-other"])
def test_an_orders_history_names_its_own_receipts_only(scene: Scene, viewer: str) -> None:
    """The order history reads receipt events through the receipts the viewer may see, of that
    order only: another order's receipt never appears, a hidden order is missing altogether."""
    from portal.orders.queries import order_timeline

    mine, mine_receipt = received_order(scene, "supplier-a", "dealer-group")
    other, other_receipt = received_order(scene, "supplier-b", "dealer-other")
    with scene.factory() as session:
        for order_id, receipt_id, party in (
            (mine, mine_receipt, ("supplier-a", "dealer-group")),
            (other, other_receipt, ("supplier-b", "dealer-other")),
        ):
            if viewer != "owner" and viewer not in party:
                with pytest.raises(NotFound):
                    order_timeline(session, scene.p(viewer), order_id)
                continue
            receipts = [
                e.entity_id
                for e in order_timeline(session, scene.p(viewer), order_id)
                if e.entity == "goods_receipt"
            ]
            assert receipts == [receipt_id]
