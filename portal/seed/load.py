"""Streaming the demo world into the database: each batch of the plan is bulk-inserted and committed
as it comes, so memory stays flat whatever the scale; at the end the sequences are moved past the
planned ids and the tables analyzed.

The rows go in with ``COPY ... FROM STDIN`` on PostgreSQL (psycopg's ``cursor.copy``: about a
quarter of the client's CPU of an executemany of ``insert()`` with the same rows, measured at scale 1)
and with one executemany of an INSERT per table and batch on SQLite (a tenth less CPU than handing
``insert()`` the row dictionaries). Both send each value through its column type's bind processing,
so what is stored is what the ORM would store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select, text

from portal.models import Base, Organization
from portal.seed.base import Batch, Row
from portal.seed.plan import Plan, plan_demo
from portal.summaries import rebuild


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Organization)).scalar_one() == 0


def load_demo(
    engine: Engine,
    *,
    scale: float,
    anchor: date | None,
    password_hash: str,
    advance: Callable[[Batch], None] = lambda batch: None,
) -> Plan:
    """Plan the demo world and write it batch by batch, one transaction a batch (a failure leaves
    the batches before it: seed an empty database again). Returns the plan's counts and accounts."""
    with engine.connect() as conn:
        insert = _INSERTS.get(conn.dialect.name)
        if insert is None:
            raise ValueError(f"the demo seed writes to PostgreSQL or SQLite, not {conn.dialect.name}")
        # On PostgreSQL a batch's commit need not wait for its WAL to reach the disk: a crash loses
        # at most the last batches, and a half-seeded database is seeded again anyway (see above).
        relaxed = conn.dialect.name == "postgresql"

        def write(batch: Batch) -> None:
            with conn.begin():  # begun explicitly: COPY goes past the Connection, its commit must not
                if relaxed:
                    conn.exec_driver_sql("SET LOCAL synchronous_commit TO off")
                for table, rows in batch:
                    insert(conn, table, rows)
            advance(batch)

        plan = plan_demo(scale=scale, anchor=anchor, password_hash=password_hash, sink=write)
        with conn.begin():
            _finish(conn, plan)
    return plan


def _database_values(
    conn: Connection, table: Table, rows: list[Row]
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """The column names of the rows and each row's values as the database takes them: through each
    column type's own bind processing, as an ``insert()`` would send them."""
    names = list(rows[0])
    dialect = conn.dialect
    columns = [(n, table.c[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names]
    values = (tuple([bind(row[n]) if bind else row[n] for n, bind in columns]) for row in rows)
    return names, values


def _executemany(conn: Connection, table: Table, rows: list[Row]) -> None:
    names, values = _database_values(conn, table, rows)
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(n) for n in names)
    marks = ", ".join("?" * len(names))  # sqlite3's paramstyle
    into = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({marks})"
    conn.exec_driver_sql(into, list(values))


def _copy(conn: Connection, table: Table, rows: list[Row]) -> None:
    import psycopg  # only on PostgreSQL

    names, values = _database_values(conn, table, rows)
    quote = conn.dialect.identifier_preparer
    into = f"COPY {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) FROM STDIN"
    raw = conn.connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)  # the PostgreSQL driver of portal.db
    with raw.cursor() as cursor, cursor.copy(into) as copy:
        for row in values:
            copy.write_row(row)


_INSERTS: dict[str, Callable[[Connection, Table, list[Row]], None]] = {
    "postgresql": _copy,
    "sqlite": _executemany,
}


def _finish(conn: Connection, plan: Plan) -> None:
    """The dashboard tallies (the rows carry their order facts, see portal.seed.orders), sequences
    past the planned ids (PostgreSQL) and fresh planner statistics (both databases): a freshly
    loaded table has none, and the planner would guess."""
    rebuild(conn, facts=False)
    quote = conn.dialect.identifier_preparer.format_table
    if conn.dialect.name == "postgresql":
        for table, rows in plan.counts.items():
            if rows and "id" in table.c:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {quote(table)}))"
                    )
                )
        # Only our tables: a bare ANALYZE would visit every schema of the database.
        conn.execute(text("ANALYZE " + ", ".join(quote(t) for t in Base.metadata.sorted_tables)))
    else:
        conn.execute(text("ANALYZE"))
