"""Engine, sessions and the unit of work.

One unit of work per web request, GraphQL operation and EDI file. Services only ``flush``; the edge
(the transport that opened the unit of work) commits or rolls back. Services never call ``commit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool

from portal.errors import Conflict


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
_READ_ONLY_REFUSAL = "this unit of work is read-only: a GET page may not change data"


class WriteInReadOnlyUnit(RuntimeError):
    """A unit of work opened read-only (every GET page of the portal) tried to write."""


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, _context: object, _instances: object) -> None:
    if session.info.get(READ_ONLY) and _has_changes(session):
        raise WriteInReadOnlyUnit(_READ_ONLY_REFUSAL)


def _has_changes(session: Session) -> bool:
    return bool(session.new or session.deleted) or any(session.is_modified(obj) for obj in session.dirty)


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, read_only: bool = False) -> Iterator[UnitOfWork]:
    """Commit when the block succeeds, roll back when it raises. The only place that commits.

    ``read_only`` refuses every flush that would write (`WriteInReadOnlyUnit`) and ends with a
    rollback, so not even a statement executed directly is kept."""
    session = factory()
    if read_only:
        session.info[READ_ONLY] = True
    try:
        uow = UnitOfWork(session)
        yield uow
        if read_only:
            if _has_changes(session):
                raise WriteInReadOnlyUnit(_READ_ONLY_REFUSAL)
            session.rollback()
            return
        with translate_conflicts():
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
