"""Cases, their comments and attachments."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from portal import models as m
from portal.access import permissions
from portal.cases.service import status_actions
from portal.gql.base import MAX_CHILDREN, Built, Node, children, ctx, field
from portal.gql.customers.types import Customer
from portal.gql.ids import encode_id
from portal.gql.orders.types import Order
from portal.gql.partners.types import Organization

CasePriority = strawberry.enum(m.CasePriority, name="CasePriority")
CaseStatus = strawberry.enum(m.CaseStatus, name="CaseStatus")
CaseCategory = strawberry.enum(m.CaseCategory, name="CaseCategory")


@strawberry.enum
class CaseAction(enum.Enum):
    START = "start"
    WAIT = "wait"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"


@strawberry.type
class CaseComment(Built):
    pk: strawberry.Private[int]
    case_id: strawberry.Private[int]
    author_org_id: strawberry.Private[int]
    author_user_id: strawberry.Private[int | None]
    author_name: str
    body: str
    internal: bool
    created_at: datetime


@strawberry.type(description="A file attached to a case (the content is downloaded in the portal).")
class CaseAttachment:
    pk: strawberry.Private[int]
    filename: str
    content_type: str
    size: int
    sha256: str
    internal: bool
    created_at: datetime

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("CaseAttachment", self.pk))

    @classmethod
    def of(cls, row: m.CaseAttachment) -> CaseAttachment:
        return cls(
            pk=row.id,
            filename=row.filename,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            internal=row.internal,
            created_at=row.created_at,
        )


@strawberry.type
class Case(Node, Built):
    number: str
    subject: str
    description: str
    priority: m.CasePriority
    category: m.CaseCategory
    status: m.CaseStatus
    sla_due_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    customer_id: strawberry.Private[int | None]
    order_id: strawberry.Private[int | None]
    routed_to_id: strawberry.Private[int | None]
    opened_by_org_id: strawberry.Private[int]
    opened_by_user_id: strawberry.Private[int | None]

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return (
            None
            if self.customer_id is None
            else ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))
        )

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order | None:
        return (
            None
            if self.order_id is None
            else ctx(info).loaders.order.load(self.order_id, (o.order_id for o in self._siblings))
        )

    @strawberry.field
    def routed_to(self, info: strawberry.Info) -> Organization | None:
        if self.routed_to_id is None:
            return None
        return ctx(info).loaders.organization.load(
            self.routed_to_id, (o.routed_to_id for o in self._siblings)
        )

    @field(description=f"The first `first` comments, oldest first (at most {MAX_CHILDREN}).")
    def comments(self, info: strawberry.Info, first: int = MAX_CHILDREN) -> list[CaseComment]:
        return children(
            ctx(info).loaders.comments_by_case.load(self.pk, (o.pk for o in self._siblings)), first
        )

    @field(description="Status changes the caller may make now (changeCaseStatus).")
    def allowed_actions(self, info: strawberry.Info) -> list[CaseAction]:
        return [CaseAction(name) for name in status_actions(ctx(info).principal, self)]

    @field(
        description="Whether the caller may change the subject, description and category now (updateCase)."
    )
    def can_edit(self, info: strawberry.Info) -> bool:
        open_ = self.status is not m.CaseStatus.CLOSED
        return open_ and permissions.can_edit_case_text(ctx(info).principal, self)

    @field(description="Whether the caller may change the priority, and with it the SLA deadline, now.")
    def can_change_priority(self, info: strawberry.Info) -> bool:
        open_ = self.status is not m.CaseStatus.CLOSED
        return open_ and permissions.can_change_case_priority(ctx(info).principal, self)
