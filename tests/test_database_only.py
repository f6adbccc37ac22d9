"""CI's PostgreSQL pass (PORTAL_TEST_DATABASE_ONLY=1) keeps every test that can reach the database and
leaves out the rest (tests/database_only.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType, SimpleNamespace
from typing import Any, cast

import pytest

from tests.database_only import reaches_database, reads_url

PROVIDER = "tests.conftest"


@dataclass
class _Def:
    func: Any


@dataclass
class _Item:
    """What reaches_database reads of a pytest item: its fixtures and their modules, its module."""

    module: ModuleType
    fixturenames: list[str] = field(default_factory=list)
    fixture_modules: dict[str, str] = field(default_factory=dict)

    @property
    def _fixtureinfo(self) -> SimpleNamespace:
        defs = {
            name: [_Def(SimpleNamespace(__module__=module))] for name, module in self.fixture_modules.items()
        }
        return SimpleNamespace(name2fixturedefs=defs)


def reaches(module: str, *fixtures: tuple[str, str]) -> bool:
    item = _Item(ModuleType(module), [name for name, _ in fixtures], dict(fixtures))
    return reaches_database(cast(pytest.Item, item), PROVIDER)


def test_a_database_fixture_keeps_a_test() -> None:
    assert reaches("tests.edi.test_iter_messages", ("database_url", PROVIDER))
    assert reaches("tests.web.test_orders", ("empty_database_url", PROVIDER))


def test_a_module_reading_the_url_itself_or_through_its_imports_keeps_its_tests() -> None:
    assert reads_url("tests.portal.test_migrations")  # from tests.conftest import PG_URL
    assert reads_url("tests.access.test_live_subscriptions")  # tests.e2e.server makes a schema
    assert reads_url("tests.gql.test_graphiql")  # imports tests.e2e.server inside the test
    assert reaches("tests.access.test_live_subscriptions")
    assert reaches("tests.e2e.test_journeys", ("live", "tests.e2e.conftest"))  # the live server's fixture


def test_tests_that_cannot_reach_the_database_are_left_out() -> None:
    assert not reads_url("tests.edi.test_iter_messages")
    assert not reads_url("tests.portal.test_seed_streaming")  # SQLite files of its own
    assert not reads_url("tests.web.conftest")
    assert not reaches("tests.portal.test_seed_streaming", ("tmp_path", "_pytest.tmpdir"))
    # sshd comes from the module of the database fixtures, but is no way to the database
    assert not reaches("tests.adapters.test_sftp", ("sshd", PROVIDER))
