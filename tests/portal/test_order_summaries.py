"""The stored facts of an order (``current_status``, ``net_total``, ``earliest_open_due``,
``awaiting_confirmation``, ``awaiting_review``) always equal what its lines say, and the dashboard
tallies always equal the aggregates over the orders and invoices they count
(``portal.stats``'s ``*_definition``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from portal import stats
from portal.access import Principal, visible
from portal.models import (
    DayTally,
    Invoice,
    LineResponse,
    Order,
    OrderLine,
    OrderStatus,
    OrderTally,
    Organization,
)
from portal.orders import review
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from portal.orders.queries import (
    earliest_open_due_expression,
    late_definition,
    order_statuses,
    review_definition,
    waiting_definition,
)
from portal.seed import seed_demo
from portal.summaries import rebuild
from tests.builders import build_scene, principal_of

TODAY = date.today()


def tally_rows(session: Session) -> set[tuple[object, ...]]:
    """Every tally row that counts something (zero rows stay behind when a count falls to zero)."""
    keys = {(r.org_id, r.role, r.key, r.n) for r in session.scalars(select(OrderTally)) if r.n}
    days = {
        (r.org_id, r.role, r.kind, r.day, r.n, r.amount, r.flagged)
        for r in session.scalars(select(DayTally))
        if r.n or r.amount or r.flagged
    }
    return keys | days


def principals(session: Session) -> list[Principal]:
    """The owner and one principal per organization (trees included: a dealer group sees its branches)."""
    orgs = session.scalars(select(Organization).order_by(Organization.id)).all()
    return [principal_of(session, org) for org in orgs]


def assert_facts_and_tallies_current(factory: sessionmaker[Session], *, today: date = TODAY) -> None:
    """Every order's stored facts equal their SQL definitions from the lines; the tallies equal a
    rebuild from the base rows; and every dashboard figure, for every organization, equals its
    aggregate over the visible rows."""
    with factory() as session:
        rows = session.execute(
            select(
                Order.number,
                Order.earliest_open_due,
                earliest_open_due_expression(),
                Order.awaiting_confirmation,
                waiting_definition(),
                Order.awaiting_review,
                review_definition(),
            )
        ).all()
        wrong = [r.number for r in rows if (r[1], bool(r[3]), bool(r[5])) != (r[2], bool(r[4]), bool(r[6]))]
        assert wrong == [], f"stored due day / awaiting confirmation / awaiting review differ: {wrong}"
        kept = tally_rows(session)
        rebuild(session.connection())
        assert tally_rows(session) == kept
        session.rollback()
        for p in principals(session):
            assert stats.orders_by_status(session, p) == stats.orders_by_status_definition(session, p)
            assert stats.waiting_count(session, p) == stats.waiting_count_definition(session, p)
            assert stats.review_count(session, p) == stats.review_count_definition(session, p)
            weeks = stats.orders_per_week(session, p, today=today, weeks=4)
            assert weeks == stats.orders_per_week_definition(session, p, today=today, weeks=4)
            for day in (today, today + timedelta(days=30)):
                assert stats.open_invoices(session, p, today=day) == stats.open_invoices_definition(
                    session, p, today=day
                )
                for later in (day, day + timedelta(days=20)):  # the late count from the due-day tallies
                    late = visible_count(session, p, *late_definition(later))
                    assert stats.late_order_count(session, p, today=later) == late
            assert stats.by_partner(session, p) == stats.by_partner_definition(session, p)


def visible_count(session: Session, principal: Principal, *conditions: object) -> int:
    stmt = visible(principal, Order).with_only_columns(func.count()).where(*conditions)  # type: ignore[arg-type]
    return int(session.scalar(stmt) or 0)


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
    assert_facts_and_tallies_current(factory)
    return stored[1]


def awaiting(factory: sessionmaker[Session], order_id: int) -> tuple[bool, bool, Decimal]:
    """The stored awaiting_confirmation and awaiting_review, and the proposed total."""
    with factory() as session:
        order = session.scalars(
            select(Order).where(Order.id == order_id).options(selectinload(Order.lines))
        ).one()
        return order.awaiting_confirmation, order.awaiting_review, order.proposed_total


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
    with factory() as session:
        assert session.scalar(select(func.count()).where(Order.awaiting_confirmation)) > 0
        assert session.scalar(select(func.count()).where(Order.earliest_open_due < date(2026, 3, 2))) > 0
        assert session.scalar(
            select(func.sum(OrderTally.n)).where(
                OrderTally.role == "all", OrderTally.key.not_in(("waiting", "review"))
            )
        ) == len(all_orders)
    assert_facts_and_tallies_current(factory, today=date(2026, 3, 2))


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
    # a price change awaits the buyer's review: the agreed total stays, the proposed one is beside it
    assert assert_current(factory, order.id, OrderStatus.AWAITING_CONFIRMATION) == Decimal("225")
    assert awaiting(factory, order.id) == (True, True, Decimal("196"))  # line 2 is still unanswered
    scene.accept_changes(order)
    # line 1 now 8 x 12.00; line 2 still as ordered
    assert assert_current(factory, order.id, OrderStatus.PARTIALLY_CONFIRMED) == Decimal("196")
    assert awaiting(factory, order.id) == (True, False, Decimal("196"))

    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=supplier,
            order_id=order.id,
            answers=[orders.LineAnswer(2, LineResponse.REJECTED)],
        )
    assert assert_current(factory, order.id, OrderStatus.PARTIALLY_CONFIRMED) == Decimal("196")
    assert awaiting(factory, order.id) == (False, True, Decimal("96"))
    with scene.uow() as uow:  # the buyer refuses the rejection: line 2 waits for an answer again
        review.review_line_changes(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            decisions=[review.LineDecision(2, accept=False, reason="we need it; find stock")],
        )
    assert assert_current(factory, order.id, OrderStatus.PARTIALLY_CONFIRMED) == Decimal("196")
    assert awaiting(factory, order.id) == (True, False, Decimal("196"))
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=supplier,
            order_id=order.id,
            answers=[orders.LineAnswer(2, LineResponse.REJECTED)],
        )
    scene.accept_changes(order)
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


def test_tallies_follow_dates_promises_invoices_and_bulk_statements(factory: sessionmaker[Session]) -> None:
    """What moves a tally besides a service step: a promised date in the past (late), an order
    date changed on the object, an invoice's due date and match changed on the object or by a bulk
    UPDATE through the session, a bulk UPDATE of lines (their orders' facts follow), a cancelled
    order, a bulk DELETE of lines."""
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-branch",))
    late = scene.order(customer, dealer="dealer-branch", supplier="supplier-a", quantities=(3, 2))
    billed = scene.order(customer, dealer="dealer-other", supplier="supplier-b", quantities=(1,))
    scene.fulfil(billed, "supplier-b")
    assert_facts_and_tallies_current(factory)

    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=late.id,
            answers=[orders.LineAnswer(1, LineResponse.CHANGED, promised_date=TODAY + timedelta(days=2))],
        )
    with factory() as session:
        assert session.get_one(Order, late.id).earliest_open_due == TODAY + timedelta(days=2)
        assert stats.late_order_count(session, scene.p("dealer-group"), today=TODAY + timedelta(days=3)) == 1
        assert stats.late_order_count(session, scene.p("dealer-other"), today=TODAY + timedelta(days=3)) == 0
    assert_facts_and_tallies_current(factory)

    with scene.uow() as uow:
        uow.session.get_one(Order, late.id).order_date = TODAY - timedelta(days=8)
        invoice = uow.session.scalars(select(Invoice).where(Invoice.order_id == billed.id)).one()
        invoice.due_date = TODAY + timedelta(days=10)
    assert_facts_and_tallies_current(factory)
    with factory() as session:
        assert stats.open_invoices(session, scene.p("supplier-b"), today=TODAY + timedelta(days=11))[0] == 0
        assert stats.open_invoices(session, scene.p("supplier-b"), today=TODAY + timedelta(days=10))[0] == 1

    with scene.uow() as uow:
        uow.session.execute(
            update(Invoice)
            .where(Invoice.order_id == billed.id)
            .values(due_date=None, match_status="over_billed")
        )
        uow.session.execute(
            update(OrderLine)
            .where(OrderLine.order_id == late.id)
            .values(requested_date=TODAY - timedelta(days=5))
        )
    assert_facts_and_tallies_current(factory)
    with factory() as session:
        assert stats.open_invoices(session, scene.p("owner"), today=TODAY + timedelta(days=99))[2] == 1
        assert session.get_one(Order, late.id).earliest_open_due == TODAY - timedelta(days=5)  # line 2's

    with scene.uow() as uow:
        uow.session.execute(update(Order).where(Order.id == late.id).values(order_date=TODAY))
    assert_facts_and_tallies_current(factory)

    with scene.uow() as uow:
        uow.session.execute(delete(OrderLine).where(OrderLine.order_id == late.id, OrderLine.line_no == 2))
    assert_facts_and_tallies_current(factory)
    with factory() as session:
        # line 1's promised date: it overrides the requested one
        assert session.get_one(Order, late.id).earliest_open_due == TODAY + timedelta(days=2)

    with scene.uow() as uow:
        orders.cancel_order(uow=uow, principal=scene.p("owner"), order_id=late.id)
    assert_facts_and_tallies_current(factory)
    with factory() as session:
        assert stats.waiting_count(session, scene.p("supplier-a")) == 0
        assert stats.orders_by_status(session, scene.p("dealer-branch")) == {OrderStatus.CANCELLED: 1}
