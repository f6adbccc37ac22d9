"""Database fixtures: SQLite by default, PostgreSQL when PORTAL_TEST_DATABASE_URL is set.

On PostgreSQL every test run works in a schema of its own (created here, dropped at the end), so
parallel runs on one server do not collide.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine, make_sessionmaker
from portal.models import Base
from tests import database_only, parallel
from tests.adapters.sshd import SshdInfo, SshdUnavailable, running_sshd
from tests.edi.corpus import missing, reads_absent_corpus

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"portal database: {'postgresql (' + PG_URL + ')' if PG_URL else 'sqlite'}"


# pytest-xdist: tests that share a package, module or class-scoped setup run together on one worker
# (tests/parallel.py says how and why).
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PORTAL_TEST_DATABASE_ONLY") == "1":
        # CI's PostgreSQL pass: only the tests that can reach the database (tests/database_only.py)
        database_only.keep_database_tests(config, items, provider=__name__)
    parallel.write_groups(config, items)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[parallel.GROUPS_DIR] = str(parallel.groups_dir(node.config))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    return parallel.make_scheduler(config, log) if config.getvalue("dist") == "loadgroup" else None


def pytest_unconfigure(config: pytest.Config) -> None:
    parallel.remove_groups_dir(config)


# A test (or its fixture) that opens a file of the shared corpus when the corpus is not there is
# skipped, or fails under CI=true (tests.edi.corpus).
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    return (yield from _corpus_or_skip())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    return (yield from _corpus_or_skip())


def _corpus_or_skip() -> Iterator[None]:
    try:
        return (yield)
    except Exception as exc:
        if reads_absent_corpus(exc):
            missing(Path(str(getattr(exc, "filename", "") or exc)))
        raise


@pytest.fixture(scope="session", autouse=True)
def one_graphql_schema_per_limits() -> Iterator[None]:
    """Every app and GraphQL client a test makes builds its strawberry schema: 85 ms, nearly all of
    ``create_app``, for about 800 tests per pass. The schema depends on nothing but its limits and
    the introspection switch, and keeps nothing of a request but costs by query text (for those
    limits), so each worker builds one per (limits, introspection) and every endpoint reuses it. A
    test that calls ``build_schema`` itself still gets a new one."""
    from portal.gql import endpoint, schema

    with pytest.MonkeyPatch.context() as patch:  # raises if endpoint no longer builds it by this name
        patch.setattr(endpoint, "build_schema", functools.cache(schema.build_schema))
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PG_URL:
        path = Path(tmp_path_factory.mktemp("db")) / "test.sqlite3"
        yield f"sqlite:///{path}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def wipe(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))  # children before their parents
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            # Without AUTOINCREMENT, SQLite restarts ids at 1 once a table is empty.
            for table in tables:
                conn.execute(table.delete())
        return
    # Only the tables a test filled (one probe for all) are emptied, and the sequences it used set
    # back to 1. DELETE, then VACUUM, not TRUNCATE: a TRUNCATE ... CASCADE of the few filled tables
    # reaches every table that references them (nearly all 55, with 180 indexes: a new file each and
    # a catalog row updated each), 0.3 s after every test in a fresh schema and more than 1 s late in
    # the run as pg_class filled with dead rows - a third of the PostgreSQL pass. The VACUUM gives
    # the emptied tables back their pages (an empty tail is cut off), so each test starts on fresh
    # heaps again that keep rows in the order they are written, as a truncated table did.
    filled: list[str] = []
    with engine.begin() as conn:
        probe = " UNION ALL ".join(
            f'SELECT {n} WHERE EXISTS (SELECT 1 FROM "{t.name}")' for n, t in enumerate(tables)
        )
        hit = set(conn.execute(text(probe)).scalars())
        for n, table in enumerate(tables):
            if n in hit:
                conn.execute(table.delete())
                filled.append(table.name)
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
            )
        )
    if filled:  # VACUUM runs outside a transaction
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM " + ", ".join(f'"{name}"' for name in filled)))


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on an empty database (wiped after the test)."""
    yield make_sessionmaker(engine)
    wipe(engine)


@pytest.fixture
def statement_counter(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield statements
    event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (for migrations and the command line)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = f"empty_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def empty_engine(empty_database_url: str) -> Iterator[Engine]:
    engine = make_engine(empty_database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdInfo]:
    """A private OpenSSH sshd with internal-sftp on 127.0.0.1, shared by the whole session. Outside CI
    the SFTP tests skip when sshd is not installed; under CI=true that is a failure."""
    try:
        with running_sshd(tmp_path_factory.mktemp("sshd")) as info:
            yield info
    except SshdUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the SFTP tests: {exc}")
        pytest.skip(str(exc))
