"""Subscriptions (graphql-transport-ws only): the change feed, polled from the outbox.

No side channel: a subscription is an async generator that reads the events table every
``Limits.poll_interval`` seconds through :mod:`portal.changes`, so it applies the same access
decision as ``Query.changes``. Each poll uses a short session of its own (no transaction is held
open between polls) and re-checks that the caller's API token is still valid.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Collection

import strawberry
from sqlalchemy.orm import Session

from portal import changes as change_feed
from portal.access import Principal
from portal.errors import Unauthenticated
from portal.gql import types as t
from portal.gql.queries import parse_after, to_change
from portal.gql.types import ctx
from portal.models.base import utcnow
from portal.partners.queries import token_still_valid

ORDER_ENTITIES = ("order", "shipment", "invoice")
CASE_ENTITIES = ("case",)


def _token_still_valid(session: Session, principal: Principal) -> bool:
    return principal.token_id is None or token_still_valid(session, principal.token_id, utcnow())


async def poll(
    info: strawberry.Info, after: str | None, entities: Collection[str]
) -> AsyncGenerator[t.Change, None]:
    c = ctx(info)
    with c.sessions() as session:
        cursor = parse_after(after) if after is not None else change_feed.latest_cursor(session)
    while True:
        with c.sessions() as session:
            if not _token_still_valid(session, c.principal):
                raise Unauthenticated("the API token was revoked or has expired")
            page = change_feed.feed(session, c.principal, after=cursor, first=100, entities=entities)
        cursor = page.end_cursor
        for entry in page.entries:
            yield to_change(entry)
        if not page.has_more:
            await asyncio.sleep(c.limits.poll_interval)


@strawberry.type
class Subscription:
    @t.subscription(
        description="Changes of orders routed to or sold by the caller, with their shipments and invoices. "
        "Pass `after` (a cursor from `changes` or an earlier event) to resume without gaps."
    )
    async def order_events(
        self, info: strawberry.Info, after: str | None = None
    ) -> AsyncGenerator[t.Change, None]:
        async for change in poll(info, after, ORDER_ENTITIES):
            yield change

    @t.subscription(description="Changes of cases routed to or opened by the caller.")
    async def case_events(
        self, info: strawberry.Info, after: str | None = None
    ) -> AsyncGenerator[t.Change, None]:
        async for change in poll(info, after, CASE_ENTITIES):
            yield change
