from __future__ import annotations

import logging
import uuid
import warnings
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Engine, create_engine, inspect, make_url, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import selectinload, sessionmaker
from sqlalchemy.schema import CreateIndex

from portal.db import make_engine
from portal.exchange import contents
from portal.migrate import alembic_config, downgrade, upgrade
from portal.models import Base, ExchangeRecord, Order
from portal.models.search import (
    SEARCHED,
    create_search_objects,
    fts_table,
    include_name,
    is_search_object,
    trigram_index,
)
from portal.seed import seed_demo
from tests.conftest import PG_URL


def test_migrations_create_exactly_the_models_schema(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with empty_engine.connect() as conn, warnings.catch_warnings():
        # the search indexes are not models: test_search_objects_of_migrations_and_models_agree;
        # alembic cannot compare indexes on expressions: the test below
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; generate a migration: {diff}"


def _expression_indexes() -> dict[str, str]:
    """The models' indexes on expressions, by name, with their CREATE INDEX statement."""
    return {
        str(index.name): str(CreateIndex(index).compile(dialect=dialect))
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(e, Column) for e in index.expressions)
        for dialect in [postgresql.dialect()]
    }


def test_expression_indexes_of_migrations_and_models_agree(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    wanted = _expression_indexes()
    assert "ix_orders_due_id" in wanted
    with empty_engine.connect() as conn:
        if empty_engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
        else:
            rows = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
            )
        made = {name: sql for name, sql in rows if name in wanted}
    assert set(made) == set(wanted)
    for name, sql in made.items():  # the same expression (spelled by the database) and columns
        assert "coalesce(earliest_open_due, '9999-12-31'" in sql.lower().replace('"', ""), (name, sql)


def _search_objects(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"))
        else:
            names = conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))
        return {name for (name,) in names if is_search_object(name) or name.endswith(("_ai", "_ad", "_au"))}


def test_search_objects_of_migrations_and_models_agree(empty_engine: Engine, engine: Engine) -> None:
    upgrade(empty_engine)
    migrated = _search_objects(empty_engine)
    expected = (
        {trigram_index(t, c) for t, columns in SEARCHED.items() for c in columns}
        if engine.dialect.name == "postgresql"
        else {f"{fts_table(t)}{suffix}" for t in SEARCHED for suffix in ("", "_ai", "_ad", "_au")}
    )
    assert expected <= migrated  # (SQLite adds the FTS5 shadow tables)
    assert _search_objects(engine) == migrated  # the tests' schema comes from create_all
    downgrade(empty_engine, "0008")
    assert _search_objects(empty_engine) == set()
    upgrade(empty_engine)
    assert _search_objects(empty_engine) == migrated


def test_upgrade_twice_is_harmless(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config(empty_engine)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head


def test_0003_indexes_the_event_log_by_entity_and_downgrades(empty_engine: Engine) -> None:
    def indexes() -> set[str]:
        return {index["name"] or "" for index in inspect(empty_engine).get_indexes("events")}

    upgrade(empty_engine)
    assert "ix_events_entity_entity_id" in indexes()
    downgrade(empty_engine, "0002")
    assert "ix_events_entity_entity_id" not in indexes()
    upgrade(empty_engine)
    assert "ix_events_entity_entity_id" in indexes()


def test_0002_fills_in_the_summaries_of_existing_orders(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    seed_demo(empty_engine, scale=0.03, anchor=date(2026, 3, 2))
    downgrade(empty_engine, "0001")  # orders as they were before the summary columns
    assert "current_status" not in {c["name"] for c in inspect(empty_engine).get_columns("orders")}
    upgrade(empty_engine)
    with sessionmaker(empty_engine)() as session:
        orders = session.query(Order).options(selectinload(Order.lines)).all()
        wrong = [o.number for o in orders if (o.current_status, o.net_total) != (o.status(), o.total)]
        states = {o.current_status for o in orders}
    assert len(orders) > 50 and wrong == [] and len(states) >= 5


def test_0004_indexes_the_event_log_by_kind_and_downgrades(empty_engine: Engine) -> None:
    def indexes() -> set[str]:
        return {index["name"] or "" for index in inspect(empty_engine).get_indexes("events")}

    upgrade(empty_engine)
    assert "ix_events_kind_id" in indexes()
    downgrade(empty_engine, "0003")
    assert "ix_events_kind_id" not in indexes()
    upgrade(empty_engine)
    assert "ix_events_kind_id" in indexes()


def test_0006_moves_the_stored_files_out_of_the_records_and_back(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0005")
    big = bytes(range(256)) * (9 * 1024 * 1024 // 256) + b"tail"  # across two 4 MiB chunks
    files = {"empty.edi": b"", "small.edi": b"UNA:+.? 'UNB+UNOC:3'\x00\xff", "big.x12": big}
    with empty_engine.begin() as conn:
        org = conn.execute(
            text(
                "INSERT INTO organizations (slug, name, kind, created_at) "
                "VALUES ('supplier', 'Supplier', 'supplier', '2026-01-01 00:00:00') RETURNING id"
            )
        ).scalar_one()
        for name, data in files.items():
            conn.execute(
                text(
                    "INSERT INTO exchange_records (organization_id, direction, state, filename, size, sha256,"
                    " content, messages, attempts, created_at, updated_at) VALUES (:org, 'inbound', 'failed',"
                    " :name, :size, :sha, :data, '[]', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"org": org, "name": name, "size": len(data), "sha": "0" * 64, "data": data},
            )

    upgrade(empty_engine)
    assert "content" not in {c["name"] for c in inspect(empty_engine).get_columns("exchange_records")}
    with sessionmaker(empty_engine)() as session:
        ids = {
            name: ident for name, ident in session.execute(select(ExchangeRecord.filename, ExchangeRecord.id))
        }
        assert {name: contents.read_all(session, ids[name]) for name in files} == files
        assert {name: contents.size(session, ids[name]) for name in files} == {
            name: len(data) for name, data in files.items()
        }

    downgrade(empty_engine, "0005")
    assert "exchange_contents" not in inspect(empty_engine).get_table_names()
    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT filename, content FROM exchange_records")).all()
    assert {name: bytes(data) for name, data in rows} == files


def test_0007_existing_exchange_profiles_reject_invalid_einvoices(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "0006")
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organizations (slug, name, kind, created_at) "
                "VALUES ('p', 'P', 'supplier', '2026-01-01 00:00:00')"
            )
        )
        org = conn.execute(text("SELECT id FROM organizations WHERE slug = 'p'")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO exchange_profiles (organization_id, transport, settings, inbox, outbox, "
                "archive, format, partner_id, our_id, poll_seconds, ack_hours, enabled, created_at) VALUES "
                "(:org, 'folder', '{}', 'out', 'in', 'archive', 'edifact', 'P', 'O', 60, 24, true, "
                "'2026-01-01 00:00:00')"
            ),
            {"org": org},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT invalid_einvoices FROM exchange_profiles")).scalar_one() == "reject"
    downgrade(empty_engine, "0006")
    assert "invalid_einvoices" not in {
        c["name"] for c in inspect(empty_engine).get_columns("exchange_profiles")
    }


@pytest.mark.skipif(not PG_URL, reason="the pg_trgm extension is PostgreSQL's")
def test_without_the_right_to_create_pg_trgm_the_upgrade_goes_on_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A role that may create tables but not extensions (no CREATE on the database): the upgrade
    succeeds without the trigram indexes and logs why; once the extension is there, they follow."""
    name = f"noext_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    url = make_url(PG_URL)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    inside = create_engine(url.set(database=name), isolation_level="AUTOCOMMIT")
    try:
        with inside.connect() as conn:
            conn.execute(text(f'GRANT USAGE, CREATE ON SCHEMA public TO "{name}"'))
        engine = make_engine(url.set(database=name, username=name).render_as_string(hide_password=False))
        with caplog.at_level(logging.WARNING, logger="portal.search"):
            upgrade(engine)
        assert "pg_trgm could not be created" in caplog.text
        assert "portal db search-indexes" in caplog.text
        with engine.connect() as conn:
            indexes = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")))
        assert "ix_orders_created_at_id" in indexes and trigram_index("orders", "number") not in indexes
        with inside.connect() as conn:
            conn.execute(text("CREATE EXTENSION pg_trgm"))
        with engine.begin() as conn:
            create_search_objects(conn)
            indexes = set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")))
        assert trigram_index("orders", "number") in indexes
        engine.dispose()
    finally:
        inside.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()


def test_0033_keys_won_opportunities_by_the_month_they_were_won_and_back(empty_engine: Engine) -> None:
    from datetime import UTC, datetime

    from portal.models import Opportunity, OpportunityTally

    upgrade(empty_engine)
    seed_demo(empty_engine, scale=0.03, anchor=date(2026, 3, 2))
    with empty_engine.begin() as conn:
        ident, seller = conn.execute(
            select(Opportunity.id, Opportunity.dealer_id).where(Opportunity.stage == "won").limit(1)
        ).one()
        # won on 1 December in Berlin (23:30 UTC the day before), far from its expected close
        conn.execute(
            update(Opportunity)
            .where(Opportunity.id == ident)
            .values(closed_at=datetime(2025, 11, 30, 23, 30, tzinfo=UTC), expected_close=date(2026, 6, 10))
        )

    def won_months() -> set[date]:
        tallies = OpportunityTally.__table__
        with empty_engine.connect() as conn:
            return set(
                conn.scalars(
                    select(tallies.c.month).where(
                        tallies.c.seller_id == (seller or 0), tallies.c.stage == "won", tallies.c.n > 0
                    )
                )
            )

    downgrade(empty_engine, "0032")
    assert date(2026, 6, 1) in won_months()  # before 0033: by its expected close
    upgrade(empty_engine)
    assert date(2025, 12, 1) in won_months() and date(2026, 6, 1) not in won_months()


def test_0035_gives_events_their_writing_transaction_and_existing_ones_0(
    empty_engine: Engine, engine: Engine
) -> None:
    def write_event(conn: Connection, note: str) -> None:
        conn.execute(
            text(
                "INSERT INTO events (occurred_at, kind, entity, entity_id, payload) "
                "VALUES ('2026-01-01 00:00:00', 'case.opened', 'case', 1, :note)"
            ),
            {"note": f'{{"n": "{note}"}}'},
        )

    def events_indexes() -> set[str]:
        return {index["name"] or "" for index in inspect(empty_engine).get_indexes("events")}

    upgrade(empty_engine, "0034")
    with empty_engine.begin() as conn:
        write_event(conn, "before")
    upgrade(empty_engine)
    assert "ix_events_txid_id" in events_indexes()
    postgresql = empty_engine.dialect.name == "postgresql"
    with empty_engine.begin() as conn:
        write_event(conn, "after")
        running = conn.scalar(text("SELECT (pg_current_xact_id()::text)::bigint")) if postgresql else 0
    with empty_engine.connect() as conn:
        txids = list(conn.scalars(text("SELECT txid FROM events ORDER BY id")))
    assert txids == [0, running]  # the writing transaction's id on PostgreSQL
    if postgresql:
        assert _column_default(empty_engine) == _column_default(engine)  # the tests' schema: create_all
    downgrade(empty_engine, "0034")
    assert "txid" not in {c["name"] for c in inspect(empty_engine).get_columns("events")}
    assert "ix_events_txid_id" not in events_indexes()


def _column_default(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text(
                    "SELECT column_default FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND table_name = 'events' AND column_name = 'txid'"
                )
            ).scalar_one()
        )
