"""Goods receipts (issue #17.3): counted per line, damages and shortfalls with a reason, flagged (not
lost) beyond what was shipped, the three-way match against what was received, two receivers at once,
and the stored order facts and dashboard tallies equal to their definitions after every step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from portal.models import (
    Event,
    GoodsReceipt,
    GoodsReceiptLine,
    Invoice,
    LineResponse,
    MatchStatus,
    Order,
    OrderLine,
    ReceiptReason,
    Shipment,
)
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from portal.orders.receiving import ReceiveLine, receipts_of_order, record_goods_receipt
from tests.builders import Scene, build_scene
from tests.portal.test_order_summaries import assert_facts_and_tallies_current

TODAY = date.today()


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def shipped(
    scene: Scene, *, dealer: str | None = None, quantities: tuple[int, int] = (10, 5)
) -> tuple[Order, int]:
    """An order to supplier-a, confirmed and shipped whole on one ship notice (its id returned)."""
    customer = scene.customer(shared_with=(dealer,) if dealer else ())
    order = scene.order(customer, dealer=dealer, supplier="supplier-a", quantities=quantities)
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=sp,
            order_id=order.id,
            answers=[orders.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in (1, 2)],
        )
    with scene.uow() as uow:
        shipment = record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number=f"DN-{order.id}",
            shipped_on=TODAY,
            lines=[ShipLine(1, Decimal(quantities[0])), ShipLine(2, Decimal(quantities[1]))],
        )
        return order, shipment.id


def invoice(scene: Scene, order: Order, number: str, *bills: tuple[int, int]) -> Invoice:
    with scene.uow() as uow:
        return submit_invoice(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            number=number,
            issue_date=TODAY,
            lines=[BillLine(n, Decimal(q)) for n, q in bills],
        )


def receive(scene: Scene, order: Order, *lines: ReceiveLine, by: str = "owner", **kw: object) -> GoodsReceipt:
    with scene.uow() as uow:
        return record_goods_receipt(
            uow=uow,
            principal=scene.p(by),
            order_id=order.id,
            received_on=TODAY,
            lines=list(lines),
            **kw,  # type: ignore[arg-type]
        )


def received(scene: Scene, order: Order) -> dict[int, Decimal]:
    with scene.factory() as session:
        rows = session.execute(
            select(OrderLine.line_no, OrderLine.quantity_received).where(OrderLine.order_id == order.id)
        )
        return {n: q for n, q in rows}


def match_of(scene: Scene, invoice_id: int) -> MatchStatus:
    with scene.factory() as session:
        return session.get_one(Invoice, invoice_id).match_status


def count(scene: Scene, model: type[object]) -> int:
    with scene.factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_a_shortfall_on_the_ship_notice_is_stored_with_its_reason_and_flags_the_invoice(scene: Scene) -> None:
    order, shipment_id = shipped(scene)
    billed = invoice(scene, order, "INV-1", (1, 10), (2, 5))
    assert billed.match_status is MatchStatus.MATCHED  # no receipt yet: matched against shipped
    receipt = receive(
        scene,
        order,
        ReceiveLine(1, Decimal(10)),
        ReceiveLine(
            2, Decimal(4), damaged=Decimal(1), reason=ReceiptReason.DAMAGED, note="Karton eingedrückt"
        ),
        shipment_id=shipment_id,
    )
    assert receipt.has_discrepancy and not receipt.over_received
    assert received(scene, order) == {1: Decimal(10), 2: Decimal(3)}
    with scene.factory() as session:
        stored = receipts_of_order(session, scene.p("supplier-a"), order.id)
        assert [r.shipment_id for r in stored] == [shipment_id]
        line2 = stored[0].lines[1]
        assert (
            line2.quantity,
            line2.quantity_damaged,
            line2.shortfall_quantity,
            line2.reason,
            line2.note,
        ) == (
            Decimal(4),
            Decimal(1),
            Decimal(1),
            ReceiptReason.DAMAGED,
            "Karton eingedrückt",
        )
        assert line2.quantity_accepted == Decimal(3)
    # 5 billed, 3 accepted: the invoice is flagged (over_billed is about shipped, untouched)
    assert match_of(scene, billed.id) is MatchStatus.ABOVE_RECEIVED
    with scene.factory() as session:
        event = session.scalars(select(Event).where(Event.kind == "goods_receipt.recorded")).one()
        assert event.payload["has_discrepancy"] is True
        assert event.payload["rematched_invoices"] == [billed.id]
        assert event.payload["lines"][1]["shortfall"] in ("1", 1, "1.0000")
    assert_facts_and_tallies_current(scene.factory)

    # The rest arrives: the invoice matches again.
    receive(scene, order, ReceiveLine(2, Decimal(2)))
    assert received(scene, order) == {1: Decimal(10), 2: Decimal(5)}
    assert match_of(scene, billed.id) is MatchStatus.MATCHED
    assert_facts_and_tallies_current(scene.factory)


def test_an_invoice_after_a_receipt_is_matched_against_what_was_received(scene: Scene) -> None:
    order, _ = shipped(scene)
    receive(scene, order, ReceiveLine(1, Decimal(6), reason=ReceiptReason.SHORT))
    within = invoice(scene, order, "INV-1", (1, 6))
    assert within.match_status is MatchStatus.MATCHED
    above = invoice(scene, order, "INV-2", (1, 2))
    assert above.match_status is MatchStatus.ABOVE_RECEIVED
    # over-billed (beyond shipped) says more and stays
    beyond = invoice(scene, order, "INV-3", (2, 9))
    assert beyond.match_status is MatchStatus.OVER_BILLED
    receive(scene, order, ReceiveLine(1, Decimal(4)), ReceiveLine(2, Decimal(5)))
    assert match_of(scene, beyond.id) is MatchStatus.OVER_BILLED
    assert match_of(scene, above.id) is MatchStatus.MATCHED
    assert_facts_and_tallies_current(scene.factory)


def test_a_receipt_beyond_what_was_shipped_is_kept_and_flagged(scene: Scene) -> None:
    order, _ = shipped(scene, quantities=(10, 5))
    receipt = receive(scene, order, ReceiveLine(1, Decimal(12)))
    assert receipt.over_received
    assert received(scene, order)[1] == Decimal(12)
    with scene.factory() as session:
        line = session.scalars(select(GoodsReceiptLine)).one()
        assert (line.quantity, line.excess_quantity) == (Decimal(12), Decimal(2))
    # a second receipt beyond: only its own excess
    again = receive(scene, order, ReceiveLine(1, Decimal(1)))
    assert again.over_received
    with scene.factory() as session:
        lines = session.scalars(select(GoodsReceiptLine).order_by(GoodsReceiptLine.id)).all()
        assert [x.excess_quantity for x in lines] == [Decimal(2), Decimal(1)]
    assert_facts_and_tallies_current(scene.factory)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (ReceiveLine(9, Decimal(1)), "lines[2].line_no", "has no line 9"),
        (ReceiveLine(2, Decimal(-1)), "lines[2].quantity", "negative"),
        (ReceiveLine(2, Decimal("1.5")), "lines[2].quantity", ""),
        (
            ReceiveLine(2, Decimal(2), damaged=Decimal(3), reason=ReceiptReason.DAMAGED),
            "lines[2].damaged",
            "between",
        ),
        (ReceiveLine(2, Decimal(2), damaged=Decimal(1)), "lines[2].reason", "reason code"),
        (ReceiveLine(1, Decimal(1)), "lines[2].line_no", "counted twice"),
    ],
)
def test_bad_lines_are_refused_naming_the_field_and_nothing_is_kept(
    scene: Scene, line: ReceiveLine, field: str, message: str
) -> None:
    order, _ = shipped(scene)
    with pytest.raises(InvalidInput) as error:
        receive(scene, order, ReceiveLine(1, Decimal(10)), line)
    assert error.value.field == field and message in error.value.detail
    assert count(scene, GoodsReceipt) == 0 and count(scene, GoodsReceiptLine) == 0
    assert received(scene, order) == {1: Decimal(0), 2: Decimal(0)}


def test_a_shortfall_needs_a_reason_and_the_notice_must_be_the_orders(scene: Scene) -> None:
    order, shipment_id = shipped(scene)
    with pytest.raises(InvalidInput) as error:
        receive(scene, order, ReceiveLine(1, Decimal(8)), shipment_id=shipment_id)
    assert error.value.field == "lines[1].reason"
    _other, other_shipment = shipped(scene)
    with pytest.raises(InvalidInput) as error:
        receive(scene, order, ReceiveLine(1, Decimal(10)), shipment_id=other_shipment)
    assert error.value.field == "shipment"
    assert count(scene, GoodsReceipt) == 0


def test_who_may_receive(scene: Scene) -> None:
    order, _ = shipped(scene, dealer="dealer-branch")
    with pytest.raises(PermissionDenied):
        receive(scene, order, ReceiveLine(1, Decimal(1)), by="supplier-a")
    with pytest.raises(NotFound):  # an order it does not have: as a missing one
        receive(scene, order, ReceiveLine(1, Decimal(1)), by="dealer-other")
    with pytest.raises(NotFound):
        receive(scene, order, ReceiveLine(1, Decimal(1)), by="supplier-b")
    receipt = receive(scene, order, ReceiveLine(1, Decimal(10)), by="dealer-branch")
    assert receipt.received_by_org_id == scene.orgs["dealer-branch"].id
    # the group above the branch sees it and may receive as well
    receive(scene, order, ReceiveLine(2, Decimal(5)), by="dealer-group")
    assert received(scene, order) == {1: Decimal(10), 2: Decimal(5)}


def test_two_receivers_at_once_the_second_is_told(scene: Scene) -> None:
    order, _ = shipped(scene)
    with scene.factory() as session:
        version = session.get_one(Order, order.id).version
    receive(scene, order, ReceiveLine(1, Decimal(10)), expected_version=version)
    with pytest.raises(Conflict, match="changed meanwhile"):
        receive(scene, order, ReceiveLine(1, Decimal(10)), expected_version=version)
    assert received(scene, order)[1] == Decimal(10)
    assert count(scene, GoodsReceipt) == 1


def test_an_order_not_yet_shipped_may_be_received_flagged(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in (1, 2)],
        )
    receipt = receive(scene, order, ReceiveLine(1, Decimal(3)))
    assert receipt.over_received
    assert count(scene, Shipment) == 0
    assert_facts_and_tallies_current(scene.factory)
