"""Subscriptions (graphql-transport-ws only): the change feed, polled from the outbox.

No side channel: a subscription is an async generator that reads the events table through
:mod:`portal.changes`, so it applies the same access decision as ``Query.changes``.

Bounded work: one :class:`Ticker` per process reads the newest position the feed may pass
(:func:`portal.changes.latest_cursor`) every ``Limits.poll_interval`` seconds (one indexed
statement, whatever the number of subscriptions); a subscription reads the feed only when that
position has moved past its cursor (revoking a token writes an event too), and at least every
:data:`RECHECK_POLLS` intervals. A subscription without ``after`` starts there too, so it never
skips an event whose transaction was still open when it began. Each read resolves the caller
again (a revoked token ends the subscription; a changed role or organization tree applies at once).
Every read runs in a worker thread in a short session of its own, closed before the subscription
waits again: an idle subscription holds no database connection and never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import ParamSpec, TypeVar

import strawberry
from sqlalchemy.orm import Session, sessionmaker

from portal import changes as change_feed
from portal.access import Principal, current_principal
from portal.db import bound
from portal.errors import Unauthenticated
from portal.gql.base import ctx, subscription
from portal.gql.feed import Change, parse_after, to_change
from portal.models.base import utcnow

ORDER_ENTITIES = ("order", "shipment", "invoice")
CASE_ENTITIES = ("case",)
RECHECK_POLLS = 20  # a subscription with nothing new re-checks its token after this many intervals

log = logging.getLogger("portal.gql")
P = ParamSpec("P")
R = TypeVar("R")


class Ticker:
    """The newest position of the feed, read once per interval for all subscriptions of the process."""

    def __init__(self, sessions: sessionmaker[Session], interval: float, timeout: float) -> None:
        self.sessions = sessions
        self.interval = interval
        self.timeout = timeout  # for each read (see portal.db.bound)
        self.latest = change_feed.START
        self._subscribers = 0
        self._task: asyncio.Task[None] | None = None
        self._moved: asyncio.Event | None = None
        # Feed reads of subscriptions and WebSocket authentication: short, and apart from the
        # operations' threads so that a burst of subscriptions cannot starve queries (or back).
        self._threads = ThreadPoolExecutor(2, thread_name_prefix="graphql-feed")

    async def run(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, lambda: call(*args, **kwargs))

    def read_latest(self) -> change_feed.Position:
        with self.sessions() as session:
            bound(session, self.timeout)
            return change_feed.latest_cursor(session)

    @asynccontextmanager
    async def subscribed(self) -> AsyncIterator[None]:
        self._subscribers += 1
        if self._task is None or self._task.done() or self._task.get_loop() is not asyncio.get_running_loop():
            self._moved = asyncio.Event()
            self._task = asyncio.create_task(self._watch(), name="graphql-ticker")
        try:
            yield
        finally:
            self._subscribers -= 1

    async def wait(self, cursor: change_feed.Position, timeout: float) -> None:
        """Until an event newer than ``cursor`` is known, or ``timeout`` seconds."""
        if self.latest > cursor or self._moved is None:
            return
        moved = self._moved
        with suppress(TimeoutError):
            await asyncio.wait_for(moved.wait(), timeout)

    async def _watch(self) -> None:
        while self._subscribers > 0:
            try:
                latest = await self.run(self.read_latest)
            except Exception:  # the database is away: subscriptions wait, the next tick retries
                log.warning("subscriptions cannot read the outbox", exc_info=True)
            else:
                if latest != self.latest and self._moved is not None:
                    self.latest = latest
                    moved, self._moved = self._moved, asyncio.Event()
                    moved.set()
            await asyncio.sleep(self.interval)


def _read(
    ticker: Ticker, principal: Principal, cursor: change_feed.Position, entities: Collection[str]
) -> change_feed.ChangePage:
    """The next page of the feed, for the caller as it stands now: a revoked or expired token or a
    deactivated user ends the subscription; a role or organization tree that changed applies."""
    with ticker.sessions() as session:
        bound(session, ticker.timeout)
        current = current_principal(session, principal, utcnow())
        if current is None:
            raise Unauthenticated("the API token was revoked or has expired, or the user was deactivated")
        return change_feed.feed(session, current, after=cursor, first=100, entities=entities)


async def poll(
    info: strawberry.Info, after: str | None, entities: Collection[str]
) -> AsyncGenerator[Change, None]:
    c = ctx(info)
    ticker = c.ticker
    assert ticker is not None, "subscriptions run on the endpoint's WebSocket"
    async with ticker.subscribed():
        cursor = parse_after(after) if after is not None else await ticker.run(ticker.read_latest)
        while True:
            page = await ticker.run(_read, ticker, c.principal, cursor, entities)
            cursor = page.end_cursor
            for entry in page.entries:
                yield to_change(entry)
            if not page.has_more:
                await ticker.wait(cursor, ticker.interval * RECHECK_POLLS)


@strawberry.type
class Subscription:
    @subscription(
        description="Changes of orders routed to or sold by the caller, with their shipments and invoices. "
        "Pass `after` (a cursor from `changes` or an earlier event) to resume without gaps."
    )
    async def order_events(
        self, info: strawberry.Info, after: str | None = None
    ) -> AsyncGenerator[Change, None]:
        async for change in poll(info, after, ORDER_ENTITIES):
            yield change

    @subscription(description="Changes of cases routed to or opened by the caller.")
    async def case_events(
        self, info: strawberry.Info, after: str | None = None
    ) -> AsyncGenerator[Change, None]:
        async for change in poll(info, after, CASE_ENTITIES):
            yield change
