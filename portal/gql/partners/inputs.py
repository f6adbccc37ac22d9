"""The product and organization connections' filters and orderings."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.gql.base import SortDirection
from portal.gql.connection import one_search
from portal.partners.queries import OrganizationQuery, OrganizationSort, ProductQuery, ProductSort

ProductSortField = strawberry.enum(ProductSort, name="ProductSortField")
OrganizationSortField = strawberry.enum(OrganizationSort, name="OrganizationSortField")


@strawberry.input
class ProductFilter:
    sku: str | None = strawberry.field(default=None, description="Exactly this SKU.")
    gtin: str | None = strawberry.field(default=None, description="Exactly this GTIN.")
    search: str | None = strawberry.field(
        default=None, description="A part of the SKU, the name or the GTIN."
    )
    name_contains: str | None = strawberry.field(
        default=None, deprecation_reason="Use search (it matches the SKU, name and GTIN)."
    )


@strawberry.input
class ProductOrder:
    field: ProductSort = ProductSort.SKU
    direction: SortDirection = SortDirection.ASC


def product_query(f: ProductFilter | None) -> ProductQuery:
    if f is None:
        return ProductQuery()
    return ProductQuery(search=one_search(f.search, f.name_contains, "nameContains"), sku=f.sku, gtin=f.gtin)


@strawberry.input
class OrganizationFilter:
    kind: m.OrgKind | None = None
    search: str | None = strawberry.field(default=None, description="A part of the name or the slug.")
    name_contains: str | None = strawberry.field(
        default=None, deprecation_reason="Use search (it matches the name and the slug)."
    )


@strawberry.input
class OrganizationOrder:
    field: OrganizationSort = OrganizationSort.NAME
    direction: SortDirection = SortDirection.ASC


def organization_query(f: OrganizationFilter | None) -> OrganizationQuery:
    if f is None:
        return OrganizationQuery()
    return OrganizationQuery(
        search=one_search(f.search, f.name_contains, "nameContains"),
        kinds=frozenset({f.kind}) if f.kind is not None else frozenset(),
    )
