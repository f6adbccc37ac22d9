"""The supplier round trip over a real OpenSSH sshd (started by the session fixture), in EDIFACT, X12
and openTRANS, and a server with a changed host key getting no data."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from portal.exchange.worker import run_once
from portal.models import ExchangeProfile, ExchangeRecord, OrderStatus, RecordState
from portal.orders import service as orders
from tests.adapters.sshd import SshdInfo
from tests.exchange.helpers import Partner, despatch, invoice, order_response, partner_scene

pytestmark = pytest.mark.sftp


@pytest.fixture(params=["edifact"])
def sftp_partner(
    factory: sessionmaker[Session], sshd: SshdInfo, tmp_path: Path, request: pytest.FixtureRequest
) -> Partner:
    folder = tmp_path.name  # unique per test below the sshd's data folder
    partner = partner_scene(factory, sshd.data_dir / folder, request.param)
    with partner.scene.uow() as uow:
        profile = uow.session.scalars(select(ExchangeProfile)).one()
        profile.transport = "sftp"
        profile.settings = {
            "host": sshd.host,
            "port": sshd.port,
            "username": sshd.username,
            "key_file": str(sshd.client_key_path),
            "known_hosts": sshd.known_hosts_line,
        }
        profile.inbox, profile.outbox, profile.archive = f"{folder}/out", f"{folder}/in", f"{folder}/archive"
    for sub in ("out", "in", "archive"):
        (sshd.data_dir / folder / sub).mkdir(parents=True, exist_ok=True)
    return partner


ACKS = {"edifact": "CONTRL", "x12": "997", "opentrans": None}
FIRST = {"edifact": "ORDERS", "x12": "850", "opentrans": "ORDER"}


@pytest.mark.parametrize("sftp_partner", ["edifact", "x12", "opentrans"], indirect=True)
def test_supplier_round_trip_over_sftp(factory: sessionmaker[Session], sftp_partner: Partner) -> None:
    partner = sftp_partner
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(6, 2))
    report = run_once(factory)
    assert (report.sent, report.errors) == (1, [])
    [orders_file] = partner.received(FIRST[partner.fmt])
    assert isinstance(edi.decode_all(orders_file.read_bytes()).messages[0].document, doc.PurchaseOrder)
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    expected = [OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.INVOICED]
    documents = [
        order_response(loaded, quantities={1: None, 2: None}),
        despatch(loaded, {1: Decimal(6), 2: Decimal(2)}),
        invoice(loaded, {1: Decimal(6), 2: Decimal(2)}),
    ]
    for n, (document, status) in enumerate(zip(documents, expected, strict=True), start=1):
        partner.send(f"f{n}.{partner.fmt}", document, f"50{n}")
        assert run_once(factory).errors == []
        with partner.scene.uow() as uow:
            assert orders.load_order(uow, partner.scene.p("owner"), order.id).status() is status
    with factory() as session:
        states = [
            r.state
            for r in session.scalars(select(ExchangeRecord).where(ExchangeRecord.direction == "inbound"))
        ]
    assert states == [RecordState.APPLIED] * 3
    ack = ACKS[partner.fmt]
    if ack:
        assert len(partner.received(ack)) == 3
    assert sorted(p.name for p in (partner.root / "archive").iterdir()) == [
        f"f{n}.{partner.fmt}" for n in (1, 2, 3)
    ]


def test_changed_host_key_gets_no_data(
    factory: sessionmaker[Session], sftp_partner: Partner, sshd: SshdInfo
) -> None:
    partner = sftp_partner
    with partner.scene.uow() as uow:
        profile = uow.session.scalars(select(ExchangeProfile)).one()
        other_key = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
        profile.settings = {
            **profile.settings,
            "known_hosts": f"[{sshd.host}]:{sshd.port} ssh-ed25519 {other_key}",
        }
    partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(1,))
    partner.drop("secret.edi", b"UNA:+.? 'UNB+UNOC:3+X+Y+300101:1200+1'UNZ+0+1'")
    report = run_once(factory)
    assert report.sent == 0
    assert any("host key" in error.lower() for error in report.errors), report.errors
    assert partner.received() == []
    assert (partner.inbox / "secret.edi").exists(), "nothing was fetched or archived"
    with factory() as session:
        queued = session.scalars(select(ExchangeRecord)).all()
    assert [r.state for r in queued] == [RecordState.QUEUED]
