"""Customers, their contacts, who they are shared with, and their contact history."""

from __future__ import annotations

from datetime import datetime

import strawberry

from portal.entities import type_name
from portal.gql.base import MAX_CHILDREN, Built, Node, children, ctx, field
from portal.gql.ids import encode_id
from portal.gql.partners.types import Organization


@strawberry.type
class Contact(Node, Built):
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    position: str | None
    created_at: datetime
    email_consent: bool = strawberry.field(description="Agrees to be contacted by e-mail.")
    email_consent_at: datetime | None = strawberry.field(description="When it was given or withdrawn.")
    email_consent_source: str | None = strawberry.field(description="How it was given or withdrawn.")
    phone_consent: bool = strawberry.field(description="Agrees to be contacted by phone.")
    phone_consent_at: datetime | None = strawberry.field(description="When it was given or withdrawn.")
    phone_consent_source: str | None = strawberry.field(description="How it was given or withdrawn.")
    erased_at: datetime | None = strawberry.field(
        description="When the person's data was erased on request (names empty, e-mail and phone null)."
    )
    updated_at: datetime | None
    version: int = strawberry.field(description="Send it as expectedVersion to detect a concurrent change.")
    customer_id: strawberry.Private[int]

    @strawberry.field
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @strawberry.field
    def customer(self, info: strawberry.Info) -> Customer | None:
        return ctx(info).loaders.customer.load(self.customer_id, (o.customer_id for o in self._siblings))


@strawberry.type
class CustomerAssignment(Built):
    pk: strawberry.Private[int]
    customer_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    created_at: datetime

    @strawberry.field
    def organization(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(
            self.organization_id, (o.organization_id for o in self._siblings)
        )


@strawberry.type(description="One item of a customer's contact history.")
class HistoryEntry:
    at: datetime
    kind: str
    title: str
    detail: str
    entity_id: strawberry.ID = strawberry.field(description="Global id of the activity, order or case.")


@strawberry.type
class Customer(Node, Built):
    number: str
    name: str
    vat_id: str | None
    gln: str | None
    street: str | None
    postal_code: str | None
    city: str | None
    country_code: str
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Send it as expectedVersion to detect a concurrent change.")

    @field(description=f"The first `first` contacts (at most {MAX_CHILDREN}).")
    def contacts(self, info: strawberry.Info, first: int = MAX_CHILDREN) -> list[Contact]:
        return children(
            ctx(info).loaders.contacts_by_customer.load(self.pk, (o.pk for o in self._siblings)), first
        )

    @field(description="The organizations this customer is shared with (as far as visible).")
    def assignments(self, info: strawberry.Info, first: int = MAX_CHILDREN) -> list[CustomerAssignment]:
        loaded = ctx(info).loaders.assignments_by_customer.load(self.pk, (o.pk for o in self._siblings))
        return children(loaded, first)

    @field(description="Activities, orders and cases as one timeline, newest first.")
    def history(self, info: strawberry.Info, first: int = 50) -> list[HistoryEntry]:
        from portal.customers.service import contact_history

        c = ctx(info)
        entries = contact_history(c.session, c.principal, self.pk, limit=max(1, min(first, 100)))
        return [
            HistoryEntry(
                at=e.at,
                kind=e.kind,
                title=e.title,
                detail=e.detail,
                entity_id=strawberry.ID(encode_id(type_name(e.kind), e.entity_id)),
            )
            for e in entries
        ]
