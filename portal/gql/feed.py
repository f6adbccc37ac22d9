"""The change feed in GraphQL: ``changes`` (pull) and the shape subscriptions stream
(``portal.gql.subscriptions``). Reads go through ``portal.changes``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import cast

import strawberry
from sqlalchemy.orm import Session
from strawberry.scalars import JSON

from portal import changes as change_feed
from portal.access import Principal
from portal.entities import type_name
from portal.errors import InvalidInput
from portal.gql.base import ctx, field
from portal.gql.ids import encode_id


@strawberry.enum
class ChangeOperation(enum.Enum):
    UPSERT = "upsert"
    REMOVE = "remove"


@strawberry.type(
    description="One entry of the change feed: the entity, the kind of change and its new state."
)
class Change:
    cursor: str
    occurred_at: datetime
    kind: str = strawberry.field(description='The event kind, e.g. "order.confirmed".')
    entity: str = strawberry.field(description='"order", "shipment", "invoice", "case", "customer", ...')
    entity_id: strawberry.ID = strawberry.field(description="Global id, usable with node(id:).")
    operation: ChangeOperation
    state: JSON | None = strawberry.field(description="The entity's current state; null for REMOVE.")


@strawberry.type
class ChangeFeed:
    changes: list[Change]
    end_cursor: str = strawberry.field(description="Pass as `after` next time, also when changes is empty.")
    has_more: bool


def parse_after(after: str | None) -> change_feed.Position:
    """The position of a feed cursor (None: from the beginning); a list's cursor is InvalidInput."""
    return change_feed.START if after is None else change_feed.decode_cursor(after, "after")


def feed(
    session: Session, principal: Principal, *, after: str | None, first: int, entities: list[str] | None
) -> ChangeFeed:
    if not 1 <= first <= 500:
        raise InvalidInput("first", "must be between 1 and 500")
    if entities is not None:
        unknown = set(entities) - set(change_feed.ENTITY_MODELS)
        if unknown:
            raise InvalidInput("entities", f"unknown: {', '.join(sorted(unknown))}")
    page = change_feed.feed(session, principal, after=parse_after(after), first=first, entities=entities)
    return ChangeFeed(
        changes=[to_change(entry) for entry in page.entries],
        end_cursor=change_feed.encode_cursor(page.end_cursor),
        has_more=page.has_more,
    )


def to_change(entry: change_feed.Change) -> Change:
    return Change(
        cursor=change_feed.encode_cursor(entry.cursor),
        occurred_at=entry.occurred_at,
        kind=entry.kind,
        entity=entry.entity,
        entity_id=strawberry.ID(encode_id(type_name(entry.entity), entry.entity_id)),
        operation=ChangeOperation(entry.operation.value),
        state=cast(JSON, entry.state),
    )


@strawberry.type
class FeedQuery:
    @field(
        description="The caller's view of the event log since `after` (omit it for the beginning), "
        "for incremental sync. See docs/api.md."
    )
    def changes(
        self,
        info: strawberry.Info,
        after: str | None = None,
        first: int = 100,
        entities: list[str] | None = None,
    ) -> ChangeFeed:
        c = ctx(info)
        return feed(c.session, c.principal, after=after, first=first, entities=entities)
