"""The dashboard figures (portal.stats): each counts what its viewer may see, and counts it right."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal import stats
from portal.cases import service as cases
from portal.models import CaseStatus, Invoice, Order, OrderLine, OrderStatus
from portal.orders.queries import late_definition
from tests.builders import Scene, build_scene

TODAY = date(2026, 3, 4)  # a Wednesday


def _dated(scene: Scene, order: Order, day: date) -> None:
    with scene.uow() as uow:
        uow.session.execute(update(Order).where(Order.id == order.id).values(order_date=day))


def test_orders_per_week_counts_by_monday_with_empty_weeks_and_only_what_the_viewer_sees(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer()
    days = [
        TODAY,
        TODAY - timedelta(days=2),
        TODAY - timedelta(days=3),
        TODAY - timedelta(weeks=2),
        date(2025, 1, 1),
    ]
    for n, day in enumerate(days):
        _dated(scene, scene.order(customer, supplier="supplier-a" if n < 2 else "supplier-b"), day)
    with factory() as session:
        owner = stats.orders_per_week(session, scene.p("owner"), today=TODAY, weeks=4)
        supplier = stats.orders_per_week(session, scene.p("supplier-a"), today=TODAY, weeks=4)
    monday = date(2026, 3, 2)
    assert [(w.week_start, w.count) for w in owner] == [
        (monday - timedelta(weeks=3), 0),
        (monday - timedelta(weeks=2), 1),
        (monday - timedelta(weeks=1), 1),  # Sunday 1 March belongs to the week before
        (monday, 2),
    ]
    assert [w.count for w in supplier] == [0, 0, 0, 2]


def test_open_invoices_sum_exactly_and_flag_over_billing(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    customer = scene.customer()
    paid_late, open_one, open_two = (
        scene.order(customer, supplier="supplier-a", quantities=(3,)) for _ in range(3)
    )
    other = scene.order(customer, supplier="supplier-b", quantities=(7,))
    for order, supplier in (
        (paid_late, "supplier-a"),
        (open_one, "supplier-a"),
        (open_two, "supplier-a"),
        (other, "supplier-b"),
    ):
        scene.fulfil(order, supplier)
    with scene.uow() as uow:
        uow.session.execute(
            update(Invoice).where(Invoice.order_id == paid_late.id).values(due_date=TODAY - timedelta(days=1))
        )
        uow.session.execute(update(Invoice).where(Invoice.order_id == open_one.id).values(due_date=TODAY))
        uow.session.execute(
            update(Invoice)
            .where(Invoice.order_id == open_two.id)
            .values(due_date=None, match_status="over_billed")
        )
    with factory() as session:
        gross = {i.order_id: i.gross_total for i in session.query(Invoice)}
        count, total, flagged = stats.open_invoices(session, scene.p("supplier-a"), today=TODAY)
        everyone = stats.open_invoices(session, scene.p("owner"), today=TODAY)
    assert (count, total, flagged) == (2, gross[open_one.id] + gross[open_two.id], 1)
    assert total > 0 and isinstance(total, Decimal)
    assert everyone[0] == 3  # the owner also sees supplier B's invoice


def test_late_orders_are_routed_ones_with_an_unshipped_line_past_its_date(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer()
    late = scene.order(customer, supplier="supplier-a", quantities=(2, 1))
    shipped = scene.order(customer, supplier="supplier-a", quantities=(2,))
    scene.fulfil(shipped, "supplier-a")
    future = scene.order(customer, supplier="supplier-a", quantities=(2,))
    unrouted = scene.order(customer, quantities=(2,))
    with scene.uow() as uow:
        for order, day in (
            (late, TODAY - timedelta(days=1)),
            (shipped, TODAY - timedelta(days=9)),
            (future, TODAY),
            (unrouted, TODAY - timedelta(days=9)),
        ):
            uow.session.execute(
                update(OrderLine).where(OrderLine.order_id == order.id).values(requested_date=day)
            )
    with factory() as session:
        assert stats.late_order_count(session, scene.p("owner"), today=TODAY) == 1
        assert stats.late_order_count(session, scene.p("supplier-a"), today=TODAY) == 1
        assert stats.late_order_count(session, scene.p("supplier-b"), today=TODAY) == 0
        assert stats.orders_by_status(session, scene.p("supplier-a")) == {
            OrderStatus.AWAITING_CONFIRMATION: 2,
            OrderStatus.INVOICED: 1,
        }


def test_a_line_without_a_date_is_due_on_the_orders_requested_date(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    customer = scene.customer()
    header_only = scene.order(customer, supplier="supplier-a", quantities=(2,))
    promised_later = scene.order(customer, supplier="supplier-a", quantities=(2,))
    with scene.uow() as uow:  # the requested date on the order only, as the demo and most files give it
        for order in (header_only, promised_later):
            uow.session.execute(
                update(Order).where(Order.id == order.id).values(requested_date=TODAY - timedelta(days=2))
            )
        uow.session.execute(  # a promise overrides the order's wish
            update(OrderLine)
            .where(OrderLine.order_id == promised_later.id)
            .values(promised_date=TODAY + timedelta(days=5))
        )
    with factory() as session:
        stored = session.get(Order, header_only.id)
        assert stored is not None and stored.earliest_open_due == TODAY - timedelta(days=2)
        assert stats.late_order_count(session, scene.p("supplier-a"), today=TODAY) == 1
        late = session.scalars(select(Order.id).where(*late_definition(TODAY))).all()
        assert late == [header_only.id]


def test_cases_by_status_sla_compliance_and_the_owner_view_by_partner(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-group",))
    scene.order(customer, supplier="supplier-a")
    scene.order(customer, supplier="supplier-a")
    scene.order(customer, supplier="supplier-b")
    opened = datetime(2026, 3, 1, 8, tzinfo=UTC)
    with scene.uow() as uow:
        owner = scene.p("owner")
        made = [
            cases.open_case(
                uow=uow,
                principal=owner,
                subject=f"Fall {n}",
                customer_id=customer.id,
                routed_to_id=scene.orgs["dealer-group"].id,
                now=opened,
            )
            for n in range(3)
        ]
        cases.open_case(uow=uow, principal=owner, subject="Intern", now=opened)
    with scene.uow() as uow:
        dealer = scene.p("dealer-group")
        cases.change_status(uow=uow, principal=dealer, case_id=made[0].id, action="resolve")
        cases.change_status(uow=uow, principal=dealer, case_id=made[1].id, action="start")
    with factory() as session:
        by_status = stats.cases_by_status(session, scene.p("dealer-group"))
        in_time, late = stats.sla_compliance(session, scene.p("dealer-group"), since=opened)
        partners = stats.by_partner(session, scene.p("owner"))
    assert by_status[CaseStatus.OPEN] == 1 and by_status[CaseStatus.IN_PROGRESS] == 1
    assert by_status[CaseStatus.RESOLVED] == 1 and sum(by_status.values()) == 3
    assert in_time + late == 1  # resolved now, after an SLA that started on 1 March
    assert partners == sorted(
        [
            (scene.orgs["supplier-a"].id, 2, 0),
            (scene.orgs["supplier-b"].id, 1, 0),
            (scene.orgs["dealer-group"].id, 0, 2),
        ]
    )


def test_sla_compliance_splits_in_time_from_late_and_counts_only_visible_recent_cases(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-group",))
    now = datetime.now(UTC)
    with scene.uow() as uow:
        owner = scene.p("owner")
        routed = scene.orgs["dealer-group"].id
        late = cases.open_case(
            uow=uow,
            principal=owner,
            subject="Alt",
            customer_id=customer.id,
            routed_to_id=routed,
            now=now - timedelta(days=5),
        )
        fresh = [
            cases.open_case(
                uow=uow, principal=owner, subject=f"Neu {n}", customer_id=customer.id, routed_to_id=routed
            )
            for n in range(2)
        ]
        internal = cases.open_case(uow=uow, principal=owner, subject="Intern")
    with scene.uow() as uow:
        for made in (late, *fresh):
            cases.change_status(uow=uow, principal=scene.p("dealer-group"), case_id=made.id, action="resolve")
        cases.change_status(uow=uow, principal=scene.p("owner"), case_id=internal.id, action="resolve")
    with factory() as session:
        dealer = stats.sla_compliance(session, scene.p("dealer-group"), since=now - timedelta(days=1))
        owner_view = stats.sla_compliance(session, scene.p("owner"), since=now - timedelta(days=1))
        later = stats.sla_compliance(session, scene.p("owner"), since=now + timedelta(days=1))
    assert dealer == (2, 1)  # the two fresh ones within their 24 h, the five-day-old one late
    assert owner_view == (3, 1)  # the owner's internal case too
    assert later == (0, 0)
