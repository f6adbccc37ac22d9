"""The goods receipt on the order page (issue #17.3): the owner records one with a shortfall, the
supplier sees it (English and German), bad lines are reported at the line with what was typed kept."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from portal.models import LineResponse, Order
from portal.orders import fulfilment
from portal.orders import service as orders_service
from tests.web.conftest import WebWorld, post_form


def _shipped(world: WebWorld) -> tuple[Order, int]:
    scene = world.scene
    order = scene.order(
        scene.customer(shared_with=("dealer-group",)), by="dealer-group", supplier="supplier-a"
    )
    with scene.uow() as uow:
        orders_service.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders_service.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in (1, 2)],
        )
    with scene.uow() as uow:
        shipment = fulfilment.record_shipment(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            number="DN-77",
            shipped_on=date.today(),
            lines=[fulfilment.ShipLine(1, Decimal(10)), fulfilment.ShipLine(2, Decimal(5))],
        )
        return order, shipment.id


def test_owner_records_a_shortfall_and_the_supplier_sees_it(world: WebWorld) -> None:
    order, shipment_id = _shipped(world)
    url = f"/orders/{order.id}"
    owner = world.client("owner")
    page = owner.get(url)
    assert 'id="receive-form"' in page.text
    version = re.search(r'id="receive-form".*?name="version" value="(\d+)"', page.text, re.S)
    assert version
    done = post_form(
        owner,
        url,
        f"{url}/receipts",
        {
            "version": version.group(1),
            "received_on": date.today().isoformat(),
            "shipment_id": str(shipment_id),
            "line-1-received": "10",
            "line-2-received": "3",
            "line-2-reason": "short",
            "line-2-note": "2 Kartons fehlen",
        },
    )
    assert done.status_code == 303, done.text  # type: ignore[attr-defined]
    supplier = world.client("supplier-a")
    page = supplier.get(url)
    assert 'id="receive-form"' not in page.text  # the supplier ships; the other side counts
    receipts = page.text[page.text.index('id="receipts"') :]
    assert "Ship notice DN-77" in receipts and "Damages or shortfalls" in receipts
    assert "3 arrived, 2 short (Short delivery)" in unescape_all(receipts)
    assert "2 Kartons fehlen" in receipts
    assert re.search(r'id="received-2">3<', page.text)
    history = page.text.split('id="timeline"')[1].split("</ol>")[0]
    assert "recorded a goods receipt for order" in history and "Damages or shortfalls" in history
    german = supplier.get(url, params={"lang": "de"})
    assert "Wareneingänge" in german.text and "3 angekommen, 2 fehlen (Minderlieferung)" in unescape_all(
        german.text
    )
    # a stale form (a second receiver): told, nothing counted twice
    again = post_form(
        owner,
        url,
        f"{url}/receipts",
        {"version": version.group(1), "received_on": date.today().isoformat(), "line-2-received": "2"},
    )
    assert again.status_code == 409  # type: ignore[attr-defined]  # the order changed meanwhile
    assert re.search(r'id="received-2">3<', supplier.get(url).text)


def test_a_damaged_line_without_a_reason_is_reported_at_the_line_keeping_what_was_typed(
    world: WebWorld,
) -> None:
    order, _ = _shipped(world)
    url = f"/orders/{order.id}"
    owner = world.client("owner")
    response = post_form(
        owner,
        url,
        f"{url}/receipts",
        {
            "received_on": date.today().isoformat(),
            "line-2-received": "5",
            "line-2-damaged": "2",
            "note": "LKW spät",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert 'id="line-2-reason-error"' in text
    assert 'value="LKW spät"' in text and 'id="rcv-line-2-damaged"' in text


def test_the_dealer_that_sold_the_order_may_receive_another_dealer_may_not(world: WebWorld) -> None:
    order, _ = _shipped(world)
    url = f"/orders/{order.id}"
    assert 'id="receive-form"' in world.client("dealer-group").get(url).text
    assert world.client("dealer-other").get(url).status_code == 404


def unescape_all(text: str) -> str:
    from html import unescape

    return re.sub(r"\s+", " ", unescape(text))


def test_the_invoice_page_shows_received_next_to_shipped_and_flags_billing_above_it(world: WebWorld) -> None:
    from sqlalchemy import select

    from portal.models import Invoice, ReceiptReason
    from portal.orders.receiving import ReceiveLine, record_goods_receipt

    scene = world.scene
    order = scene.order(scene.customer(), supplier="supplier-a")
    scene.fulfil(order, "supplier-a")  # 10 and 5 shipped and billed
    with scene.uow() as uow:
        record_goods_receipt(
            uow=uow,
            principal=scene.p("owner"),
            order_id=order.id,
            received_on=date.today(),
            lines=[
                ReceiveLine(1, Decimal(10)),
                ReceiveLine(2, Decimal(5), damaged=Decimal(2), reason=ReceiptReason.DAMAGED),
            ],
        )
    with scene.factory() as session:
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.order_id == order.id)).one()
    page = world.client("owner").get(f"/invoices/{invoice_id}")
    text = unescape_all(page.text)
    assert "Billed above received" in text  # the match badge
    assert "2 billed above received" in text
    german = unescape_all(
        world.client("supplier-a").get(f"/invoices/{invoice_id}", params={"lang": "de"}).text
    )
    assert "2 über der Wareneingangsmenge berechnet" in german and "Empfangen" in german


def test_every_line_missing_its_reason_is_reported_at_once(world: WebWorld) -> None:
    order, shipment_id = _shipped(world)  # 10 and 5 on ship notice DN-77
    url = f"/orders/{order.id}"
    owner = world.client("owner")
    response = post_form(
        owner,
        url,
        f"{url}/receipts",
        {
            "received_on": date.today().isoformat(),
            "shipment_id": str(shipment_id),
            "line-1-received": "8",  # 2 short, no reason
            "line-2-received": "5",
            "line-2-damaged": "1",  # 1 damaged, no reason
        },
        headers={"accept-language": "de"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert 'id="line-1-reason-error"' in text and 'id="line-2-reason-error"' in text
    assert text.count("geben Sie einen Grund für die beschädigte oder fehlende Ware an") >= 2
