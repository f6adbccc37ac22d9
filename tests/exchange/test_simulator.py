"""The partner simulator against the real worker, in process, through a folder: a routed order comes
back confirmed (some lines changed or rejected), shipped and invoiced, in every outbound format."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import edi
import edi.documents as doc
from adapters import FolderTransport
from portal.exchange.simulator import (
    KEEP_FOLDER,
    Behaviour,
    PartnerSide,
    PartnerSimulator,
    SimulatorBusy,
    decide,
    partner_side,
)
from portal.exchange.worker import run_once
from portal.models import Direction, ExchangeProfile, ExchangeRecord, OrderStatus, RecordState
from portal.orders import service as orders
from tests.adapters.sshd import SshdInfo
from tests.exchange.helpers import OWNER_GLN, SUPPLIER_GLN, Partner, partner_scene
from tests.web.live import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def side_of(partner: Partner) -> PartnerSide:
    with partner.scene.uow() as uow:
        return partner_side(uow.session, partner.scene.p("owner"), "supplier-a")


def simulator(partner: Partner, tmp_path: Path, **behaviour: object) -> PartnerSimulator:
    return PartnerSimulator(
        side_of(partner),
        tmp_path / "state" / "supplier-a.json",
        Behaviour(**behaviour),  # type: ignore[arg-type]
        clock=Clock(),
    )


def one_pass(sim: PartnerSimulator) -> object:
    with sim.side.open_transport() as transport:
        return sim.run_pass(transport)


def load(partner: Partner, order_id: int):  # type: ignore[no-untyped-def]
    with partner.scene.uow() as uow:
        return orders.load_order(uow, partner.scene.p("owner"), order_id)


@pytest.mark.parametrize("fmt", ["edifact", "x12", "opentrans", "ubl"])
def test_routed_order_comes_back_confirmed_shipped_and_invoiced(
    factory: sessionmaker[Session], tmp_path: Path, fmt: str
) -> None:
    partner = partner_scene(factory, tmp_path / "partner", fmt)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(10, 4, 6))
    assert run_once(factory).sent == 1  # the ORDERS file
    po = purchase_order_sent(partner)
    seed = varied_seed(po)
    with simulator(partner, tmp_path, delay=0, seed=seed, change_rate=0.4, reject_rate=0.2) as sim:
        report = one_pass(sim)
        assert report.orders == 1 and report.sent == (4 if fmt in ("edifact", "x12") else 3)
        assert not partner.received(), "the simulator took the order out of its inbox"
        assert len(list((partner.root / KEEP_FOLDER).iterdir())) == 1
        run_once(factory)
        expected = decide(po, sim.behaviour, date.fromtimestamp(sim.clock()))
        # The changed and the rejected line wait for the buyer's review (issue #17), as they came.
        loaded = load(partner, order.id)
        assert loaded.awaiting_review, [r.error for r in records(factory)]
        proposed = {
            line.line_no: (line.proposed_response.value, line.proposed_quantity)
            for line in loaded.lines
            if line.proposed_response is not None
        }
        answers = {int(a.line.line_id): (a.status.value, a.quantity) for a in expected}
        assert proposed == {n: answers[n] for n in proposed}
        # A rejection always waits; a later date on a line without a requested one holds at once.
        assert {n for n, (status, _q) in answers.items() if status == "rejected"} <= set(proposed)
        partner.scene.accept_changes(order)
        loaded = load(partner, order.id)
        assert loaded.status() is OrderStatus.INVOICED, [r.error for r in records(factory)]
        answered = {line.line_no: (line.response.value, line.quantity_confirmed) for line in loaded.lines}
        assert answered == {int(a.line.line_id): (a.status.value, a.quantity) for a in expected}
        for line in loaded.lines:
            assert line.quantity_shipped == line.quantity_invoiced == line.quantity_confirmed
        inbound = [r for r in records(factory) if r.direction is Direction.INBOUND]
        assert [r.state for r in inbound] == [RecordState.APPLIED] * (
            4 if fmt in ("edifact", "x12") else 3
        ), [(r.filename, r.error) for r in inbound]
        [sent_order] = [r for r in records(factory) if r.message_type in ("ORDERS", "850", "ORDER", "Order")]
        if fmt in ("edifact", "x12"):  # the simulator acknowledged our ORDERS / 850
            assert sent_order.state is RecordState.ACKNOWLEDGED
            later = one_pass(sim)  # reads the portal's CONTRL / 997 for its three files
            assert later.acknowledgements == 3 and later.rejected_by_portal == 0


def purchase_order_sent(partner: Partner) -> doc.PurchaseOrder:
    [sent] = partner.received()
    po = edi.decode_all(sent.read_bytes()).messages[0].document
    assert isinstance(po, doc.PurchaseOrder)
    return po


def varied_seed(po: doc.PurchaseOrder) -> int:
    """A seed that gives this order one accepted, one changed and one rejected line."""
    behaviour = Behaviour(change_rate=0.4, reject_rate=0.2)
    return next(
        seed
        for seed in range(1000)
        if len({a.status for a in decide(po, replace(behaviour, seed=seed), po.issue_date)}) == 3
    )


def records(factory: sessionmaker[Session]) -> list[ExchangeRecord]:
    with factory() as session:
        found = list(session.scalars(select(ExchangeRecord).order_by(ExchangeRecord.id)))
        session.expunge_all()
        return found


def test_answers_wait_for_the_delay_one_step_after_the_other(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path / "partner")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(5,))
    run_once(factory)
    clock = Clock()
    sim = PartnerSimulator(
        side_of(partner), tmp_path / "s.json", Behaviour(delay=30, reject_rate=0), clock=clock
    )
    with sim:
        first = one_pass(sim)
        assert [n.split("-")[1] for n in first.sent_names] == ["CONTRL.edi"]  # acknowledged at once
        clock.now += 29
        assert one_pass(sim).sent == 0
        expected = [(1, OrderStatus.CONFIRMED), (1, OrderStatus.SHIPPED), (1, OrderStatus.INVOICED)]
        for sent, status in expected:
            clock.now += 30
            assert one_pass(sim).sent == sent
            run_once(factory)
            assert load(partner, order.id).status() is status


def test_pending_answers_survive_a_restart_and_one_simulator_per_profile(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    partner = partner_scene(factory, tmp_path / "partner")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(5,))
    run_once(factory)
    clock = Clock()
    state = tmp_path / "state.json"
    with PartnerSimulator(side_of(partner), state, Behaviour(delay=10, reject_rate=0), clock=clock) as sim:
        one_pass(sim)
        with (
            pytest.raises(SimulatorBusy, match="another simulator"),
            PartnerSimulator(side_of(partner), state),
        ):
            pass
    clock.now += 100
    with PartnerSimulator(side_of(partner), state, Behaviour(delay=10), clock=clock) as again:
        assert one_pass(again).sent == 3
    run_once(factory)
    assert load(partner, order.id).status() is OrderStatus.INVOICED


def test_cancelled_order_is_not_answered(factory: sessionmaker[Session], tmp_path: Path) -> None:
    from datetime import timedelta

    from portal.models import Event
    from portal.models.base import utcnow

    partner = partner_scene(factory, tmp_path / "partner")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(5,))
    run_once(factory)
    clock = Clock()
    with PartnerSimulator(side_of(partner), tmp_path / "s.json", Behaviour(delay=60), clock=clock) as sim:
        one_pass(sim)
        assert len(sim.state.pending) == 3
        with partner.scene.uow() as uow:
            orders.cancel_order(uow=uow, principal=partner.scene.p("owner"), order_id=order.id)
        with partner.scene.uow() as uow:  # past the outbox's settling time, so the worker sends it now
            for event in uow.session.scalars(select(Event)):
                event.occurred_at = utcnow() - timedelta(minutes=10)
            for profile in uow.session.scalars(select(ExchangeProfile)):
                profile.created_at = utcnow() - timedelta(minutes=20)
        run_once(factory)
        report = one_pass(sim)
        assert report.cancellations == 1, [(r.filename, r.state, r.error) for r in records(factory)]
        assert sim.state.pending == []
        clock.now += 1000
        assert one_pass(sim).sent == 0
    assert load(partner, order.id).status() is OrderStatus.CANCELLED


@pytest.mark.sftp
def test_simulator_answers_over_the_profiles_sftp_server(
    factory: sessionmaker[Session], sshd: SshdInfo, tmp_path: Path
) -> None:
    folder = tmp_path.name  # unique below the sshd's data folder
    partner = partner_scene(factory, sshd.data_dir / folder, "x12")
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
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(6, 2))
    assert run_once(factory).errors == []
    side = side_of(partner)
    assert side.keeps == f"{folder}/partner-archive"
    with PartnerSimulator(side, tmp_path / "s.json", Behaviour(delay=0), clock=Clock()) as sim:
        report = sim.run(once=True)
    assert (report.orders, report.sent) == (1, 4)  # 997, 855, 856, 810
    [kept] = (partner.root / "partner-archive").iterdir()
    assert kept.name.startswith("850_")
    assert run_once(factory).errors == []
    partner.scene.accept_changes(order)  # what the simulator changed beyond its tolerance (issue #17)
    assert load(partner, order.id).status() is OrderStatus.INVOICED


def test_decisions_depend_on_seed_and_order_only() -> None:
    party = doc.Party(name="x", gln=OWNER_GLN)
    lines = tuple(
        doc.OrderLine(line_id=str(n), quantity=Decimal(10), unit_price=Decimal(5)) for n in range(1, 41)
    )
    po = doc.PurchaseOrder("SO-1", date(2026, 1, 5), party, doc.Party(gln=SUPPLIER_GLN), lines)
    today = date(2026, 1, 6)
    base = Behaviour(seed=7)
    first = decide(po, base, today)
    assert first == decide(po, base, today)
    assert first != decide(po, Behaviour(seed=8), today)
    statuses = [a.status for a in first]
    assert statuses.count(doc.LineStatus.ACCEPTED) > statuses.count(doc.LineStatus.CHANGED) > 0
    assert statuses.count(doc.LineStatus.REJECTED) > 0
    for answer in first:
        assert answer.quantity <= answer.line.quantity
        assert answer.quantity == answer.quantity.to_integral_value()  # pieces stay whole
        assert answer.promised is None or answer.promised > today
    calm = decide(po, Behaviour(seed=7, change_rate=0, reject_rate=0), today)
    assert {a.status for a in calm} == {doc.LineStatus.ACCEPTED}


def test_an_order_is_refused_whole_only_when_told_to() -> None:
    party = doc.Party(name="x", gln=OWNER_GLN)
    line = doc.OrderLine(line_id="1", quantity=Decimal(3))
    po = doc.PurchaseOrder("SO-9", date(2026, 1, 5), party, party, (line,))
    grumpy = decide(po, Behaviour(reject_rate=0.99), date(2026, 1, 6))
    assert [(a.status, a.quantity) for a in grumpy] == [(doc.LineStatus.ACCEPTED, Decimal(3))]
    refusing = decide(po, Behaviour(reject_rate=1, change_rate=0), date(2026, 1, 6))
    assert [a.status for a in refusing] == [doc.LineStatus.REJECTED]


def test_transport_is_only_the_profiles_own(factory: sessionmaker[Session], tmp_path: Path) -> None:
    partner = partner_scene(factory, tmp_path / "partner", "x12")
    side = side_of(partner)
    assert (side.format, side.partner_id, side.our_id, side.reads, side.writes) == (
        "x12",
        SUPPLIER_GLN,
        OWNER_GLN,
        "in",
        "out",
    )
    with side.open_transport() as transport:
        assert isinstance(transport, FolderTransport)


def test_command_answers_an_order_file_once_and_says_what_is_wrong(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
    }

    def portal(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal.cli", *args], env=env, capture_output=True, text=True, check=False
        )

    assert portal("seed", "demo", "--scale", "0.02").returncode == 0
    root = tmp_path / "nordtec"
    added = portal(
        *("exchange", "profile", "add", "--org", "nordtec", "--transport", "folder", "--root", str(root)),
        *("--format", "edifact", "--partner-id", "4023456000017", "--our-id", "4012345000016"),
    )
    assert added.returncode == 0, added.stderr
    buyer, seller = doc.Party(name="Wärmewerk AG", gln=OWNER_GLN), doc.Party(gln=SUPPLIER_GLN)
    line = doc.OrderLine(line_id="1", quantity=Decimal(4), unit_price=Decimal("189.00"))
    po = doc.PurchaseOrder("SO-2026-777777", date(2026, 3, 2), buyer, seller, (line,))
    (root / "in").mkdir(parents=True)
    envelope = doc.Envelope(sender=OWNER_GLN, recipient=SUPPLIER_GLN, control_reference="42")
    (root / "in" / "ORDERS_SO-2026-777777_42.edi").write_bytes(
        edi.encode(po, format="edifact", envelope=envelope)
    )

    done = portal("exchange", "simulate", "--profile", "nordtec", "--once", "--delay", "0")
    assert done.returncode == 0, done.stderr
    assert "1 order(s) read, 4 file(s) sent" in done.stderr
    sent = sorted(path.name.split("-")[1] for path in (root / "out").iterdir())
    assert sent == ["CONTRL.edi", "DESADV", "INVOIC", "ORDRSP"]
    assert (tmp_path / "var" / "simulator" / "nordtec.json").exists()

    missing = portal("exchange", "simulate", "--profile", "alpenventil", "--once")
    assert missing.returncode == 1 and "alpenventil" in missing.stderr and "Traceback" not in missing.stderr
    sftp = portal(  # a server nobody listens on: one line, no traceback
        *("exchange", "profile", "add", "--org", "brightheat", "--transport", "sftp", "--host", "127.0.0.1"),
        *("--port", str(free_port()), "--username", "edi", "--key-file", str(tmp_path / "key")),
        *(
            "--known-hosts",
            "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        ),
        *("--format", "x12", "--partner-id", "BRIGHTHEAT", "--our-id", "WAERMEWERK"),
    )
    assert sftp.returncode == 0, sftp.stderr
    unreachable = portal("exchange", "simulate", "--profile", "brightheat", "--once")
    assert unreachable.returncode == 1 and "brightheat" in unreachable.stderr, unreachable.stderr
    assert "Traceback" not in unreachable.stderr
    with held_lock(tmp_path / "var" / "simulator" / "nordtec.json"):
        busy = portal("exchange", "simulate", "--profile", "nordtec", "--once")
    assert busy.returncode == 1 and "another simulator" in busy.stderr, busy.stderr


HOST_KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


@contextmanager
def held_lock(state: Path) -> Iterator[None]:
    """Hold the state file's lock as a running simulator does."""
    side = PartnerSide(
        "nordtec", "edifact", "x", "y", "in", "out", open_transport=lambda: FolderTransport(".")
    )
    with PartnerSimulator(side, state):
        yield


def test_a_changed_order_is_acknowledged(factory: sessionmaker[Session], tmp_path: Path) -> None:
    """The buyer's change (issue #17, part 2) reaches the simulated supplier as an ORDCHG, which its
    EDI converter acknowledges at once, as for an order."""
    from portal.orders import changes

    partner = partner_scene(factory, tmp_path / "partner")
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(5,))
    run_once(factory)
    with PartnerSimulator(side_of(partner), tmp_path / "s.json", Behaviour(delay=60), clock=Clock()) as sim:
        one_pass(sim)
        with partner.scene.uow() as uow:
            changes.change_order(
                uow=uow,
                principal=partner.scene.p("owner"),
                order_id=order.id,
                changes=[changes.LineChange(1, quantity=Decimal(6))],
            )
        run_once(factory)
        one_pass(sim)
    run_once(factory)
    change = next(r for r in records(factory) if r.message_type == "ORDCHG")
    assert change.state is RecordState.ACKNOWLEDGED, (change.state, change.error)
