"""The worker's step for prepared exports: claim a queued export, write its CSV as the user who
asked for it (loaded afresh: deactivated users get nothing, changed roles and organizations apply),
store the file, record ``export.finished`` or ``export.failed``; delete files past their expiry.

Several workers may run on one PostgreSQL: an export is claimed with ``FOR UPDATE SKIP LOCKED``
and a conditional update (queued -> running), so each runs once. An export left running by a
worker that died is taken up again after `STALE_AFTER`.

The file is the web list's CSV (`portal.web.views.lists.csv_chunks`: same columns, labels,
dialect and rows as the streamed download), written to a temporary file first and stored from it
in chunks (`portal.exchange.contents`): memory stays bounded whatever the size.
"""

from __future__ import annotations

import logging
import mmap
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal import events
from portal.access import Principal, principal_for_user, standing_user
from portal.db import unit_of_work
from portal.exchange import contents, failures
from portal.exports.service import KEEP_FOR
from portal.models import Export, ExportStatus, User, export_contents
from portal.models.base import utcnow

log = logging.getLogger("portal.exports")
STALE_AFTER = timedelta(hours=1)


class ExportFailed(Exception):
    """A reason the user can read, stored as the export's error."""


@dataclass
class ExportReport:
    finished: int = 0
    failed: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)


def run_exports_once(
    session_factory: sessionmaker[Session], *, now: datetime | None = None, limit: int = 10
) -> ExportReport:
    """Delete expired exports, then prepare up to ``limit`` queued ones, one after the other."""
    report = ExportReport()
    report.expired = expire_exports(session_factory, now=now)
    for _ in range(limit):
        export_id = _claim(session_factory, now or utcnow())
        if export_id is None:
            break
        if _prepare(session_factory, export_id, report):
            report.finished += 1
        else:
            report.failed += 1
    return report


def expire_exports(session_factory: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """Delete exports (and their files) whose week is over."""
    with unit_of_work(session_factory) as uow:
        result = uow.session.execute(
            delete(Export).where(Export.expires_at < (now or utcnow())).returning(Export.id)
        )
        gone = list(result.scalars())
        if gone:
            # SQLite enforces ON DELETE CASCADE only with foreign keys on: delete the files explicitly.
            uow.session.execute(delete(export_contents).where(export_contents.c.export_id.in_(gone)))
    return len(gone)


def _claim(session_factory: sessionmaker[Session], now: datetime) -> int | None:
    with unit_of_work(session_factory) as uow:
        waiting = or_(
            Export.status == ExportStatus.QUEUED,
            (Export.status == ExportStatus.RUNNING) & (Export.started_at < now - STALE_AFTER),
        )
        export_id = uow.session.scalar(
            select(Export.id).where(waiting).order_by(Export.id).limit(1).with_for_update(skip_locked=True)
        )
        if export_id is None:
            return None
        taken = uow.session.execute(
            update(Export)
            .where(Export.id == export_id, waiting)
            .values(status=ExportStatus.RUNNING, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return export_id if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def _prepare(session_factory: sessionmaker[Session], export_id: int, report: ExportReport) -> bool:
    with session_factory() as session:
        export = session.get_one(Export, export_id)
        session.expunge(export)
    try:
        with tempfile.TemporaryFile() as spool:
            principal, rows = _write(session_factory, export, spool)
            size = spool.tell()
            spool.flush()
            with unit_of_work(session_factory) as uow:
                if size:
                    with mmap.mmap(spool.fileno(), size, access=mmap.ACCESS_READ) as data:
                        contents.save(uow.session, export.id, data, table=export_contents)
                _finish(uow.session, export.id, ExportStatus.DONE, rows=rows, size=size)
                events.record(
                    uow, principal, "export.finished", "export", export.id,
                    list=export.list_name, rows=rows, bytes=size,
                )  # fmt: skip
        log.info("export %s (%s): %s rows, %s bytes", export.id, export.list_name, rows, size)
        return True
    except Exception as exc:
        reason = str(exc) if isinstance(exc, ExportFailed) else failures.detail(exc)
        if not isinstance(exc, ExportFailed):
            log.error("export %s failed", export.id, exc_info=exc)
        reason = failures.clean(reason, 500)
        report.errors.append(f"export {export.id}: {reason}")
        with unit_of_work(session_factory) as uow:
            _finish(uow.session, export.id, ExportStatus.FAILED, error=reason)
            events.record(
                uow, _actor(uow.session, export), "export.failed", "export", export.id,
                list=export.list_name, error=reason,
            )  # fmt: skip
        return False


def _write(session_factory: sessionmaker[Session], export: Export, spool: IO[bytes]) -> tuple[Principal, int]:
    """The CSV into ``spool``; the principal it was read as and the number of rows."""
    from starlette.datastructures import QueryParams

    from portal.web.csv_dialect import DIALECTS
    from portal.web.i18n import LOCALES, load_translations
    from portal.web.views.lists import SPECS, csv_chunks, visible_specs

    with session_factory() as session:
        principal = standing_user(session, export.user_id)
    if principal is None:
        raise ExportFailed("the user who asked for this export can no longer sign in")
    spec = SPECS.get(export.list_name)
    if spec is None or spec not in visible_specs(principal):
        raise ExportFailed(f"the list {export.list_name!r} is not available to this user")
    dialect = DIALECTS.get(export.dialect)
    if dialect is None:
        raise ExportFailed(f"unknown CSV dialect {export.dialect!r}")
    catalog = load_translations(export.locale if export.locale in LOCALES else LOCALES[0])
    try:
        params = spec.params(QueryParams(export.query_items()))
    except Exception as exc:
        raise ExportFailed(f"the list's filter is not valid: {exc}") from exc
    counted = [0]
    for chunk in csv_chunks(
        session_factory, principal, spec, params, catalog.ugettext, dialect, counted=counted
    ):
        spool.write(chunk.encode())
    return principal, counted[0]


def _finish(
    session: Session,
    export_id: int,
    status: ExportStatus,
    *,
    rows: int = 0,
    size: int = 0,
    error: str | None = None,
) -> None:
    now = utcnow()
    session.execute(
        update(Export)
        .where(Export.id == export_id)
        .values(status=status, rows=rows, bytes=size, error=error, finished_at=now, expires_at=now + KEEP_FOR)
        .execution_options(synchronize_session=False)
    )


def _actor(session: Session, export: Export) -> Principal:
    """Whom a failure event is recorded for: the user as they stand now, else as their row says (a
    deactivated user: the event still names them)."""
    principal = standing_user(session, export.user_id)
    return principal or principal_for_user(session, session.get_one(User, export.user_id))
