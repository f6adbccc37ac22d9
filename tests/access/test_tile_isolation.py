"""The dashboard's tile filters (``status=open|waiting``, ``state=open``, ``sla=near``, a day of
appointments) list only what the viewer may see: another dealer's rows stay out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.activities import service as activities
from portal.app import create_app
from portal.cases import service as cases
from portal.config import Settings
from portal.web.i18n import TIMEZONE
from portal.web.views.dashboard import (
    NEAR_SLA_HREF,
    OPEN_INVOICES_HREF,
    OPEN_ORDERS_HREF,
    WAITING_HREF,
    appointments_href,
)
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    return WebWorld(scene, create_app(Settings(secret_key=SECRET), engine=engine), add_users(factory, scene))


def test_tile_lists_leave_out_another_dealers_rows(world: WebWorld) -> None:
    scene = world.scene
    customer = scene.customer("Nur Gruppe GmbH", shared_with=("dealer-group",))
    order = scene.order(customer, by="dealer-group", supplier="supplier-a")
    today = datetime.now(TIMEZONE).replace(hour=10, minute=0, second=0, microsecond=0)
    with scene.uow() as uow:
        cases.open_case(
            uow=uow,
            principal=scene.p("owner"),
            subject="Geheimer Fall",
            customer_id=customer.id,
            routed_to_id=scene.orgs["dealer-group"].id,
            now=datetime.now(UTC) - timedelta(days=9),
        )
        activities.schedule_appointment(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            subject="Geheimer Termin",
            starts_at=today,
            ends_at=today + timedelta(hours=1),
        )
    own, other = world.client("dealer-group"), world.client("dealer-other")
    checks = [
        (OPEN_ORDERS_HREF, order.number),
        (WAITING_HREF, order.number),
        (NEAR_SLA_HREF, "Geheimer Fall"),
        (appointments_href(today.date()), "Geheimer Termin"),
    ]
    for href, secret in checks:
        if href == WAITING_HREF:  # the owner's and suppliers' tile; the list filter is everyone's
            assert secret in world.client("supplier-a").get(href).text
            assert secret not in world.client("supplier-b").get(href).text
        else:
            assert secret in own.get(href).text, href
        page = other.get(href)
        assert page.status_code == 200 and secret not in page.text, href
    invoices = OPEN_INVOICES_HREF
    scene.fulfil(order, "supplier-a")
    assert f"INV-{order.id}" in world.client("supplier-a").get(invoices).text
    assert f"INV-{order.id}" not in world.client("supplier-b").get(invoices).text


def test_an_order_waiting_on_a_pending_line_after_invoicing_stays_with_its_supplier(world: WebWorld) -> None:
    """The waiting tile and list select by pending lines (`waiting_condition`), not status: a
    partly invoiced order with a pending line is listed for its supplier and no one else's."""
    from datetime import date
    from decimal import Decimal

    from portal.models import LineResponse
    from portal.orders import fulfilment
    from portal.orders import service as orders

    scene = world.scene
    customer = scene.customer("Teilweise GmbH", shared_with=("dealer-group",))
    order = scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(2, 3))
    sp = scene.p("supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow, principal=sp, order_id=order.id, answers=[orders.LineAnswer(1, LineResponse.ACCEPTED)]
        )
        fulfilment.record_shipment(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="DN-W",
            shipped_on=date.today(),
            lines=[fulfilment.ShipLine(1, Decimal(2))],
        )
        fulfilment.submit_invoice(
            uow=uow,
            principal=sp,
            order_id=order.id,
            number="R-W",
            issue_date=date.today(),
            lines=[fulfilment.BillLine(1, Decimal(2))],
        )
    assert order.number in world.client("supplier-a").get(WAITING_HREF).text
    for who in ("supplier-b", "dealer-other"):
        page = world.client(who).get(WAITING_HREF)
        assert page.status_code == 200 and order.number not in page.text, who
