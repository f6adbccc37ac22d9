"""The ledger's look-ups behind `portal exchange records` and `portal order show` (the partner of a
file, what an acknowledgement answers, the files of an order) show another organization nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.exchange import ledger
from portal.models import ExchangeRecord, Order
from tests.exchange.test_cli import the_loop


def test_files_of_an_order_and_their_answers_are_scoped(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner, number = the_loop(factory, tmp_path)
    with factory() as session:
        order_id = session.scalars(select(Order.id).where(Order.number == number)).one()
        every = list(session.scalars(select(ExchangeRecord).order_by(ExchangeRecord.id)))
        own = partner.scene.p("supplier-a")
        seen = ledger.records_of(session, own, "order", order_id)
        assert len(seen) == 4
        assert len(ledger.answered_records(session, own, every)) == 2
        assert set(ledger.organizations_of(session, own, every)) == {partner.scene.orgs["supplier-a"].id}
        for stranger in ("supplier-b", "dealer-other", "partner"):
            p = partner.scene.p(stranger)
            assert ledger.records_of(session, p, "order", order_id) == []
            assert ledger.answered_records(session, p, every) == {}
            assert ledger.organizations_of(session, p, every) == {}
