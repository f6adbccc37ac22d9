"""The text-search indexes: which columns the lists search, and the database objects that make
``portal.reading.search.text_search`` an index lookup instead of a scan.

* PostgreSQL: a ``pg_trgm`` GIN index on ``lower(column)`` per searched column (the expression
  ``text_search`` compares), so ``lower(col) LIKE '%text%'`` is a bitmap index scan. The operator
  class is named with the schema the extension lives in: the extension exists once per database
  and a schema's ``search_path`` (each test run has its own) need not include it. When the
  extension cannot be created (not installed, no privilege), the indexes are left out with a
  warning in the log and search stays a scan: the upgrade does not fail.
* SQLite: an FTS5 table with the ``trigram`` tokenizer (SQLite >= 3.34) per searched table,
  ``<table>_search``, with external content (the table itself: nothing is stored twice but the
  index) kept current by three triggers. ``text_search`` narrows to its ``MATCH`` and keeps the
  ``LIKE`` as the exact test.

:data:`SEARCHED` is the one list; ``create_all`` creates the objects through a metadata event and
migration 0009 with the same functions. A migration that rebuilds a searched table on SQLite
(``batch_alter_table`` copies it) drops the triggers: it must call :func:`create_search_objects`
for that table again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, MetaData, event, text
from sqlalchemy.exc import DBAPIError

from portal.models.base import Base

log = logging.getLogger("portal.search")

# table -> the columns its list searches (text_search calls in the domains' queries.py)
SEARCHED: dict[str, tuple[str, ...]] = {
    "orders": ("number", "delivery_name", "customer_reference"),
    "shipments": ("number", "tracking_number"),
    "invoices": ("number",),
    "customers": ("name", "number", "city", "vat_id"),
    "contacts": ("first_name", "last_name", "email"),
    "cases": ("number", "subject"),
    "opportunities": ("number", "name"),
    "deal_registrations": ("number", "prospect_name", "city"),
    "leads": ("number", "company", "contact_name", "email", "city"),
    "products": ("sku", "name", "gtin"),
    "organizations": ("name", "slug"),
    "users": ("name", "email"),
    "exchange_records": ("filename", "message_type", "interchange_ref"),
}


def fts_table(table: str) -> str:
    """The SQLite FTS5 table that indexes ``table``'s searched columns."""
    return f"{table}_search"


def trigram_index(table: str, column: str) -> str:
    """The PostgreSQL GIN index on ``lower(column)``."""
    return f"ix_{table}_{column}_trgm"


def is_search_object(name: str | None) -> bool:
    """Whether a table or index name is one of these objects (or an FTS5 shadow table): alembic's
    comparison of models and database leaves them out, they are not models."""
    if not name:
        return False
    return any(
        name == fts_table(table)
        or name.startswith(fts_table(table) + "_")
        or any(name == trigram_index(table, column) for column in columns)
        for table, columns in SEARCHED.items()
    )


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """alembic's ``include_name``: leaves the search objects out of comparing models and database."""
    return type_ not in ("table", "index") or not is_search_object(name)


def trigram_schema(conn: Connection) -> str | None:
    """The schema of the pg_trgm extension, creating the extension when it is missing (in
    ``public`` when that works, else in the current schema); None when it cannot be had."""
    found = conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()
    if found is not None:
        return str(found)
    problems = []
    for statement in (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    ):
        try:
            with conn.begin_nested():  # a refusal rolls back to here, not the whole migration
                conn.execute(text(statement))
        except DBAPIError as exc:  # any refusal: try the next way, then go without
            problems.append(f"{statement}: {str(exc.orig).splitlines()[0]}")
            continue
        return trigram_schema(conn)
    log.warning(
        "text search: the PostgreSQL extension pg_trgm could not be created, so searches scan the "
        "tables (slow on large data). Ask a superuser to run `CREATE EXTENSION pg_trgm` in this "
        "database, then run `portal db search-indexes`. Tried: %s",
        "; ".join(problems),
    )
    return None


def _postgresql(conn: Connection, searched: Mapping[str, tuple[str, ...]]) -> None:
    schema = trigram_schema(conn)
    if schema is None:
        return
    opclass = f'"{schema}".gin_trgm_ops'
    for table, columns in searched.items():
        for column in columns:
            conn.execute(
                text(
                    f"CREATE INDEX IF NOT EXISTS {trigram_index(table, column)} ON {table} "
                    f"USING gin (lower({column}) {opclass})"
                )
            )


def _sqlite(conn: Connection, searched: Mapping[str, tuple[str, ...]]) -> None:
    for table, columns in searched.items():
        fts = fts_table(table)
        names = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        statements = (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names}, content='{table}', "
            "content_rowid='id', tokenize='trigram')",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new}); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        )
        for statement in statements:
            conn.execute(text(statement))


def create_search_objects(conn: Connection, searched: Mapping[str, tuple[str, ...]] = SEARCHED) -> None:
    """Create (or complete) the search indexes of ``searched`` on this connection's database."""
    if conn.dialect.name == "postgresql":
        _postgresql(conn, searched)
    elif conn.dialect.name == "sqlite":
        _sqlite(conn, searched)


def drop_search_objects(conn: Connection, searched: Mapping[str, tuple[str, ...]] = SEARCHED) -> None:
    for table, columns in searched.items():
        if conn.dialect.name == "postgresql":
            for column in columns:
                conn.execute(text(f"DROP INDEX IF EXISTS {trigram_index(table, column)}"))
        elif conn.dialect.name == "sqlite":
            fts = fts_table(table)
            for suffix in ("ai", "ad", "au"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {fts}_{suffix}"))
            conn.execute(text(f"DROP TABLE IF EXISTS {fts}"))


@event.listens_for(Base.metadata, "after_create")
def _after_create(metadata: MetaData, conn: Connection, **_kw: Any) -> None:
    """``create_all`` (tests, a fresh demo database) creates the search objects too."""
    create_search_objects(conn, {t: c for t, c in SEARCHED.items() if t in metadata.tables})


@event.listens_for(Base.metadata, "before_drop")
def _before_drop(metadata: MetaData, conn: Connection, **_kw: Any) -> None:
    drop_search_objects(conn, {t: c for t, c in SEARCHED.items() if t in metadata.tables})
