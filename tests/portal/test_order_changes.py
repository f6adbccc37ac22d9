"""The buyer's changes and cancellations of a routed order (issue #17, part 2): each makes a new
version, the changed lines go back to the supplier, shipped and invoiced lines are protected."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.models import Event, LineResponse, Order, OrderStatus, OrderVersion, VersionKind
from portal.notify.notifier import notify_once
from portal.orders import changes
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from tests.builders import Scene, build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_notifier import inbox
from tests.portal.test_order_summaries import assert_facts_and_tallies_current

TODAY = date.today()


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def change(scene: Scene, order: Order, *lines: changes.LineChange, by: str = "owner", **kw: object) -> Order:
    with scene.uow() as uow:
        return changes.change_order(
            uow=uow,
            principal=scene.p(by),
            order_id=order.id,
            changes=lines,
            **kw,  # type: ignore[arg-type]
        )


def confirm_all(scene: Scene, order: Order, supplier: str = "supplier-a") -> None:
    with scene.uow() as uow:
        current = orders.load_order(uow, scene.p(supplier), order.id)
        answers = [
            orders.LineAnswer(line.line_no, LineResponse.ACCEPTED)
            for line in orders.answerable_lines(current)
            if line.response is LineResponse.PENDING
        ]
        orders.respond_to_order(uow=uow, principal=scene.p(supplier), order_id=order.id, answers=answers)


def loaded(scene: Scene, order: Order, by: str = "owner") -> Order:
    with scene.uow() as uow:
        return orders.load_order(uow, scene.p(by), order.id)


def versions(scene: Scene, order: Order, by: str = "owner") -> list[OrderVersion]:
    with scene.uow() as uow:
        return changes.list_versions(uow, scene.p(by), order.id)


def test_a_changed_quantity_makes_version_2_and_the_line_awaits_the_supplier_again(
    scene: Scene, factory: sessionmaker[Session]
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    confirm_all(scene, order)
    assert loaded(scene, order).status() is OrderStatus.CONFIRMED
    later = TODAY + timedelta(days=20)
    change(scene, order, changes.LineChange(1, quantity=Decimal(12), requested_date=later), note="more")
    current = loaded(scene, order)
    first, second = current.lines
    assert (first.quantity_ordered, first.requested_date, first.response) == (
        Decimal(12),
        later,
        LineResponse.PENDING,
    )
    assert first.quantity_confirmed is None
    assert second.response is LineResponse.ACCEPTED  # untouched lines keep their answers
    assert current.status() is OrderStatus.PARTIALLY_CONFIRMED
    assert current.awaiting_confirmation is True
    assert current.net_total == Decimal(12) * Decimal("12.50") + Decimal(5) * Decimal("25.00")
    kept = versions(scene, order)
    assert [(v.number, v.kind) for v in kept] == [(1, VersionKind.ORIGINAL), (2, VersionKind.CHANGED)]
    assert kept[0].lines[0]["quantity"] == "10"
    assert kept[1].lines[0]["quantity"] == "12"
    assert kept[1].note == "more"
    assert kept[1].changes == [
        {
            "line_no": 1,
            "change": "changed",
            "quantity": ["10", "12"],
            "requested_date": [None, later.isoformat()],
        }
    ]
    assert_facts_and_tallies_current(factory)
    confirm_all(scene, order)  # the supplier re-confirms the changed line
    assert loaded(scene, order).status() is OrderStatus.CONFIRMED
    assert_facts_and_tallies_current(factory)


def test_added_and_cancelled_lines_make_one_version_with_both(
    scene: Scene, factory: sessionmaker[Session]
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    confirm_all(scene, order)
    with scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            changes=[changes.LineChange(2, cancel=True)],
            added=[orders.NewOrderLine(quantity=Decimal(3), product_id=scene.products[2].id)],
        )
    current = loaded(scene, order)
    assert [(line.line_no, line.cancelled, line.response) for line in current.lines] == [
        (1, False, LineResponse.ACCEPTED),
        (2, True, LineResponse.ACCEPTED),
        (3, False, LineResponse.PENDING),
    ]
    assert current.net_total == Decimal(10) * Decimal("12.50") + Decimal(3) * Decimal("37.50")
    assert [c["change"] for c in versions(scene, order)[1].changes] == ["cancelled", "added"]
    with scene.factory() as session:
        event = session.scalars(select(Event).where(Event.kind == "order.changed")).one()
    assert event.payload["version"] == 2
    assert event.payload["supplier_id"] == scene.orgs["supplier-a"].id
    assert_facts_and_tallies_current(factory)


def test_a_change_withdraws_the_suppliers_proposal_awaiting_review(
    scene: Scene, factory: sessionmaker[Session]
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(4))],
        )
    assert loaded(scene, order).awaiting_review is True
    change(scene, order, changes.LineChange(1, quantity=Decimal(8)))
    current = loaded(scene, order)
    assert current.awaiting_review is False
    assert current.lines[0].proposed_response is None
    assert current.lines[0].response is LineResponse.PENDING
    with scene.factory() as session:
        event = session.scalars(select(Event).where(Event.kind == "order.changed")).one()
    assert event.payload["withdrawn"] == [1]
    assert_facts_and_tallies_current(factory)


def test_a_shipped_line_cannot_be_changed_or_cancelled(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    confirm_all(scene, order)
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            number="DN-1",
            shipped_on=TODAY,
            lines=[ShipLine(1, Decimal(4))],
        )
    for attempt in (changes.LineChange(1, quantity=Decimal(20)), changes.LineChange(1, cancel=True)):
        with pytest.raises(InvalidState, match=r"line 1 of order .* in state 'shipped \(4"):
            change(scene, order, attempt)
    change(scene, order, changes.LineChange(2, quantity=Decimal(6)))  # the other line still may
    assert loaded(scene, order).lines[1].quantity_ordered == Decimal(6)


def test_an_invoiced_line_cannot_be_cancelled_nor_the_order(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    confirm_all(scene, order)
    with scene.uow() as uow:  # billed before shipping (the three-way match flags it)
        submit_invoice(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            number="INV-1",
            issue_date=TODAY,
            lines=[BillLine(2, Decimal(5))],
        )
    with pytest.raises(InvalidState, match=r"cannot cancel line 2 .* in state 'invoiced \(5"):
        change(scene, order, changes.LineChange(2, cancel=True))
    with pytest.raises(InvalidInput, match="5 of line 2 are invoiced already"):
        change(scene, order, changes.LineChange(2, quantity=Decimal(4)))
    with scene.uow() as uow, pytest.raises(InvalidState, match="invoiced"):
        orders.cancel_order(uow=uow, principal=scene.p("owner"), order_id=order.id)
    assert len(versions(scene, order)) == 0  # nothing was kept of the refused changes


def test_two_editors_at_once_the_second_is_told(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    seen = loaded(scene, order).version
    change(scene, order, changes.LineChange(1, quantity=Decimal(11)), expected_version=seen)
    with pytest.raises(Conflict, match="was changed meanwhile"):
        change(scene, order, changes.LineChange(2, quantity=Decimal(7)), expected_version=seen)
    assert loaded(scene, order).lines[1].quantity_ordered == Decimal(5)
    assert len(versions(scene, order)) == 2


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (changes.LineChange(9, quantity=Decimal(1)), "has no line 9"),
        (changes.LineChange(1, quantity=Decimal(0)), "quantity"),
        (changes.LineChange(1, quantity=Decimal(10)), "changes nothing"),
        (changes.LineChange(1, requested_date=TODAY - timedelta(days=1)), "must not be in the past"),
        (changes.LineChange(1, quantity=Decimal(2), cancel=True), "takes no new quantity"),
    ],
)
def test_bad_changes_are_refused_naming_the_line(
    scene: Scene, line: changes.LineChange, message: str
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    with pytest.raises(InvalidInput, match=message) as caught:
        change(scene, order, line)
    assert caught.value.field.startswith(f"lines[{line.line_no}]")
    assert loaded(scene, order).lines[0].quantity_ordered == Decimal(10)


def test_a_draft_and_a_cancelled_order_cannot_be_changed(scene: Scene) -> None:
    draft = scene.order(scene.customer())
    with pytest.raises(InvalidState, match="draft"):
        change(scene, draft, changes.LineChange(1, quantity=Decimal(2)))
    routed = scene.order(scene.customer("Other"), supplier="supplier-a")
    with scene.uow() as uow:
        orders.cancel_order(uow=uow, principal=scene.p("owner"), order_id=routed.id)
    with pytest.raises(InvalidState, match="cancelled"):
        change(scene, routed, changes.LineChange(1, quantity=Decimal(2)))
    kept = versions(scene, routed)
    assert_facts_and_tallies_current(scene.factory)
    assert [(v.number, v.kind) for v in kept] == [(1, VersionKind.ORIGINAL), (2, VersionKind.CANCELLED)]
    assert all(line["cancelled"] for line in kept[1].lines)
    assert [c["change"] for c in kept[1].changes] == ["cancelled", "cancelled"]


def test_who_may_change(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-group",))
    order = scene.order(customer, dealer="dealer-group", supplier="supplier-a")
    change(scene, order, changes.LineChange(1, quantity=Decimal(3)), by="dealer-group")
    with pytest.raises(PermissionDenied):
        change(scene, order, changes.LineChange(1, quantity=Decimal(4)), by="supplier-a")
    with pytest.raises(NotFound):  # another dealer does not see it at all
        change(scene, order, changes.LineChange(1, quantity=Decimal(4)), by="dealer-other")
    with scene.uow() as uow, pytest.raises(PermissionDenied, match="read-only"):
        changes.change_order(
            uow=uow,
            principal=scene.p("owner", "viewer"),
            order_id=order.id,
            changes=[changes.LineChange(1, quantity=Decimal(4))],
        )


def test_the_supplier_hears_of_a_change_and_of_a_cancellation(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    other_supplier = add_user(scene, "supplier-b", "member")
    sales = add_user(scene, "owner", "sales")
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    with scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=as_user(scene, sales),
            order_id=order.id,
            changes=[changes.LineChange(1, quantity=Decimal(2))],
        )
        orders.cancel_order(uow=uow, principal=as_user(scene, sales), order_id=order.id)
    notify_once(factory)
    told = inbox(factory, supplier)
    assert ("order_changed", "order", order.id) in told
    assert ("order_cancelled", "order", order.id) in told
    assert inbox(factory, other_supplier) == []
    assert inbox(factory, sales) == []  # not told of its own change


def test_an_order_takes_a_bounded_number_of_changes(factory: sessionmaker[Session]) -> None:
    """Order.versions is a bounded list (the API's cost model counts it): past the last change the
    order is refused, naming the way out; it can still be cancelled."""
    from portal.orders.limits import MAX_CHANGES_PER_ORDER

    scene = build_scene(factory)
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    with scene.uow() as uow:  # the changes made before, as versions (faster than 50 changes)
        for number in range(1, MAX_CHANGES_PER_ORDER + 2):
            uow.session.add(
                OrderVersion(order_id=order.id, number=number, kind=VersionKind.CHANGED, lines=[], changes=[])
            )
    with pytest.raises(InvalidState, match=f"changed {MAX_CHANGES_PER_ORDER} times"), scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            changes=[changes.LineChange(1, Decimal(11))],
        )
    with scene.uow() as uow:
        orders.cancel_order(uow=uow, principal=scene.p("owner"), order_id=order.id)
