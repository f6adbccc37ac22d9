"""The stored ``current_status`` and ``net_total`` of an order always equal what its lines say."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from portal.models import LineResponse, Order, OrderLine, OrderStatus
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from portal.orders.queries import order_statuses
from portal.seed import seed_demo
from tests.builders import build_scene


def stored_and_derived(factory: sessionmaker[Session], order_id: int) -> tuple[tuple[str, Decimal], ...]:
    with factory() as session:
        order = session.scalars(
            select(Order).where(Order.id == order_id).options(selectinload(Order.lines))
        ).one()
        sql = order_statuses(session, [order_id])[order_id]
        return (order.current_status, order.net_total), (order.status(), order.total), (sql, order.total)


def assert_current(factory: sessionmaker[Session], order_id: int, expected: OrderStatus) -> Decimal:
    stored, derived, in_sql = stored_and_derived(factory, order_id)
    assert stored == derived == in_sql
    assert stored[0] is expected
    return stored[1]


def test_demo_data_is_seeded_with_the_derived_summaries(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    seed_demo(engine, scale=0.05, anchor=date(2026, 3, 2))
    with factory() as session:
        all_orders = session.scalars(select(Order).options(selectinload(Order.lines))).all()
        mismatched = [
            o.number for o in all_orders if (o.current_status, o.net_total) != (o.status(), o.total)
        ]
        states = {o.current_status for o in all_orders}
    assert len(all_orders) > 100
    assert mismatched == []
    assert len(states) >= 6


def test_every_service_step_keeps_the_summary_current(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    customer = scene.customer()
    order = scene.order(customer, quantities=(10, 4))  # 10 x 12.50 + 4 x 25.00
    assert assert_current(factory, order.id, OrderStatus.DRAFT) == Decimal("225")

    with scene.uow() as uow:
        orders.route_order(
            uow=uow, principal=scene.p("owner"), order_id=order.id, supplier_id=scene.orgs["supplier-a"].id
        )
    assert_current(factory, order.id, OrderStatus.AWAITING_CONFIRMATION)

    supplier = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=supplier,
            order_id=order.id,
            answers=[
                orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(8), unit_price=Decimal("12"))
            ],
        )
    # line 1 now 8 x 12.00; line 2 still as ordered
    assert assert_current(factory, order.id, OrderStatus.PARTIALLY_CONFIRMED) == Decimal("196")

    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=supplier,
            order_id=order.id,
            answers=[orders.LineAnswer(2, LineResponse.REJECTED)],
        )
    assert assert_current(factory, order.id, OrderStatus.CONFIRMED) == Decimal("96")

    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=supplier,
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(3))],
        )
    assert_current(factory, order.id, OrderStatus.PARTIALLY_SHIPPED)

    with scene.uow() as uow:
        submit_invoice(
            uow=uow,
            principal=supplier,
            order_id=order.id,
            number="INV-1",
            issue_date=date.today(),
            lines=[BillLine(1, Decimal(8))],
        )
    assert assert_current(factory, order.id, OrderStatus.INVOICED) == Decimal("96")

    other = scene.order(customer, supplier="supplier-b")
    with scene.uow() as uow:
        orders.cancel_order(uow=uow, principal=scene.p("owner"), order_id=other.id)
    assert assert_current(factory, other.id, OrderStatus.CANCELLED) == Decimal("250")


def test_a_line_changed_without_its_order_loaded_still_updates_the_order(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(2,))
    with scene.uow() as uow:
        line = uow.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
        line.response = LineResponse.ACCEPTED
        line.quantity_confirmed = Decimal(2)
        line.quantity_shipped = Decimal(2)
    assert assert_current(factory, order.id, OrderStatus.SHIPPED) == Decimal("25")
    with scene.uow() as uow:
        uow.session.add(
            OrderLine(
                order_id=order.id,
                line_no=2,
                description="added later",
                unit_price=Decimal("1.5"),
                quantity_ordered=Decimal(4),
            )
        )
    assert assert_current(factory, order.id, OrderStatus.PARTIALLY_SHIPPED) == Decimal("31")


def test_a_deleted_line_leaves_the_total(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    order = scene.order(scene.customer(), quantities=(2, 1))  # 2 x 12.50 + 1 x 25.00
    with scene.uow() as uow:
        line = uow.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.line_no == 2)
        ).one()
        uow.session.delete(line)
    assert assert_current(factory, order.id, OrderStatus.DRAFT) == Decimal("25")


def test_many_new_lines_in_one_flush(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    order = scene.order(scene.customer(), quantities=(1,))
    with scene.uow() as uow:
        uow.session.add_all(
            OrderLine(
                order_id=order.id,
                line_no=n,
                description=f"part {n}",
                unit_price=Decimal(1),
                quantity_ordered=Decimal(2),
            )
            for n in range(2, 302)
        )
    assert assert_current(factory, order.id, OrderStatus.DRAFT) == Decimal("612.5")
