"""The demo seed's events carry what the live services put in them: the inbox renders its titles
from the payload, so a missing field shows as "?" in the demo's inbox."""

from __future__ import annotations

from datetime import date

from portal.models import Event, Order
from portal.notify.rules import title
from portal.seed.plan import plan_demo, table_of


def test_seeded_routed_orders_name_their_number_as_the_service_does() -> None:
    plan = plan_demo(scale=0.02, anchor=date(2026, 3, 4), password_hash="x")
    numbers = {row["id"]: row["number"] for row in plan.tables[table_of(Order)]}
    routed = [row for row in plan.tables[table_of(Event)] if row["kind"] == "order.routed"]
    assert routed
    for row in routed:
        assert row["payload"]["number"] == numbers[row["entity_id"]]
        assert "?" not in title("order_routed", row["payload"], lambda s: s)
