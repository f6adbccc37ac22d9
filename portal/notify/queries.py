"""The read model of notifications: a user's own inbox (``portal.access`` shows a user only its own)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, func, select
from sqlalchemy.orm import Session

from portal.access import Principal, remembered, rule_for
from portal.models import Notification
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record

INBOX = "inbox"


@dataclass(frozen=True, slots=True)
class NotificationQuery:
    unread: bool = False  # only those not yet read
    kinds: frozenset[str] = field(default_factory=frozenset)  # portal.notify.rules kinds


class NotificationSort(enum.StrEnum):
    CREATED_AT = "created_at"


def notification_conditions(q: NotificationQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Notification.channel == INBOX]
    if q.unread:
        conds.append(Notification.read_at.is_(None))
    if q.kinds:
        conds.append(Notification.kind.in_(sorted(q.kinds)))
    return conds


NOTIFICATIONS = Keyset(
    "notification",
    Notification,
    {NotificationSort.CREATED_AT: Notification.created_at},
    notification_conditions,
)


def list_notifications(
    session: Session,
    principal: Principal,
    query: NotificationQuery = NotificationQuery(),
    *,
    sort: NotificationSort = NotificationSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return NOTIFICATIONS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


def unread_count(session: Session, principal: Principal) -> int:
    """The bell: the principal's unread inbox entries (the (user_id, read_at) index answers it)."""
    if principal.user_id is None:
        return 0

    def build() -> Select[int]:
        return (
            select(func.count())
            .select_from(Notification)
            .where(
                rule_for(principal, Notification),
                Notification.read_at.is_(None),
                Notification.channel == INBOX,
            )
        )

    # it runs on every page: built (and its cache key computed) once per principal
    return int(session.connection().execute(remembered(("unread", principal), build)).scalar() or 0)


def newer_notifications(
    session: Session, principal: Principal, after: int, *, limit: int = 100
) -> list[Row[Any]]:
    """The principal's inbox rows with an id above ``after``, oldest first (the API's subscription;
    every column, as the connection reads them)."""
    table = Notification.__table__
    stmt = (
        select(*table.columns)
        .where(rule_for(principal, Notification), table.c.id > after, table.c.channel == INBOX)
        .order_by(table.c.id)
        .limit(limit)
    )
    return list(session.connection().execute(stmt))


def latest_notification_id(session: Session, principal: Principal) -> int:
    """Where a subscription starts: after the principal's newest notification."""
    stmt = select(func.max(Notification.id)).where(rule_for(principal, Notification))
    return int(session.scalar(stmt) or 0)
