"""Engine, sessions and the unit of work.

One unit of work per web request, GraphQL operation and EDI file. Services only ``flush``; the edge
(the transport that opened the unit of work) commits or rolls back. Services never call ``commit``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool

from portal.errors import Conflict, OperationTimeout, ServiceUnavailable


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_cursor_execute", _refuse_write_statement)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    event.listen(engine, "before_cursor_execute", _check_deadline)
    event.listen(engine, "checkin", _forget_deadline)
    event.listen(engine, "checkin", _leave_read_only)
    event.listen(engine, "handle_error", _refused_write)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


DEADLINE = "portal.deadline"


def bound(session: Session, seconds: float) -> None:
    """Give the session's work a deadline ``seconds`` from now: no statement starts after it, and a
    running one is stopped when it passes (PostgreSQL: ``SET LOCAL statement_timeout`` at the start
    of each transaction; SQLite: a progress handler that interrupts the statement). A statement
    stopped so raises an error that :func:`failure_of` calls :class:`~portal.errors.OperationTimeout`.

    Costs a dictionary look-up per statement: the listeners are registered once per engine and
    for the Session class (``make_engine``, ``_begin``), not per session."""
    session.info[DEADLINE] = (time.monotonic() + seconds, seconds)


@event.listens_for(Session, "after_begin")
def _begin(session: Session, _transaction: object, connection: Connection) -> None:
    """What each transaction starts with: its deadline and, for a read-only unit of work, the
    refusal to write (on PostgreSQL both in one statement: one round trip)."""
    settings = [*_apply_read_only(session, connection), *_apply_deadline(session, connection)]
    if settings:
        connection.exec_driver_sql("; ".join(settings))


def _apply_deadline(session: Session, connection: Connection) -> list[str]:
    bounds = session.info.get(DEADLINE)
    if bounds is None:
        return []
    deadline = bounds[0]
    connection.info[DEADLINE] = bounds
    if connection.dialect.name == "postgresql":
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        return [f"SET LOCAL statement_timeout = {remaining}"]
    if connection.dialect.name == "sqlite":
        dbapi = connection.connection.dbapi_connection
        if dbapi is not None:
            dbapi.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    return []


def _check_deadline(conn: Connection, *_: Any) -> None:
    bounds = conn.info.get(DEADLINE)
    if bounds is not None and time.monotonic() > bounds[0]:
        raise OperationTimeout(f"the operation took longer than {bounds[1]:g} s and was stopped")


def _forget_deadline(dbapi_connection: Any, record: Any) -> None:
    # A deadline belongs to one operation, not to the pooled connection.
    had_one = record is not None and record.info.pop(DEADLINE, None) is not None
    if had_one and hasattr(dbapi_connection, "set_progress_handler"):
        dbapi_connection.set_progress_handler(None, 0)


def failure_of(exc: BaseException) -> OperationTimeout | ServiceUnavailable | None:
    """What a database exception means to a caller: the operation ran out of time, or the
    database could not be reached (connection refused or lost, pool exhausted). None for anything
    else (a bug: masked and logged by the edge). The message names neither host nor driver."""
    if isinstance(exc, OperationTimeout | ServiceUnavailable):
        return exc
    if isinstance(exc, PoolTimeout):
        return ServiceUnavailable("the database is busy; retry shortly")
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        name = type(orig).__name__
        if name == "QueryCanceled" or str(orig) == "interrupted":
            return OperationTimeout("the operation took too long and was stopped; ask for less")
        if exc.connection_invalidated or name in {"OperationalError", "InterfaceError"}:
            return ServiceUnavailable("the database is not reachable; retry shortly")
    return None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


@dataclass
class UnitOfWork:
    """The session a use case runs in. Services call ``uow.session`` and ``uow.flush()``."""

    session: Session

    def flush(self) -> None:
        with translate_conflicts():
            self.session.flush()


@contextmanager
def translate_conflicts() -> Iterator[None]:
    """Stale versions and unique violations surface as :class:`~portal.errors.Conflict`."""
    try:
        yield
    except StaleDataError as exc:
        raise Conflict("the record was changed by someone else meanwhile; reload and try again") from exc
    except IntegrityError as exc:
        raise Conflict(f"a unique value is already taken or a reference is invalid ({exc.orig})") from exc


READ_ONLY = "portal.read_only"
_READ_ONLY_REFUSAL = "this unit of work is read-only: a GET page may not change data, nor may a GraphQL query"


class WriteInReadOnlyUnit(RuntimeError):
    """A unit of work opened read-only (every GET page of the portal, every GraphQL query) tried to
    write: through the ORM (refused before the flush) or with a statement of its own (PostgreSQL:
    refused by the database, the transaction runs ``READ ONLY``; SQLite: refused before it reaches
    the driver, see ``_refuse_write_statement``)."""


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, _context: object, _instances: object) -> None:
    if session.info.get(READ_ONLY) and _has_changes(session):
        raise WriteInReadOnlyUnit(_READ_ONLY_REFUSAL)


def _apply_read_only(session: Session, connection: Connection) -> list[str]:
    """Mark the connection for this transaction; PostgreSQL refuses every write in it itself."""
    read_only = bool(session.info.get(READ_ONLY))
    connection.info[READ_ONLY] = read_only
    return ["SET TRANSACTION READ ONLY"] if read_only and connection.dialect.name == "postgresql" else []


def _leave_read_only(_dbapi_connection: Any, record: Any) -> None:
    # The mark belongs to one unit of work, not to the pooled connection.
    if record is not None:
        record.info.pop(READ_ONLY, None)


# SQLite has ``PRAGMA query_only``, but switching it expires every prepared statement of the
# connection (measured: a quarter of a millisecond per page, re-preparing each statement), so in a
# read-only unit of work SQLite's statements are checked here: DML by its compiled kind, any other
# statement by its verb.
_WRITE_VERB = re.compile(
    r"\s*(?:(?:INSERT|UPDATE|DELETE|REPLACE|UPSERT|CREATE|DROP|ALTER|VACUUM|REINDEX|ATTACH|DETACH)\b"
    r"|PRAGMA\s+[\w.]+\s*=)",
    re.IGNORECASE,
)
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def _refuse_write_statement(
    conn: Connection, _cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    if not conn.info.get(READ_ONLY):
        return
    dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
    if dml or _writes(statement):
        raise WriteInReadOnlyUnit(_READ_ONLY_REFUSAL)


@lru_cache(maxsize=2048)  # the same few hundred statements run again and again
def _writes(statement: str) -> bool:
    return bool(
        _WRITE_VERB.match(statement)
        or (statement.lstrip()[:4].upper() == "WITH" and _WRITE_IN_WITH.search(statement))
    )


def _refused_write(context: ExceptionContext) -> None:
    """PostgreSQL refused a write in a read-only unit of work: say so, in the portal's terms."""
    connection = context.connection
    if connection is None or not connection.info.get(READ_ONLY):
        return
    if getattr(context.original_exception, "sqlstate", None) == "25006":  # read_only_sql_transaction
        raise WriteInReadOnlyUnit(_READ_ONLY_REFUSAL) from context.original_exception


def _has_changes(session: Session) -> bool:
    return bool(session.new or session.deleted) or any(session.is_modified(obj) for obj in session.dirty)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[UnitOfWork]:
    """Commit when the block succeeds, roll back when it raises. The only place that commits.

    ``read_only`` refuses every flush that would write (`WriteInReadOnlyUnit`), has the database
    refuse any statement that writes (the same error), and ends with a rollback."""
    session = factory()
    if read_only:
        session.info[READ_ONLY] = True
    try:
        uow = UnitOfWork(session)
        yield uow
        if read_only:
            if _has_changes(session):
                raise WriteInReadOnlyUnit(_READ_ONLY_REFUSAL)
            return  # closing (below) ends the transaction: the pool rolls the connection back
        with translate_conflicts():
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
