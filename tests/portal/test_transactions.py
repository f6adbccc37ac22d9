"""Units of work: all or nothing, and no lost update between two concurrent sessions."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import Conflict
from portal.models import Customer, Event, LineResponse, Organization, Product
from portal.orders import service as orders
from tests.builders import build_scene


def test_failure_inside_a_unit_of_work_leaves_nothing_behind(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    with pytest.raises(RuntimeError), scene.uow() as uow:
        from portal.customers import service as customers

        customers.create_customer(uow=uow, principal=scene.p("owner"), name="Halb GmbH")
        raise RuntimeError("crash after the first write")
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_two_sessions_changing_one_order_lose_no_update(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    """Both answer the same order at once; one wins, the other gets Conflict (PostgreSQL row lock)
    or is serialized (SQLite's single writer): never a silent overwrite."""
    scene = build_scene(factory)
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10,))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def answer(quantity: int) -> None:
        try:
            with scene.uow() as uow:
                loaded = orders.load_order(uow, scene.p("supplier-a"), order.id)
                version = loaded.version
                barrier.wait(timeout=10)
                orders.respond_to_order(
                    uow=uow,
                    principal=scene.p("supplier-a"),
                    order_id=order.id,
                    expected_version=version,
                    answers=[orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(quantity))],
                )
            outcomes.append(f"ok {quantity}")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=answer, args=(q,)) for q in (7, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "ok"], outcomes
    winner = Decimal(next(o for o in outcomes if o.startswith("ok")).split()[1])
    with scene.uow() as uow:
        line = orders.load_order(uow, scene.p("owner"), order.id).lines[0]
        assert line.proposed_quantity == winner  # beyond the tolerance: it awaits the buyer's review


def test_a_read_only_unit_of_work_refuses_to_write_and_leaves_nothing(factory: sessionmaker[Session]) -> None:
    from portal.db import WriteInReadOnlyUnit, unit_of_work

    with pytest.raises(WriteInReadOnlyUnit, match="read-only"), unit_of_work(factory, read_only=True) as uow:
        uow.session.add(Customer(number="K-1", name="Nur Lesen GmbH", country_code="DE"))
        uow.flush()
    with pytest.raises(WriteInReadOnlyUnit), unit_of_work(factory, read_only=True) as uow:
        uow.session.add(Customer(number="K-2", name="Ungespeichert GmbH", country_code="DE"))  # never flushed
    with unit_of_work(factory, read_only=True) as uow:  # reading is fine
        assert uow.session.scalar(select(func.count()).select_from(Customer)) == 0
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 0


def test_a_read_only_unit_of_work_refuses_a_statement_of_its_own(factory: sessionmaker[Session]) -> None:
    """Not only the ORM's flush: any statement that writes is refused (PostgreSQL: by the database,
    a READ ONLY transaction; SQLite: before the driver), and the next unit of work on the pooled
    connection writes."""
    from portal.db import WriteInReadOnlyUnit, unit_of_work

    scene = build_scene(factory)
    owner = scene.orgs["owner"].id
    rename = update(Organization).where(Organization.id == owner).values(name="Umbenannt")
    with pytest.raises(WriteInReadOnlyUnit, match="read-only"), unit_of_work(factory, read_only=True) as uow:
        uow.session.execute(rename)
    for sql in ("DELETE FROM products", "WITH gone AS (SELECT 1) DELETE FROM products"):
        with pytest.raises(WriteInReadOnlyUnit), unit_of_work(factory, read_only=True) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Product)) == 3  # reading is fine
            uow.session.connection().exec_driver_sql(sql)
    with unit_of_work(factory) as uow:
        uow.session.execute(rename)
    with factory() as session:
        assert session.scalar(select(Organization.name).where(Organization.id == owner)) == "Umbenannt"
        assert session.scalar(select(func.count()).select_from(Product)) == 3
