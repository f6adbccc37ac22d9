"""Order pages and the supplier's, dealer's and owner's order forms."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.models import Order, OrderStatus
from tests.web.conftest import WebWorld, post_form


def _routed_order(world: WebWorld, quantities: tuple[int, ...] = (10, 5)) -> Order:
    customer = world.scene.customer(shared_with=("dealer-group",))
    return world.scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=quantities)


def _status(world: WebWorld, order_id: int) -> OrderStatus:
    from portal.orders.queries import order_statuses

    with world.scene.factory() as session:
        return order_statuses(session, [order_id])[order_id]


def test_supplier_confirms_part_of_an_order(world: WebWorld) -> None:
    order = _routed_order(world)
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    version = re.search(r'name="version" value="(\d+)"', client.get(url).text)
    assert version
    response = post_form(
        client,
        url,
        f"{url}/respond",
        {"version": version.group(1), "line-1-action": "accepted", "line-1-quantity": "8"},
    )
    assert response.status_code == 303, response.text
    assert _status(world, order.id) is OrderStatus.PARTIALLY_CONFIRMED
    page = client.get(url)
    assert "Your answer has been saved." in page.text
    assert re.search(r'id="order-status"><span class="badge s-partially_confirmed">', page.text)


def test_a_stale_confirmation_form_says_so_instead_of_overwriting(world: WebWorld) -> None:
    order = _routed_order(world)
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    response = post_form(client, url, f"{url}/respond", {"version": "1", "line-1-action": "rejected"})
    assert response.status_code == 409
    assert "changed this record meanwhile" in response.text
    assert _status(world, order.id) is OrderStatus.AWAITING_CONFIRMATION


def test_confirming_more_than_ordered_shows_the_error_at_the_line_and_keeps_the_input(
    world: WebWorld,
) -> None:
    order = _routed_order(world)
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    page = client.get(url)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    response = post_form(
        client,
        url,
        f"{url}/respond",
        {"version": version.group(1), "line-2-action": "changed", "line-2-quantity": "99"},
    )
    assert response.status_code == 400
    assert 'id="line-2-quantity-error"' in response.text
    assert 'value="99"' in response.text
    assert _status(world, order.id) is OrderStatus.AWAITING_CONFIRMATION


def test_supplier_records_a_shipment_and_submits_an_invoice(world: WebWorld) -> None:
    order = _routed_order(world, quantities=(4,))
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    page = client.get(url)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    post_form(client, url, f"{url}/respond", {"version": version.group(1), "line-1-action": "accepted"})
    shipped = post_form(
        client,
        url,
        f"{url}/shipments",
        {
            "number": "DN-1",
            "shipped_on": "2026-01-05",
            "carrier": "DHL",
            "line-1-quantity": "4",
            "packages": "1",
        },
    )
    assert shipped.status_code == 303, shipped.text
    assert _status(world, order.id) is OrderStatus.SHIPPED
    billed = post_form(
        client,
        url,
        f"{url}/invoices",
        {"number": "INV-1", "issue_date": "2026-01-06", "line-1-quantity": "4"},
    )
    assert billed.status_code == 303, billed.text
    assert _status(world, order.id) is OrderStatus.INVOICED
    page = client.get(url)
    assert "DN-1" in page.text and "INV-1" in page.text
    assert "Ship notice recorded" in page.text and "Invoice submitted" in page.text


def test_shipping_more_than_confirmed_is_reported_at_the_line(world: WebWorld) -> None:
    order = _routed_order(world, quantities=(4, 2))
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    page = client.get(url)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    post_form(
        client,
        url,
        f"{url}/respond",
        {"version": version.group(1), "line-1-action": "accepted", "line-2-action": "accepted"},
    )
    response = post_form(
        client,
        url,
        f"{url}/shipments",
        {"number": "DN-2", "shipped_on": "2026-01-05", "line-1-quantity": "", "line-2-quantity": "3"},
    )
    assert response.status_code == 400
    assert 'id="line-2-quantity-error"' in response.text  # not line 1: the form names lines by number
    assert 'value="DN-2"' in response.text


def test_a_ship_notice_with_a_bad_date_keeps_what_was_typed(world: WebWorld) -> None:
    order = _routed_order(world, quantities=(4,))
    world.scene.fulfil  # noqa: B018 - the scene is used for its order only
    client = world.client("supplier-a")
    url = f"/orders/{order.id}"
    page = client.get(url)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    post_form(client, url, f"{url}/respond", {"version": version.group(1), "line-1-action": "accepted"})
    response = post_form(
        client,
        url,
        f"{url}/shipments",
        {"number": "DN-X", "shipped_on": "not-a-date", "line-1-quantity": "1"},
    )
    assert response.status_code == 400
    assert 'id="shipped_on-error"' in response.text and "DN-X" in response.text


def test_dealer_creates_an_order_for_an_assigned_customer(world: WebWorld) -> None:
    customer = world.scene.customer("Assigned GmbH", shared_with=("dealer-group",))
    client = world.client("dealer-group")
    product = world.scene.products[0]
    response = post_form(
        client,
        "/orders/new",
        "/orders/new",
        {
            "customer_id": str(customer.id),
            "line-1-product": str(product.id),
            "line-1-quantity": "3",
            "customer_reference": "PO-77",
        },
    )
    assert response.status_code == 303, response.text
    with world.scene.factory() as session:
        order = session.scalar(select(Order).where(Order.customer_reference == "PO-77"))
    assert order is not None and order.customer_id == customer.id


def test_dealer_cannot_order_for_a_customer_not_assigned_to_it(world: WebWorld) -> None:
    other = world.scene.customer("Fremd AG", shared_with=("dealer-other",))
    client = world.client("dealer-group")
    response = post_form(
        client,
        "/orders/new",
        "/orders/new",
        {
            "customer_id": str(other.id),
            "line-1-product": str(world.scene.products[0].id),
            "line-1-quantity": "1",
        },
    )
    assert response.status_code == 404
    assert "Fremd AG" not in response.text


def test_owner_routes_an_order_to_a_supplier(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    order = world.scene.order(customer, by="dealer-group")
    client = world.client("owner")
    url = f"/orders/{order.id}"
    response = post_form(client, url, f"{url}/route", {"supplier_id": str(world.scene.orgs["supplier-b"].id)})
    assert response.status_code == 303
    assert _status(world, order.id) is OrderStatus.AWAITING_CONFIRMATION
    assert f"/orders/{order.id}" in world.client("supplier-b").get("/orders").text


def test_viewer_role_does_not_see_supplier_forms(world: WebWorld) -> None:
    order = _routed_order(world)
    page = world.client("dealer-group").get(f"/orders/{order.id}")
    assert page.status_code == 200
    assert "respond-form" not in page.text and "ship-form" not in page.text
