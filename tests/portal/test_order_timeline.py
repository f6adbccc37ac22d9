"""An order's timeline: its own events and those of its shipments and invoices, oldest first."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import NotFound
from portal.models import Event
from portal.orders.queries import order_timeline
from tests.builders import build_scene


def test_the_timeline_holds_the_order_its_shipments_and_invoices_in_order(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    customer = scene.customer()
    order = scene.order(customer, supplier="supplier-a", quantities=(2,))
    other = scene.order(customer, supplier="supplier-a", quantities=(1,))
    scene.fulfil(order, "supplier-a")
    scene.fulfil(other, "supplier-a")
    with factory() as session:
        owner = order_timeline(session, scene.p("owner"), order.id)
        supplier = order_timeline(session, scene.p("supplier-a"), order.id)
        with pytest.raises(NotFound):
            order_timeline(session, scene.p("supplier-b"), order.id)
    assert [(e.kind, e.entity_id) for e in owner] == [
        ("order.created", order.id),
        ("order.routed", order.id),
        ("order.confirmed", order.id),
        ("shipment.created", _only(owner, "shipment")),
        ("invoice.submitted", _only(owner, "invoice")),
    ]  # nothing of the other order, its shipment or its invoice
    assert [e.id for e in supplier] == [e.id for e in owner]


def _only(events: list[Event], entity: str) -> int:
    (ident,) = {e.entity_id for e in events if e.entity == entity}
    return ident
