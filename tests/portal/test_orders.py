from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import permissions as may
from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.models import Event, LineResponse, MatchStatus, Order, OrderStatus
from portal.orders import service as orders
from portal.orders.fulfilment import BillLine, ShipLine, record_shipment, submit_invoice
from tests.builders import Scene, build_scene


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def status_of(scene: Scene, order_id: int) -> OrderStatus:
    with scene.uow() as uow:
        return orders.load_order(uow, scene.p("owner"), order_id).status()


def test_branch_order_is_visible_to_its_dealer_group_with_delivery_party_copied(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-branch",))
    order = scene.order(customer, by="dealer-branch")
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("dealer-group"), order.id)
        assert loaded.dealer_id == scene.orgs["dealer-branch"].id
        assert loaded.delivery_name == "Müller GmbH"
        assert loaded.delivery_city == "Berlin"
        assert [line.quantity_ordered for line in loaded.lines] == [Decimal(10), Decimal(5)]
        assert loaded.status() is OrderStatus.DRAFT


def test_dealer_cannot_order_for_customer_not_shared_with_it(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-other",))
    with pytest.raises(NotFound, match=f"customer {customer.id} not found"):
        scene.order(customer, by="dealer-group")


def test_supplier_cannot_create_orders(scene: Scene) -> None:
    customer = scene.customer()
    with pytest.raises(PermissionDenied):
        scene.order(customer, by="supplier-a")


def test_status_follows_line_quantities_through_the_whole_flow(scene: Scene) -> None:
    customer = scene.customer()
    order = scene.order(customer, supplier="supplier-a", quantities=(10, 4))
    assert status_of(scene, order.id) is OrderStatus.AWAITING_CONFIRMATION
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=sp,
            order_id=order.id,
            answers=[
                orders.LineAnswer(
                    1,
                    LineResponse.CHANGED,
                    quantity=Decimal(8),
                    promised_date=date.today() + timedelta(days=3),
                )
            ],
        )
    assert status_of(scene, order.id) is OrderStatus.AWAITING_CONFIRMATION  # the change awaits review
    scene.accept_changes(order)
    assert status_of(scene, order.id) is OrderStatus.PARTIALLY_CONFIRMED
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow, principal=sp, order_id=order.id, answers=[orders.LineAnswer(2, LineResponse.ACCEPTED)]
        )
    assert status_of(scene, order.id) is OrderStatus.CONFIRMED
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(8))],
            carrier="DHL",
            tracking_number="JD0001",
        )
    assert status_of(scene, order.id) is OrderStatus.PARTIALLY_SHIPPED
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-2",
            shipped_on=date.today(),
            lines=[ShipLine(2, Decimal(4))],
        )
    assert status_of(scene, order.id) is OrderStatus.SHIPPED
    with scene.uow() as uow:
        invoice = submit_invoice(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="R-1",
            issue_date=date.today(),
            lines=[BillLine(1, Decimal(8)), BillLine(2, Decimal(4))],
        )
        assert invoice.match_status is MatchStatus.MATCHED
        assert invoice.net_total == Decimal("8") * Decimal("12.50") + Decimal(4) * Decimal(25)
        assert invoice.gross_total == invoice.net_total + invoice.tax_total
    assert status_of(scene, order.id) is OrderStatus.INVOICED


def test_confirming_more_than_ordered_is_invalid_input_and_nothing_is_written(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    with scene.factory() as session:
        events_before = session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(InvalidInput) as err, scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(11))],
        )
    assert err.value.field == "lines[1].quantity"
    assert "more than the 10 ordered" in err.value.message
    assert status_of(scene, order.id) is OrderStatus.AWAITING_CONFIRMATION
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events_before


def test_negative_quantity_and_unknown_product_name_the_field(scene: Scene) -> None:
    customer = scene.customer()
    with pytest.raises(InvalidInput) as err, scene.uow() as uow:
        orders.create_order(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            lines=[orders.NewOrderLine(product_id=scene.products[0].id, quantity=Decimal(-1))],
        )
    assert err.value.field == "lines[1].quantity"
    with pytest.raises(InvalidInput) as err, scene.uow() as uow:
        orders.create_order(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            lines=[orders.NewOrderLine(sku="NOPE", quantity=Decimal(1))],
        )
    assert err.value.field == "lines[1].product"
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_invoice_billing_more_than_shipped_is_flagged_over_billed(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow, principal=sp, order_id=order.id, answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)]
        )
        record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(6))],
        )
    with scene.uow() as uow:
        invoice = submit_invoice(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="R-1",
            issue_date=date.today(),
            lines=[BillLine(1, Decimal(9))],
        )
        assert invoice.match_status is MatchStatus.OVER_BILLED
        assert invoice.lines[0].excess_quantity == Decimal(3)


def test_shipping_more_than_confirmed_is_refused(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=sp,
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(4))],
        )
    scene.accept_changes(order)
    with pytest.raises(InvalidInput, match="more than the 4 confirmed"), scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-1",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(5))],
        )


def test_other_supplier_cannot_see_or_confirm_the_order(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a")
    with pytest.raises(NotFound) as hidden, scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-b"),
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)],
        )
    with pytest.raises(NotFound) as missing, scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-b"),
            order_id=order.id + 1000,
            answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)],
        )
    assert hidden.value.message.replace(str(order.id), "#") == missing.value.message.replace(
        str(order.id + 1000), "#"
    )


def test_illegal_state_change_names_state_and_action(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(3,))
    scene.fulfil(order, "supplier-a")
    with (
        pytest.raises(InvalidState, match="cannot confirm or change order in state 'invoiced'"),
        scene.uow() as uow,
    ):
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)],
        )


def test_stale_expected_version_is_a_conflict(scene: Scene) -> None:
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(3,))
    with pytest.raises(Conflict, match="changed meanwhile"), scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)],
            expected_version=order.version - 1,
        )


def test_viewer_role_is_read_only(scene: Scene) -> None:
    customer = scene.customer()
    with pytest.raises(PermissionDenied, match="read-only"), scene.uow() as uow:
        orders.create_order(
            uow=uow,
            principal=scene.p("owner", "viewer"),
            customer_id=customer.id,
            lines=[orders.NewOrderLine(product_id=scene.products[0].id, quantity=Decimal(1))],
        )


# --- prices come from the catalogue unless the role may set them (issue #12, item 11) ------------


def _order_at(scene: Scene, who: str, price: str | None, *roles: str) -> Order:
    customer = scene.customer(shared_with=("dealer-group",))
    product = scene.products[0]
    with scene.uow() as uow:
        return orders.create_order(
            uow=uow,
            principal=scene.p(who, *roles),
            customer_id=customer.id,
            lines=[
                orders.NewOrderLine(
                    product_id=product.id,
                    quantity=Decimal(2),
                    unit_price=Decimal(price) if price is not None else None,
                )
            ],
        )


def test_a_dealers_own_unit_price_is_refused_and_nothing_is_stored(scene: Scene) -> None:
    with pytest.raises(InvalidInput) as refused:
        _order_at(scene, "dealer-group", "0")
    assert refused.value.field == "lines[1].unit_price" and "catalogue price" in refused.value.detail
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_dealer_orders_at_the_catalogue_price_given_or_not(scene: Scene) -> None:
    for price in (None, "12.50"):
        order = _order_at(scene, "dealer-group", price)
        with scene.uow() as uow:
            line = orders.load_order(uow, scene.p("owner"), order.id).lines[0]
            assert (line.unit_price, line.list_price, line.price_overridden) == (
                Decimal("12.50"),
                Decimal("12.50"),
                False,
            )


def test_owner_sales_may_set_a_price_and_the_override_is_kept_beside_the_list_price(scene: Scene) -> None:
    order = _order_at(scene, "owner", "9.99", "sales")
    with scene.uow() as uow:
        line = orders.load_order(uow, scene.p("owner"), order.id).lines[0]
        assert (line.unit_price, line.list_price, line.price_overridden) == (
            Decimal("9.99"),
            Decimal("12.50"),
            True,
        )
    assert may.can_set_prices(scene.p("owner", "admin"))
    assert not may.can_set_prices(scene.p("owner", "support"))
    assert not may.can_set_prices(scene.p("dealer-group", "admin"))


def _partly_invoiced_with_pending_lines(scene: Scene) -> Order:
    """docs/api.md steps 3-5: accept line 1, change line 2, leave 3 and 4 pending, ship, invoice."""
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(4, 6, 3, 2))
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=sp,
            order_id=order.id,
            answers=[
                orders.LineAnswer(1, LineResponse.ACCEPTED),
                orders.LineAnswer(2, LineResponse.CHANGED, quantity=Decimal(5)),
            ],
        )
    scene.accept_changes(order)
    with scene.uow() as uow:
        record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-P",
            shipped_on=date.today(),
            lines=[ShipLine(1, Decimal(4))],
        )
    with scene.uow() as uow:
        submit_invoice(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="R-P",
            issue_date=date.today(),
            lines=[BillLine(1, Decimal(4))],
        )
    assert status_of(scene, order.id) is OrderStatus.PARTIALLY_INVOICED
    return order


def test_pending_lines_can_still_be_answered_once_the_order_is_partly_invoiced(scene: Scene) -> None:
    order = _partly_invoiced_with_pending_lines(scene)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("supplier-a"), order.id)
        assert [line.line_no for line in orders.answerable_lines(loaded)] == [3, 4]
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[
                orders.LineAnswer(3, LineResponse.ACCEPTED),
                orders.LineAnswer(4, LineResponse.REJECTED, reason="discontinued"),
            ],
        )
    scene.accept_changes(order)
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
        assert [(line.response, line.quantity_confirmed) for line in loaded.lines[2:]] == [
            (LineResponse.ACCEPTED, Decimal(3)),
            (LineResponse.REJECTED, Decimal(0)),
        ]
        assert orders.answerable_lines(loaded) == []


def test_an_answered_line_of_an_order_in_fulfilment_stays_settled(scene: Scene) -> None:
    order = _partly_invoiced_with_pending_lines(scene)
    with (
        pytest.raises(
            InvalidState, match="cannot change order line in state 'changed in a partially_invoiced"
        ),
        scene.uow() as uow,
    ):
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[
                orders.LineAnswer(3, LineResponse.ACCEPTED),
                orders.LineAnswer(2, LineResponse.REJECTED),
            ],
        )
    with scene.uow() as uow:
        loaded = orders.load_order(uow, scene.p("owner"), order.id)
        assert [line.response for line in loaded.lines] == [
            LineResponse.ACCEPTED,
            LineResponse.CHANGED,
            LineResponse.PENDING,
            LineResponse.PENDING,
        ]
