"""The caller's notifications: a connection, the mark-read mutation and a subscription.

The subscription polls the ``notifications`` table (the notifier in the worker writes it, in
whichever process): every ``Limits.poll_interval`` seconds, in a short session of its own, for the
caller as the database has it then (a deactivated user or revoked token ends it). Nothing is held
in one process's memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from portal import models as m
from portal.access import Principal, current_principal
from portal.db import UnitOfWork, bound
from portal.errors import InvalidInput, Unauthenticated
from portal.gql.base import Connection, SortDirection, ctx, field, mutation, run, subscription
from portal.gql.connection import connection
from portal.gql.errors import UserError
from portal.gql.ids import decode_id
from portal.gql.loaders import build_all
from portal.gql.notifications.types import Notification
from portal.gql.subscriptions import Ticker
from portal.models.base import utcnow
from portal.notify import service
from portal.notify.queries import (
    NotificationQuery,
    NotificationSort,
    latest_notification_id,
    list_notifications,
    newer_notifications,
)
from portal.notify.rules import Kind

NotificationSortField = strawberry.enum(NotificationSort, name="NotificationSortField")


@strawberry.input
class NotificationFilter:
    unread: bool | None = strawberry.field(default=None, description="Only those not yet marked read.")
    kind: list[Kind] | None = None


@strawberry.input
class NotificationOrder:
    field: NotificationSort = NotificationSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def notification_query(f: NotificationFilter | None) -> NotificationQuery:
    if f is None:
        return NotificationQuery()
    return NotificationQuery(unread=bool(f.unread), kinds=frozenset(k.value for k in f.kind or ()))


@strawberry.type
class MarkNotificationsReadPayload:
    marked: int
    user_errors: list[UserError]


@strawberry.type
class NotificationsQuery:
    @field(description="The calling user's notifications (an API token has none).")
    def notifications(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: NotificationFilter | None = None,
        order_by: NotificationOrder | None = None,
    ) -> Connection[Notification]:
        return connection(
            info, list_notifications, notification_query(filter), order_by or NotificationOrder(),
            Notification, m.Notification, first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @field(description="How many of the calling user's notifications are unread.")
    def unread_notifications(self, info: strawberry.Info) -> int:
        from portal.notify.queries import unread_count

        c = ctx(info)
        return unread_count(c.session, c.principal)


def _ids(ids: list[strawberry.ID]) -> list[int]:
    found: list[int] = []
    for index, raw in enumerate(ids):
        decoded = decode_id(raw)
        if decoded is None:
            raise InvalidInput(f"ids.{index}", "is not an id of this API")
        if decoded[0] == "Notification":
            found.append(decoded[1])
    return found


@strawberry.type
class NotificationsMutation:
    @mutation(
        description="Mark the calling user's notifications read: those of `ids`, or every one with "
        "`all: true`. Ids of others' notifications change nothing."
    )
    def mark_notifications_read(
        self, info: strawberry.Info, ids: list[strawberry.ID] | None = None, all: bool = False
    ) -> MarkNotificationsReadPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            if all == (ids is not None):
                raise InvalidInput("ids", "pass either ids or all: true")
            return service.mark_read(uow, p, None if all else _ids(ids or []))

        marked, errors = run(info, act)
        return MarkNotificationsReadPayload(marked=marked or 0, user_errors=errors)


def _newer(ticker: Ticker, principal: Principal, after: int | None) -> tuple[int, list[Any]]:
    with ticker.sessions() as session:
        bound(session, ticker.timeout)
        current = current_principal(session, principal, utcnow())
        if current is None:
            raise Unauthenticated("the API token was revoked or has expired, or the user was deactivated")
        if after is None:  # from now on
            return latest_notification_id(session, current), []
        rows = newer_notifications(session, current, after)
        return (rows[-1].id if rows else after), rows


@strawberry.type
class NotificationsSubscription:
    @subscription(description="The calling user's new notifications, as the worker delivers them.")
    async def notifications(self, info: strawberry.Info) -> AsyncGenerator[Notification, None]:
        c = ctx(info)
        ticker = c.ticker
        assert ticker is not None, "subscriptions run on the endpoint's WebSocket"
        cursor, _ = await ticker.run(_newer, ticker, c.principal, None)
        while True:
            cursor, rows = await ticker.run(_newer, ticker, c.principal, cursor)
            for built in build_all(Notification, m.Notification, rows):
                yield built
            if len(rows) < 100:
                await asyncio.sleep(ticker.interval)
