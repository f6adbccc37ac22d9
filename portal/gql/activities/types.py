"""Activities: calls, meetings, appointments, e-mails, notes and tasks on a customer."""

from __future__ import annotations

from datetime import datetime

import strawberry

from portal import models as m
from portal.gql.base import Built, Node, ctx
from portal.gql.customers.types import Contact, Customer

ActivityKind = strawberry.enum(m.ActivityKind, name="ActivityKind")


@strawberry.type
class Activity(Node, Built):
    kind: m.ActivityKind
    subject: str
    body: str
    starts_at: datetime | None
    ends_at: datetime | None
    due_at: datetime | None
    done_at: datetime | None
    occurred_at: datetime
    created_at: datetime
    customer_id: strawberry.Private[int]
    contact_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int]
    user_id: strawberry.Private[int | None]

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))

    @strawberry.field
    def contact(self, info: strawberry.Info) -> Contact | None:
        return (
            None
            if self.contact_id is None
            else ctx(info).loaders.contact.load(self.contact_id, (o.contact_id for o in self._siblings))
        )
