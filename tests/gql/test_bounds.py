"""Bounded work per operation: lines per order, a deadline for every statement."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.db import bound, failure_of, make_sessionmaker
from portal.errors import OperationTimeout
from portal.gql import Limits
from portal.models import Order
from tests.builders import Scene
from tests.gql.conftest import Api, World, gid, make_client


def test_an_order_with_more_lines_than_allowed_is_refused_naming_the_limit(world: World) -> None:
    product = gid("Product", world.api.scene.products[0].id)
    query = """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
        order { number } userErrors { field message code } } }"""
    lines = [{"product": product, "quantity": "1"}] * 501
    with world.api.scene.factory() as session:
        before = session.query(Order).count()
    data = world.api.ok(query, {"input": {"customer": world.gid("Customer", "shared"), "lines": lines}})
    error = data["createOrder"]["userErrors"][0]
    assert error["code"] == "INVALID_INPUT"
    assert error["field"] == ["lines"]
    assert "at most 500 lines" in error["message"]
    with world.api.scene.factory() as session:
        assert session.query(Order).count() == before


def slow_statement(dialect: str) -> str:
    if dialect == "postgresql":
        return "SELECT pg_sleep(10)"
    return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_a_statement_past_the_operations_deadline_is_stopped(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    started = time.monotonic()
    with sessions() as session:
        bound(session, 0.3)
        with pytest.raises(DBAPIError) as raised:
            session.execute(text(slow_statement(engine.dialect.name)))
    assert time.monotonic() - started < 3
    assert isinstance(failure_of(raised.value), OperationTimeout)
    # The deadline belonged to that session: the pooled connection works on without it.
    with sessions() as session:
        count = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000) "
        assert session.execute(text(count + "SELECT count(*) FROM c")).scalar() == 50000


def test_no_statement_starts_after_the_deadline(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        bound(session, 0.0)
        with pytest.raises(OperationTimeout):
            session.execute(text("SELECT 1"))


def test_every_graphql_operation_has_a_deadline(scene: Scene) -> None:
    with make_client(scene.factory, limits=Limits(operation_timeout=0.0)) as client:
        api = Api(client, scene)
        response = api.post("{ viewer { name } }", as_="supplier-a")
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


def test_an_operation_past_its_deadline_answers_timeout_not_an_internal_error(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal import changes

    dialect = scene.factory.kw["bind"].dialect.name

    def slow_feed(session: Session, *args: object, **kwargs: object) -> object:
        session.execute(text(slow_statement(dialect)))
        raise AssertionError("the deadline should have stopped the statement")

    monkeypatch.setattr(changes, "feed", slow_feed)
    started = time.monotonic()
    with make_client(scene.factory, limits=Limits(operation_timeout=0.5)) as client:
        response = Api(client, scene).post("{ changes(first: 1) { endCursor } }", as_="supplier-a")
    assert time.monotonic() - started < 5
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "TIMEOUT", error
    # stopped by the database (statement timeout / interrupt), or, on a loaded machine, by the check
    # before the statement once the deadline had already passed: both are the operation's TIMEOUT
    assert re.search(r"took (too long|longer than 0\.5 s)", error["message"]), error


def test_the_cost_cache_survives_an_eviction_by_another_worker_thread() -> None:
    """Operations run in several worker threads that share the cost cache: an entry read by one
    may be evicted by another before it is marked as recently used."""
    from collections import OrderedDict

    from portal.gql.limits import CostCache

    class EvictedRightAfterTheRead(OrderedDict[tuple[object, ...], int]):
        def get(self, key: tuple[object, ...], default: object = None) -> Any:
            value = super().get(key, default)
            self.pop(key, None)
            return value

    cache = CostCache(4)
    cache._costs = EvictedRightAfterTheRead()
    key = CostCache.key("{ viewer { name } }", None, {})
    cache.put(key, 7)
    assert cache.get(key) == 7
