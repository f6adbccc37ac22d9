"""The demo's review inbox (issue #17): some orders wait for the buyer's review of a supplier's
change, as the owner's staff see them through the read model, with the proposal on the line and the
agreed figures untouched."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.access.principal import principal_for_user
from portal.db import make_engine
from portal.models import Base, LineResponse, Order, OrderLine, User
from portal.orders.queries import OrderQuery, list_orders
from portal.reading import PageRequest
from portal.seed import seed_demo

ANCHOR = date(2026, 12, 7)


def test_the_demo_has_changes_waiting_for_the_buyers_review(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    Base.metadata.create_all(engine)
    seed_demo(engine, scale=0.2, anchor=ANCHOR)
    with Session(engine) as session:
        owner = session.scalars(select(User).where(User.email == "vertrieb@waermewerk.example")).one()
        inbox = list_orders(
            session,
            principal_for_user(session, owner),
            OrderQuery(awaiting_review=True),
            page=PageRequest(first=100),
        )
        assert 3 <= inbox.total_count() <= 40
        for row in inbox.items:
            order = session.get_one(Order, row.id, options=[selectinload(Order.lines)])
            proposed = [line for line in order.lines if line.proposed_response is LineResponse.CHANGED]
            assert proposed and all(line.response is LineResponse.PENDING for line in proposed), order.number
            assert all(line.proposed_date and line.proposed_date > order.requested_date for line in proposed)
            assert order.proposed_total <= order.total
        waiting = session.scalars(select(OrderLine).where(OrderLine.proposed_response.is_not(None))).all()
        assert len({line.order_id for line in waiting}) == inbox.total_count()
    engine.dispose()
