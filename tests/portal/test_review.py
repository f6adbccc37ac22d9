"""The buyer's review of supplier changes (issue #17): a change beyond the supplier's tolerance waits
beside the agreed figures until the owner's staff accept or reject it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import Conflict, InvalidInput, InvalidState, PermissionDenied
from portal.models import Event, LineResponse, Order, OrderStatus, ReviewOutcome
from portal.notify.notifier import notify_once
from portal.orders import review
from portal.orders import service as orders
from portal.orders.fulfilment import ShipLine, record_shipment
from portal.orders.queries import OrderQuery, list_orders
from tests.builders import Scene, build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_notifier import inbox

TODAY = date.today()


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def answer(scene: Scene, order: Order, *answers: orders.LineAnswer, supplier: str = "supplier-a") -> None:
    with scene.uow() as uow:
        orders.respond_to_order(uow=uow, principal=scene.p(supplier), order_id=order.id, answers=answers)


def decide(
    scene: Scene, order: Order, *decisions: review.LineDecision, by: str = "owner", **kw: object
) -> None:
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=scene.p(by),
            order_id=order.id,
            decisions=decisions,
            **kw,  # type: ignore[arg-type]
        )


def loaded(scene: Scene, order: Order) -> Order:
    with scene.uow() as uow:
        return orders.load_order(uow, scene.p("owner"), order.id)


def tolerate(scene: Scene, supplier: str, days: int, percent: str) -> None:
    with scene.uow() as uow:
        review.set_tolerance(
            uow=uow,
            principal=scene.p("owner", "admin"),
            organization_id=scene.orgs[supplier].id,
            days=days,
            quantity_percent=Decimal(percent),
        )


def test_a_cut_quantity_and_a_rejection_wait_for_review_and_the_agreed_total_stays(scene: Scene) -> None:
    """The issue's case: 50 cut to 1 and another line rejected must not confirm the order."""
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50, 4))  # 625 + 100
    answer(
        scene,
        order,
        orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(1)),
        orders.LineAnswer(2, LineResponse.REJECTED, reason="discontinued"),
    )
    current = loaded(scene, order)
    assert current.status() is OrderStatus.AWAITING_CONFIRMATION
    assert (current.net_total, current.proposed_total) == (Decimal("725"), Decimal("12.5"))
    assert (current.awaiting_review, current.awaiting_confirmation) == (True, False)
    assert [(line.response, line.proposed_response) for line in current.lines] == [
        (LineResponse.PENDING, LineResponse.CHANGED),
        (LineResponse.PENDING, LineResponse.REJECTED),
    ]
    assert current.lines[1].proposed_reason == "discontinued"
    with scene.factory() as session:
        event = session.scalars(select(Event).where(Event.kind == "order.confirmed")).one()
        assert [line["review"] for line in event.payload["lines"]] == [True, True]
    with scene.uow() as uow:  # the review inbox: the orders awaiting review
        page = list_orders(uow.session, scene.p("owner"), OrderQuery(awaiting_review=True))
        assert [row.id for row in page.items] == [order.id]


def test_accepting_applies_the_change_and_rejecting_keeps_the_agreed_line(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50, 4))
    answer(
        scene,
        order,
        orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(40), unit_price=Decimal("12")),
        orders.LineAnswer(2, LineResponse.REJECTED, reason="discontinued"),
    )
    decide(
        scene,
        order,
        review.LineDecision(1, accept=True),
        review.LineDecision(2, accept=False, reason="we still need it"),
    )
    current = loaded(scene, order)
    one, two = current.lines
    assert (one.response, one.quantity_confirmed, one.confirmed_price) == (
        LineResponse.CHANGED,
        Decimal(40),
        Decimal(12),
    )
    assert (one.review_outcome, one.proposed_response) == (ReviewOutcome.ACCEPTED, None)
    assert (two.response, two.review_outcome, two.review_reason) == (
        LineResponse.PENDING,
        ReviewOutcome.REJECTED,
        "we still need it",
    )
    assert current.net_total == Decimal(480) + Decimal(100)
    assert (current.awaiting_review, current.awaiting_confirmation) == (False, True)  # line 2 again
    assert current.status() is OrderStatus.PARTIALLY_CONFIRMED
    with scene.factory() as session:
        event = session.scalars(select(Event).where(Event.kind == "order.change_reviewed")).one()
        assert event.payload["lines"] == [
            {"line_no": 1, "action": "changed", "outcome": "accepted"},
            {"line_no": 2, "action": "rejected", "outcome": "rejected", "reason": "we still need it"},
        ]


def test_changes_within_the_tolerance_hold_at_once_and_beyond_it_wait(scene: Scene) -> None:
    tolerate(scene, "supplier-a", days=3, percent="10")
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50, 50, 50, 50))
    with scene.uow() as uow:
        for line in orders.load_order(uow, scene.p("owner"), order.id).lines:
            line.requested_date = TODAY + timedelta(days=10)
    answer(
        scene,
        order,
        orders.LineAnswer(
            1, LineResponse.CHANGED, quantity=Decimal(45), promised_date=TODAY + timedelta(days=13)
        ),
        orders.LineAnswer(2, LineResponse.CHANGED, quantity=Decimal(44)),  # 12 % less
        orders.LineAnswer(3, LineResponse.ACCEPTED, promised_date=TODAY + timedelta(days=14)),  # 4 days late
        orders.LineAnswer(4, LineResponse.CHANGED, unit_price=Decimal("12.49")),  # a price: never
    )
    current = loaded(scene, order)
    assert [line.awaiting_review for line in current.lines] == [False, True, True, True]
    assert (current.lines[0].response, current.lines[0].quantity_confirmed) == (LineResponse.CHANGED, 45)
    assert current.lines[0].promised_date == TODAY + timedelta(days=13)


def test_with_no_tolerance_agreed_a_date_change_is_reviewed_and_accepting_as_ordered_is_not(
    scene: Scene,
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(5, 5))
    with scene.uow() as uow:
        orders.load_order(uow, scene.p("owner"), order.id).lines[0].requested_date = TODAY + timedelta(days=5)
    answer(
        scene,
        order,
        orders.LineAnswer(1, LineResponse.ACCEPTED, promised_date=TODAY + timedelta(days=6)),
        orders.LineAnswer(2, LineResponse.ACCEPTED),
    )
    current = loaded(scene, order)
    assert [line.awaiting_review for line in current.lines] == [True, False]
    assert current.lines[0].proposed_date == TODAY + timedelta(days=6)
    assert current.lines[0].promised_date is None  # nothing agreed yet


def test_a_new_answer_replaces_the_waiting_proposal(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    answer(scene, order, orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)))
    answer(scene, order, orders.LineAnswer(1, LineResponse.ACCEPTED))  # thought better of it
    current = loaded(scene, order)
    assert (current.awaiting_review, current.status()) == (False, OrderStatus.CONFIRMED)
    assert current.lines[0].proposed_response is None


def test_two_reviewers_at_once_the_second_is_told(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    answer(scene, order, orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)))
    version = loaded(scene, order).version
    decide(scene, order, review.LineDecision(1, accept=True), expected_version=version)
    with pytest.raises(Conflict, match="changed meanwhile"):
        decide(scene, order, review.LineDecision(1, accept=False, reason="no"), expected_version=version)
    with pytest.raises(InvalidState, match=r"line 1 of order .*without a change awaiting review"):
        decide(scene, order, review.LineDecision(1, accept=False, reason="no"))
    assert loaded(scene, order).lines[0].review_outcome is ReviewOutcome.ACCEPTED  # the first one won


def test_reviewing_a_line_without_a_change_or_an_unknown_line_is_refused(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    answer(scene, order, orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)))
    with pytest.raises(InvalidState, match="cannot review line 2 of order"):
        decide(scene, order, review.LineDecision(2, accept=True))
    with pytest.raises(InvalidInput) as err:
        decide(scene, order, review.LineDecision(9, accept=True))
    assert err.value.field == "lines[9]"
    with pytest.raises(InvalidInput) as err:
        decide(scene, order, review.LineDecision(1, accept=False, reason="  "))
    assert (err.value.field, loaded(scene, order).awaiting_review) == ("lines[1].reason", True)
    with pytest.raises(InvalidInput, match="decide on at least one line"):
        decide(scene, order)


def test_a_shipped_line_cannot_be_changed_and_a_change_below_the_shipped_quantity_not_accepted(
    scene: Scene,
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5, 5))
    answer(scene, order, *(orders.LineAnswer(n, LineResponse.ACCEPTED) for n in (1, 2)))  # 3 stays open
    answer(scene, order, orders.LineAnswer(2, LineResponse.CHANGED, quantity=Decimal(3)))
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            number="DN-1",
            shipped_on=TODAY,
            lines=[ShipLine(1, Decimal(10)), ShipLine(2, Decimal(4))],
        )
    assert loaded(scene, order).status() is OrderStatus.PARTIALLY_SHIPPED
    with pytest.raises(InvalidState, match=r"cannot change line 1 of order .* in state 'shipped'"):
        answer(scene, order, orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(4)))
    with pytest.raises(InvalidInput, match="line 2 has 4 shipped, more than the 3 the change confirms"):
        decide(scene, order, review.LineDecision(2, accept=True))
    decide(scene, order, review.LineDecision(2, accept=False, reason="ship the fifth piece"))
    assert loaded(scene, order).lines[1].quantity_confirmed == Decimal(5)


@pytest.mark.parametrize(
    ("slug", "roles", "error"),
    [
        ("supplier-a", ("admin",), PermissionDenied),
        ("dealer-branch", ("admin",), PermissionDenied),
        ("owner", ("support",), PermissionDenied),
        ("owner", ("viewer",), PermissionDenied),
        ("supplier-b", ("admin",), PermissionDenied),
        ("dealer-other", ("admin",), PermissionDenied),
    ],
)
def test_only_owner_sales_and_admins_review(
    scene: Scene, slug: str, roles: tuple[str, ...], error: type
) -> None:
    customer = scene.customer(shared_with=("dealer-branch",))
    order = scene.order(customer, dealer="dealer-branch", supplier="supplier-a", quantities=(10,))
    answer(scene, order, orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)))
    with pytest.raises(error), scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=scene.p(slug, *roles),
            order_id=order.id,
            decisions=[review.LineDecision(1, accept=True)],
        )
    decide(scene, order, review.LineDecision(1, accept=True), by="owner")  # sales (the default)


def test_tolerances_are_agreed_by_owner_admins_for_suppliers_within_bounds(scene: Scene) -> None:
    def set_it(slug: str, days: int, percent: str, *roles: str, org: str = "supplier-a") -> None:
        with scene.uow() as uow:
            review.set_tolerance(
                uow=uow,
                principal=scene.p(slug, *roles),
                organization_id=scene.orgs[org].id,
                days=days,
                quantity_percent=Decimal(percent),
            )

    with pytest.raises(PermissionDenied, match="only owner admins"):
        set_it("owner", 2, "5", "sales")
    with pytest.raises(PermissionDenied):
        set_it("supplier-a", 2, "5", "admin")
    with pytest.raises(InvalidInput, match="is not a supplier"):
        set_it("owner", 2, "5", "admin", org="dealer-other")
    with pytest.raises(InvalidInput) as err:
        set_it("owner", -1, "5", "admin")
    assert err.value.field == "tolerance_days"
    with pytest.raises(InvalidInput) as err:
        set_it("owner", 1, "100.5", "admin")
    assert err.value.field == "tolerance_quantity_percent"
    set_it("owner", 2, "5", "admin")
    with scene.factory() as session:
        supplier = session.get_one(type(scene.orgs["supplier-a"]), scene.orgs["supplier-a"].id)
        assert (supplier.tolerance_days, supplier.tolerance_quantity_percent) == (2, Decimal(5))


def test_the_supplier_and_the_dealer_hear_the_outcome(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    other_supplier = add_user(scene, "supplier-b", "member")
    dealer = add_user(scene, "dealer-branch", "member")
    sales = add_user(scene, "owner", "sales")
    customer = scene.customer(shared_with=("dealer-branch",))
    order = scene.order(customer, dealer="dealer-branch", supplier="supplier-a", quantities=(10,))
    answer(scene, order, orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)))
    with scene.uow() as uow:
        review.review_line_changes(
            uow=uow,
            principal=as_user(scene, sales),
            order_id=order.id,
            decisions=[review.LineDecision(1, accept=False, reason="we need 10")],
        )
    notify_once(factory)
    reviewed = ("order_change_reviewed", "order", order.id)
    assert reviewed in inbox(factory, supplier)
    assert reviewed in inbox(factory, dealer)
    assert reviewed not in inbox(factory, sales)  # the reviewer is not told of its own decision
    assert inbox(factory, other_supplier) == []


def test_the_supplier_may_ship_what_it_proposed_while_the_review_waits(scene: Scene) -> None:
    """An EDI ship notice often follows the answer at once: it may ship up to the proposed quantity
    of a line whose first answer waits, not more, and never a line it proposes to reject."""
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    answer(
        scene,
        order,
        orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(8)),
        orders.LineAnswer(2, LineResponse.REJECTED),
    )
    assert loaded(scene, order).status() is OrderStatus.AWAITING_CONFIRMATION

    def ship(number: str, *lines: ShipLine) -> None:
        with scene.uow() as uow:
            record_shipment(
                uow=uow,
                principal=scene.p("supplier-a"),
                order_id=order.id,
                number=number,
                shipped_on=TODAY,
                lines=list(lines),
            )

    with pytest.raises(InvalidInput, match="more than the 8 confirmed"):
        ship("DN-1", ShipLine(1, Decimal(9)))
    with pytest.raises(InvalidState, match="cannot ship order line in state 'pending'"):
        ship("DN-1", ShipLine(2, Decimal(1)))
    ship("DN-1", ShipLine(1, Decimal(8)))
    decide(scene, order, review.LineDecision(1, accept=True), review.LineDecision(2, accept=True))
    current = loaded(scene, order)
    assert current.status() is OrderStatus.SHIPPED
    assert (current.lines[0].quantity_confirmed, current.lines[0].quantity_shipped) == (8, 8)
