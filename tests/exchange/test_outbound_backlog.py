"""A newly routed order leaves in the next pass, whatever the backlog of the event log: history from
before the profile, orders routed to suppliers without a profile, other kinds of events, and a
backlog of its own that is bigger than one batch."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from portal.exchange import outbound
from portal.exchange.worker import run_once
from portal.models import Counter, Event, ExchangeRecord
from portal.models.base import utcnow
from portal.orders import service as orders
from tests.exchange.helpers import partner_scene


def test_a_new_order_leaves_in_the_next_pass_behind_thousands_of_events(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    ours, theirs = partner.scene.orgs["supplier-a"].id, partner.scene.orgs["supplier-b"].id
    now = utcnow()
    with partner.scene.uow() as uow:  # what a seeded demo database holds, and what others do
        uow.session.execute(
            insert(Event),
            [  # history: routed to our partner long before its profile existed
                {
                    "kind": "order.routed",
                    "entity": "order",
                    "entity_id": 100_000 + n,
                    "occurred_at": now - timedelta(days=30, minutes=n),
                    "payload": {"supplier_id": ours},
                }
                for n in range(3000)
            ]
            + [  # today, to a supplier that exchanges no files
                {
                    "kind": "order.routed",
                    "entity": "order",
                    "entity_id": 200_000 + n,
                    "occurred_at": now,
                    "payload": {"supplier_id": theirs},
                }
                for n in range(1500)
            ]
            + [
                {
                    "kind": "order.confirmed",
                    "entity": "order",
                    "entity_id": n,
                    "occurred_at": now,
                    "payload": {},
                }
                for n in range(1000)
            ],
        )
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(2,))
    report = run_once(factory)
    assert report.queued == 1 and report.sent == 1
    assert [p.name.split("_")[1] for p in partner.received("ORDERS")] == [order.number]
    with factory() as session:  # the cursor starts after the history no profile can want
        cursor = session.get_one(Counter, outbound.CURSOR).value
        last_history = session.scalar(
            select(func.max(Event.id)).where(Event.occurred_at < now - timedelta(days=1))
        )
        assert cursor >= (last_history or 0) > 0


def test_a_backlog_bigger_than_one_batch_is_queued_in_one_pass(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    customer = partner.scene.customer()
    owner = partner.scene.p("owner")
    with partner.scene.uow() as uow:
        created = [
            orders.create_order(
                uow=uow,
                principal=owner,
                customer_id=customer.id,
                lines=[orders.NewOrderLine(sku="P-100", quantity=Decimal(1))],
            )
            for _ in range(25)
        ]
        for order in created:
            orders.route_order(
                uow=uow, principal=owner, order_id=order.id, supplier_id=partner.scene.orgs["supplier-a"].id
            )
    # All events are younger than the settle time: the cursor cannot pass them, the pass still does.
    assert outbound.queue_from_events(factory, batch=10) == 25
    assert outbound.queue_from_events(factory, batch=10) == 0
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ExchangeRecord)) == 25
