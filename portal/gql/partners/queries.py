"""The product and organization connections."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.gql.base import Connection, field
from portal.gql.connection import connection
from portal.gql.partners.inputs import (
    OrganizationFilter,
    OrganizationOrder,
    ProductFilter,
    ProductOrder,
    organization_query,
    product_query,
)
from portal.gql.partners.types import Organization, Product
from portal.partners.queries import list_organizations, list_products


@strawberry.type
class PartnersQuery:
    @strawberry.field
    def products(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProductFilter | None = None,
        order_by: ProductOrder | None = None,
    ) -> Connection[Product]:
        return connection(
            info, list_products, product_query(filter), order_by or ProductOrder(), Product, m.Product,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @field(description="The caller's organization and those below it (owner staff: all).")
    def organizations(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OrganizationFilter | None = None,
        order_by: OrganizationOrder | None = None,
    ) -> Connection[Organization]:
        return connection(
            info, list_organizations, organization_query(filter), order_by or OrganizationOrder(),
            Organization, m.Organization, first=first, after=after, last=last, before=before,
        )  # fmt: skip
