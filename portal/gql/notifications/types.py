"""A notification: one thing the calling user is told about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from portal.entities import BY_NAME
from portal.gql.base import Built, Node, field
from portal.gql.ids import encode_id
from portal.notify import rules
from portal.notify.language import gettext_for
from portal.notify.rules import Kind

strawberry.enum(Kind, name="NotificationKind")


@strawberry.type
class Notification(Node, Built):
    created_at: datetime
    read_at: datetime | None
    user_id: strawberry.Private[int]
    channel: strawberry.Private[str]
    event_id: strawberry.Private[int | None]
    occasion: strawberry.Private[str | None]
    kind: strawberry.Private[str]
    entity: strawberry.Private[str]
    entity_id: strawberry.Private[int]
    payload: strawberry.Private[dict[str, Any]]
    email_state: strawberry.Private[str]

    @field(name="kind", description="What it is about (the preferences' kinds).")
    def kind_of(self) -> Kind:
        return Kind(self.kind)

    @field(description="Whether the caller has marked it read.")
    def read(self) -> bool:
        return self.read_at is not None

    @field(description="The title in the language asked for: `en` (default) or `de`.")
    def title(self, language: str = "en") -> str:
        return rules.title(self.kind, self.payload, gettext_for(language))

    @field(description="The portal page of the object it is about (a path).")
    def link(self) -> str:
        return rules.link(self.entity, self.entity_id, self.payload)

    @field(
        description="Global id of the object it is about, when the API has that type (fetch it with "
        "node(id:); it is null there once the caller may no longer read it)."
    )
    def subject_id(self) -> strawberry.ID | None:
        entity = BY_NAME.get(self.entity)
        return None if entity is None else strawberry.ID(encode_id(entity.type_name, self.entity_id))
