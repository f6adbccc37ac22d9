"""Asking for a prepared export, listing one's own, downloading one.

An export is a person's: only the user who asked for it sees it (`can_download_export`), in the
list and on download; anyone else's export, or a missing one, is NotFound. The list reads the
exports through `portal.access`, whose rule for exports is personal (`policy.PERSONAL`: the
requesting user's own, for owner staff too), as it is for notifications: a file that holds what one
user saw is nobody else's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from portal.access import Principal, get_visible, permissions, visible
from portal.db import UnitOfWork
from portal.errors import InvalidInput, NotFound
from portal.exchange import contents
from portal.models import Export, ExportStatus, export_contents

KEEP_FOR = timedelta(days=7)  # a finished export's file is deleted by the worker after this
MY_EXPORTS = 100  # the newest this many (a week's worth of exports, or more)
MAX_PARAMS = 50


def request_export(
    uow: UnitOfWork,
    principal: Principal,
    list_name: str,
    params: list[tuple[str, str]],
    *,
    dialect: str,
    locale: str,
) -> Export:
    """Queue an export of ``list_name`` with the list's query string ``params`` for the worker.
    The filters were checked by the caller (the list's own parsing); the worker reads them again
    as the user stands when it runs."""
    permissions.require(principal, permissions.can_prepare_export(principal), "prepare an export")
    if len(params) > MAX_PARAMS or any(len(name) > 40 or len(value) > 1000 for name, value in params):
        raise InvalidInput("params", "too many or too long filter values")
    assert principal.user_id is not None
    export = Export(
        user_id=principal.user_id,
        list_name=list_name,
        params=[[name, value] for name, value in params],
        dialect=dialect,
        locale=locale,
        status=ExportStatus.QUEUED,
        rows=0,
        bytes=0,
    )
    uow.session.add(export)
    uow.flush()
    return export


def my_exports(session: Session, principal: Principal, limit: int = MY_EXPORTS) -> list[Export]:
    """The principal's own exports, newest first (none for an API token)."""
    if principal.user_id is None:
        return []
    found = session.scalars(
        visible(principal, Export).order_by(Export.created_at.desc(), Export.id.desc()).limit(limit)
    ).all()
    return [export for export in found if permissions.can_download_export(principal, export)]


def get_export(session: Session, principal: Principal, export_id: int) -> Export:
    """One of the principal's exports; NotFound for a missing one and for anyone else's alike."""
    export = get_visible(session, principal, Export, export_id)
    if not permissions.can_download_export(principal, export):
        raise NotFound("export", export_id)
    return export


@dataclass(frozen=True, slots=True)
class ExportDownload:
    filename: str
    size: int
    chunks: Iterator[bytes]


def export_download(
    session: Session, factory: sessionmaker[Session], principal: Principal, export_id: int
) -> ExportDownload:
    """The file of a finished export, chunk by chunk (each chunk in a session of its own). An
    export that is not done (queued, running, failed, expired) has no file: NotFound."""
    export = get_export(session, principal, export_id)
    if export.status is not ExportStatus.DONE:
        raise NotFound("export file", export_id)
    stored = contents.size(session, export.id, table=export_contents)
    if stored == 0 and export.bytes:
        raise NotFound("export file", export_id)  # expired meanwhile
    stamp = export.created_at.strftime("%Y%m%d-%H%M")
    return ExportDownload(
        f"{export.list_name}-{stamp}.csv", stored, contents.chunks(factory, export.id, table=export_contents)
    )
