"""The task type."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from portal.gql.base import Built, Node, ctx, field
from portal.gql.customers.types import Customer
from portal.gql.partners.users import User


@strawberry.type(description="Something to do by a day, assigned to one user of the task's organization.")
class Task(Node, Built):
    subject: str
    notes: str
    due_on: date = strawberry.field(description="The day it is due (a calendar day, not a moment).")
    done_at: datetime | None = strawberry.field(description="When it was completed; null while open.")
    created_at: datetime
    updated_at: datetime
    organization_id: strawberry.Private[int]
    assignee_id: strawberry.Private[int]
    customer_id: strawberry.Private[int | None]
    created_by_id: strawberry.Private[int | None]

    @field(description="Whether the task is done.")
    def done(self) -> bool:
        return self.done_at is not None

    @field(description="The user the task is assigned to.")
    def assignee(self, info: strawberry.Info) -> User | None:
        return ctx(info).loaders.user.load(self.assignee_id, (o.assignee_id for o in self._siblings))

    @field(description="The customer the task is about, if any (null also when no longer visible).")
    def customer(self, info: strawberry.Info) -> Customer | None:
        if self.customer_id is None:
            return None
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))
