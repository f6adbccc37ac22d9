"""The exchange ledger: reprocessing a failed file, overdue acknowledgements, and who sees what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import InvalidState, NotFound
from portal.exchange import handling
from portal.exchange.ledger import RecordQuery, get_record, is_overdue, list_records, record_content
from portal.exchange.worker import run_once
from portal.models import ExchangeRecord, OrderStatus, RecordState
from portal.models.base import utcnow
from portal.orders import service as orders
from tests.exchange.helpers import despatch, order_response, partner_scene


def test_failed_file_can_be_reprocessed_once_its_cause_is_gone(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), quantities=(3,))  # not routed yet: unknown to them
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    partner.send("early-ordrsp.edi", order_response(loaded, quantities={1: None}), "700")
    run_once(factory)
    with factory() as session:
        failed = session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.filename == "early-ordrsp.edi")
        ).one()
        assert failed.state is RecordState.FAILED
        assert f"order {order.number} not found" in (failed.error or "")
    with partner.scene.uow() as uow:
        orders.route_order(
            uow=uow,
            principal=partner.scene.p("owner"),
            order_id=order.id,
            supplier_id=partner.scene.orgs["supplier-a"].id,
        )
    run_once(factory)
    with factory() as session:  # a missing order is not retried by itself
        assert session.get_one(ExchangeRecord, failed.id).state is RecordState.FAILED
    with partner.scene.uow() as uow:
        handling.reprocess(uow=uow, principal=partner.scene.p("owner"), record_id=failed.id)
    run_once(factory)
    with partner.scene.uow() as uow:
        assert orders.load_order(uow, partner.scene.p("owner"), order.id).status() is OrderStatus.CONFIRMED
        assert get_record(uow.session, partner.scene.p("owner"), failed.id).state is RecordState.APPLIED
    with pytest.raises(InvalidState), partner.scene.uow() as uow:  # applied: never applied twice
        handling.reprocess(uow=uow, principal=partner.scene.p("owner"), record_id=failed.id)


def test_file_that_arrived_before_its_predecessor_is_retried_after_it(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    run_once(factory)
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    partner.send("a-desadv.edi", despatch(loaded, {1: Decimal(3)}), "710")  # listed first
    partner.send("b-ordrsp.edi", order_response(loaded, quantities={1: None}), "711")
    run_once(factory)
    with partner.scene.uow() as uow:
        assert orders.load_order(uow, partner.scene.p("owner"), order.id).status() is OrderStatus.SHIPPED
    with factory() as session:
        records = session.scalars(
            select(ExchangeRecord)
            .where(ExchangeRecord.direction == "inbound")
            .order_by(ExchangeRecord.filename)
        ).all()
        assert [(r.filename, r.state, r.attempts) for r in records] == [
            ("a-desadv.edi", RecordState.APPLIED, 2),
            ("b-ordrsp.edi", RecordState.APPLIED, 1),
        ]


def test_sent_file_without_acknowledgement_shows_as_overdue(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path)
    partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    run_once(factory)
    with partner.scene.uow() as uow:
        sent = uow.session.scalars(
            select(ExchangeRecord).where(ExchangeRecord.message_type == "ORDERS")
        ).one()
        assert sent.state is RecordState.SENT
        assert not is_overdue(sent)
        sent.ack_due_at = utcnow() - timedelta(minutes=1)
    with factory() as session:
        page = list_records(session, partner.scene.p("owner"), RecordQuery(overdue_at=utcnow()))
        assert [r.filename for r in page.items] == [sent.filename]


def test_partner_sees_only_its_own_files(factory: sessionmaker[Session], tmp_path: Path) -> None:
    partner = partner_scene(factory, tmp_path)
    partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(3,))
    run_once(factory)
    with factory() as session:
        mine = list_records(session, partner.scene.p("supplier-a"))
        assert [r.message_type for r in mine.items] == ["ORDERS"]
        record_id = mine.items[0].id
        name, data = record_content(session, partner.scene.p("supplier-a"), record_id)
        assert data.startswith(b"UNA") and name.startswith("ORDERS_")
        for stranger in ("supplier-b", "dealer-other", "partner"):
            assert list_records(session, partner.scene.p(stranger)).items == []
            with pytest.raises(NotFound, match=f"exchange record {record_id} not found"):
                record_content(session, partner.scene.p(stranger), record_id)
        with pytest.raises(NotFound) as missing:
            record_content(session, partner.scene.p("supplier-b"), 424242)
        assert missing.value.message == "exchange record 424242 not found"
