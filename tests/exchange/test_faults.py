"""A worker killed between any two steps neither loses nor duplicates a document, and two workers
on one PostgreSQL apply each of 500 files exactly once.

The workers are real `portal exchange run --once` processes; ``PORTAL_EXCHANGE_CRASH_AT`` makes one
die with ``os._exit`` at a step, as a power cut would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine, make_sessionmaker
from portal.exchange.faults import STEPS
from portal.migrate import upgrade
from portal.models import Event, ExchangeRecord, OrderStatus, RecordState
from portal.orders import service as orders
from tests.exchange.helpers import Partner, order_response, partner_scene

PORTAL = str(Path(sys.executable).parent / "portal")
CRASHED = 86


@pytest.fixture
def migrated(empty_database_url: str) -> Iterator[tuple[str, Engine, sessionmaker[Session]]]:
    engine = make_engine(empty_database_url)
    upgrade(engine)
    yield empty_database_url, engine, make_sessionmaker(engine)
    engine.dispose()


def worker(url: str, crash_at: str | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORTAL_DATABASE_URL": url}
    env.pop("PORTAL_EXCHANGE_CRASH_AT", None)
    if crash_at:
        env["PORTAL_EXCHANGE_CRASH_AT"] = crash_at
    return subprocess.Popen(
        [PORTAL, "exchange", "run", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def both_workers(url: str) -> list[tuple[int, str]]:
    """Run two workers at once and reap both, even when one fails or hangs."""
    processes = [worker(url), worker(url)]
    results = []
    try:
        for process in processes:
            _out, err = process.communicate(timeout=600)
            results.append((process.returncode, err.decode()))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    return results


def run_worker(url: str, crash_at: str | None = None) -> int:
    process = worker(url, crash_at)
    _out, err = process.communicate(timeout=120)
    assert process.returncode in (0, CRASHED), err.decode()
    return process.returncode


def count(factory: sessionmaker[Session], *where: object, model: type = ExchangeRecord) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_killed_worker_neither_loses_nor_duplicates(
    migrated: tuple[str, Engine, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, _engine, factory = migrated
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(5, 3))
    # Outbound: killed after queueing, then after uploading the ORDERS file.
    assert run_worker(url, "queued") == CRASHED
    assert run_worker(url, "uploaded") == CRASHED
    assert len(partner.received("ORDERS")) == 1
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    partner.send("ordrsp.edi", order_response(loaded, quantities={1: None, 2: Decimal(2)}), "900")
    crashed_at = []
    for step in ("fetched", "stored", "archived", "claimed", "applied", "uploaded"):
        if run_worker(url, step) == CRASHED:
            crashed_at.append(step)
    assert crashed_at == ["fetched", "stored", "archived", "claimed", "applied", "uploaded"]
    assert run_worker(url) == 0
    assert len(partner.received("ORDERS")) == 1
    assert count(factory, ExchangeRecord.direction == "inbound") == 1
    assert count(factory, ExchangeRecord.state == RecordState.APPLIED) == 1
    assert count(factory, Event.kind == "order.confirmed", model=Event) == 1
    assert len(partner.received("CONTRL")) == 1
    assert not list(partner.inbox.iterdir())
    partner.scene.accept_changes(order)  # line 2's cut waited for the buyer's review (issue #17)
    with partner.scene.uow() as uow:
        confirmed = orders.load_order(uow, partner.scene.p("owner"), order.id)
        assert confirmed.status() is OrderStatus.CONFIRMED
        assert [line.quantity_confirmed for line in confirmed.lines] == [Decimal(5), Decimal(2)]


def test_every_crash_step_is_exercised() -> None:
    assert set(STEPS) == {"fetched", "stored", "archived", "claimed", "applied", "queued", "uploaded"}


@pytest.mark.slow
def test_two_workers_apply_500_files_exactly_once(
    migrated: tuple[str, Engine, sessionmaker[Session]], tmp_path: Path
) -> None:
    url, engine, factory = migrated
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL (SKIP LOCKED); SQLite has a single writer")
    partner: Partner = partner_scene(factory, tmp_path)
    customer = partner.scene.customer()
    owner = partner.scene.p("owner")
    supplier_id = partner.scene.orgs["supplier-a"].id
    with partner.scene.uow() as uow:  # one transaction for the setup: 500 orders routed to the supplier
        created = [
            orders.create_order(
                uow=uow,
                principal=owner,
                customer_id=customer.id,
                lines=[orders.NewOrderLine(sku="P-100", quantity=Decimal(4))],
            )
            for _ in range(500)
        ]
        for order in created:
            orders.route_order(uow=uow, principal=owner, order_id=order.id, supplier_id=supplier_id)
        for n, order in enumerate(created):
            partner.send(
                f"r{n:04d}.edi", order_response(order, quantities={1: None}, number=f"R{n}"), str(1000 + n)
            )
        order_ids = [order.id for order in created]
    started = time.perf_counter()
    results = both_workers(url)
    assert [code for code, _ in results] == [0, 0], "\n".join(err for _, err in results)
    print(f"two workers applied 500 files in {time.perf_counter() - started:.1f} s")
    assert count(factory, ExchangeRecord.direction == "inbound") == 500
    assert count(factory, ExchangeRecord.state == RecordState.APPLIED) == 500
    assert count(factory, Event.kind == "order.confirmed", model=Event) == 500
    with factory() as session:
        per_order = session.execute(
            select(Event.entity_id, func.count())
            .where(Event.kind == "order.confirmed")
            .group_by(Event.entity_id)
        ).all()
    assert sorted(i for i, _ in per_order) == sorted(order_ids)
    assert {n for _, n in per_order} == {1}


def test_a_file_that_kills_the_worker_is_failed_after_three_attempts(
    migrated: tuple[str, Engine, sessionmaker[Session]], tmp_path: Path
) -> None:
    """A poison file kills every worker that claims it (here: `os._exit` right after the claim). It
    is retried three times, then failed, and the worker that would have died on it lives on."""
    url, _engine, factory = migrated
    partner = partner_scene(factory, tmp_path)
    order = partner.scene.order(partner.scene.customer(), supplier="supplier-a", quantities=(5,))
    with partner.scene.uow() as uow:
        loaded = orders.load_order(uow, partner.scene.p("owner"), order.id)
    partner.send("poison.edi", order_response(loaded, quantities={1: None}), "990")
    assert [run_worker(url, "claimed") for _ in range(3)] == [CRASHED] * 3
    assert run_worker(url, "claimed") == 0  # not claimed a fourth time: failed instead
    with factory() as session:
        rec = session.scalars(select(ExchangeRecord).where(ExchangeRecord.filename == "poison.edi")).one()
        assert (rec.state, rec.attempts, rec.claimed_at) == (RecordState.FAILED, 3, None)
        assert "the worker stopped 3 times while processing this file" in (rec.error or "")
    assert len(partner.received("ORDERS")) == 1  # the outbound side ran in the surviving pass
