"""Organizations and products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from portal import models as m
from portal.gql.base import Built, Node, ctx, field

OrganizationKind = strawberry.enum(m.OrgKind, name="OrganizationKind")


@strawberry.type
class Organization(Node, Built):
    slug: str
    name: str
    kind: m.OrgKind
    gln: str | None
    vat_id: str | None
    email: str | None
    created_at: datetime
    tolerance_days: int = strawberry.field(
        description=(
            "A supplier's agreed tolerance: a promised date within this many days of the requested"
            " one holds without the buyer's review."
        )
    )
    tolerance_quantity_percent: Decimal = strawberry.field(
        description=(
            "A supplier's agreed tolerance: a confirmed quantity within this percentage of the"
            " ordered one holds without the buyer's review (a price change or rejection never does)."
        )
    )
    parent_id: strawberry.Private[int | None]

    @field(description="The parent organization, if the caller may see it.")
    def parent(self, info: strawberry.Info) -> Organization | None:
        if self.parent_id is None:
            return None
        return ctx(info).loaders.organization.load(self.parent_id, (o.parent_id for o in self._siblings))


@strawberry.type
class Product(Node, Built):
    sku: str
    gtin: str | None
    name: str
    unit: str
    price: Decimal
    supplier_article: str | None
    supplier_id: strawberry.Private[int | None]
