"""Schedule lines (issue #17): a supplier splits a line into several deliveries. The split waits for
the buyer's review (always, whatever the tolerance); once agreed, the line is due on its first
delivery not yet covered by what was shipped, and the order's stored due day and late rule follow."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import InvalidInput
from portal.models import Event, LineResponse, Order, OrderStatus
from portal.orders import changes, review
from portal.orders import service as orders
from portal.orders.fulfilment import ShipLine, record_shipment
from tests.builders import Scene, build_scene
from tests.portal.test_order_summaries import assert_facts_and_tallies_current
from tests.portal.test_review import answer, decide, loaded, tolerate

TODAY = date.today()
SOON, LATER = TODAY + timedelta(days=5), TODAY + timedelta(days=40)
SPLIT = (orders.Delivery(Decimal(30), LATER), orders.Delivery(Decimal(20), SOON))


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def split(
    scene: Scene, order: Order, *parts: orders.Delivery, action: LineResponse = LineResponse.CHANGED
) -> None:
    answer(scene, order, orders.LineAnswer(1, action, schedule=parts))


def test_a_split_waits_for_review_even_within_the_tolerance(
    scene: Scene, factory: sessionmaker[Session]
) -> None:
    tolerate(scene, "supplier-a", 365, "100")
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    split(scene, order, *SPLIT, action=LineResponse.ACCEPTED)
    line = loaded(scene, order).lines[0]
    assert line.awaiting_review and line.proposed_response is LineResponse.CHANGED
    assert line.proposed_deliveries == [(Decimal(20), SOON), (Decimal(30), LATER)]
    assert (line.proposed_quantity, line.proposed_date) == (Decimal(50), LATER)
    assert line.deliveries == [] and line.response is LineResponse.PENDING
    assert_facts_and_tallies_current(factory)


def test_an_accepted_split_is_the_schedule_and_the_due_day_follows_shipping(
    scene: Scene, factory: sessionmaker[Session]
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    split(scene, order, *SPLIT)
    decide(scene, order, review.LineDecision(1, True))
    current = loaded(scene, order)
    line = current.lines[0]
    assert line.deliveries == [(Decimal(20), SOON), (Decimal(30), LATER)]
    assert (line.quantity_confirmed, line.promised_date) == (Decimal(50), LATER)
    assert current.status() is OrderStatus.CONFIRMED
    assert current.earliest_open_due == SOON  # the first delivery, not the promised (last) date
    assert_facts_and_tallies_current(factory)
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            number="DN-1",
            shipped_on=TODAY,
            lines=[ShipLine(1, Decimal(20))],
        )
    assert loaded(scene, order).earliest_open_due == LATER  # the first delivery is shipped
    assert_facts_and_tallies_current(factory, today=SOON + timedelta(days=1))


def test_a_rejected_split_leaves_the_line_unanswered(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    split(scene, order, *SPLIT)
    decide(scene, order, review.LineDecision(1, False, "one delivery, please"))
    line = loaded(scene, order).lines[0]
    assert line.deliveries == [] and line.proposed_deliveries == []
    assert line.response is LineResponse.PENDING


def test_the_event_names_the_proposed_deliveries(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    split(scene, order, *SPLIT)
    with scene.factory() as session:
        event = session.scalars(select(Event).where(Event.kind == "order.confirmed")).one()
    assert event.payload["lines"][0]["schedule"] == [
        {"date": SOON.isoformat(), "quantity": "20"},
        {"date": LATER.isoformat(), "quantity": "30"},
    ]


def test_one_delivery_is_a_plain_answer(scene: Scene) -> None:
    tolerate(scene, "supplier-a", 365, "100")
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    split(scene, order, orders.Delivery(Decimal(50), SOON), action=LineResponse.ACCEPTED)
    line = loaded(scene, order).lines[0]
    assert (line.response, line.promised_date, line.schedule) == (LineResponse.ACCEPTED, SOON, None)


@pytest.mark.parametrize(
    ("parts", "field", "detail"),
    [
        (
            (orders.Delivery(Decimal(40), SOON), orders.Delivery(Decimal(20), LATER)),
            "schedule",
            "add up to 60",
        ),
        (
            (orders.Delivery(Decimal(10), SOON), orders.Delivery(Decimal(20), SOON)),
            "schedule[1].date",
            "two deliveries",
        ),
        (
            (orders.Delivery(Decimal(0), SOON), orders.Delivery(Decimal(20), LATER)),
            "schedule[0].quantity",
            "",
        ),
        (
            (orders.Delivery(Decimal(1), TODAY - timedelta(days=400)), orders.Delivery(Decimal(2), LATER)),
            "schedule[0].date",
            "before the order date",
        ),
    ],
)
def test_a_bad_split_is_refused_naming_the_delivery(
    scene: Scene, parts: tuple[orders.Delivery, ...], field: str, detail: str
) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    with pytest.raises(InvalidInput) as caught:
        split(scene, order, *parts)
    assert caught.value.field == f"lines[1].{field}" and detail in caught.value.detail


def test_a_rejection_takes_no_deliveries(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    with pytest.raises(InvalidInput, match="no deliveries"):
        split(scene, order, *SPLIT, action=LineResponse.REJECTED)


def test_the_buyers_change_clears_the_agreed_schedule(scene: Scene, factory: sessionmaker[Session]) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(50,))
    split(scene, order, *SPLIT)
    decide(scene, order, review.LineDecision(1, True))
    with scene.uow() as uow:
        changes.change_order(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            changes=[changes.LineChange(1, Decimal(60))],
        )
    line = loaded(scene, order).lines[0]
    assert line.schedule is None and line.response is LineResponse.PENDING
    assert_facts_and_tallies_current(factory)
