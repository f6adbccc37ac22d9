"""Two transactions that move the same tally row do not lose an update: the delta is one
``INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n``, so the second waits for the first's row
lock and adds to what it committed (a read-then-write would have written the old count plus one)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import unit_of_work
from portal.models import Order, OrderLine, OrderTally
from tests.builders import build_scene


def draft_count(factory: sessionmaker[Session], org_id: int, role: str) -> int:
    with factory() as session:
        tally = session.get(OrderTally, (org_id, role, "draft"))
        return tally.n if tally else 0


def test_two_transactions_counting_the_same_row_both_count(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks of concurrent writers: PostgreSQL (SQLite has one writer at a time)")
    scene = build_scene(factory)
    customer = scene.customer(shared_with=("dealer-branch",))
    dealer = scene.orgs["dealer-branch"].id
    before = draft_count(factory, 0, "all"), draft_count(factory, dealer, "dealer")
    first_flushed = threading.Barrier(2, timeout=30)

    def create(first: bool) -> int:
        if not first:
            first_flushed.wait()  # the first holds the tally rows' locks, uncommitted
        with unit_of_work(factory) as uow:
            # Written directly (no order number counter to wait on): the tally rows are the only
            # rows both transactions write.
            order = Order(
                number=f"T-{int(first)}",
                customer_id=customer.id,
                dealer_id=dealer,
                created_by_org_id=scene.orgs["owner"].id,
                order_date=date.today(),
                delivery_name="Müller GmbH",
                lines=[
                    OrderLine(
                        line_no=1, description="Pumpe", unit_price=Decimal(1), quantity_ordered=Decimal(1)
                    )
                ],
            )
            uow.session.add(order)
            uow.flush()
            if first:
                first_flushed.wait()  # the second starts its flush now and must wait for this commit
            return order.id

    with ThreadPoolExecutor(2) as pool:
        ids = list(pool.map(create, (True, False)))
    assert len(set(ids)) == 2
    assert draft_count(factory, 0, "all") == before[0] + 2
    assert draft_count(factory, dealer, "dealer") == before[1] + 2
    with factory() as session:
        rows = session.scalars(
            select(OrderTally).where(OrderTally.key == "draft", OrderTally.org_id == dealer)
        ).all()
        assert [(r.role, r.n) for r in rows] == [("dealer", before[1] + 2)]
