"""Product and organization lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import FIRST_PAGE, Page, PageRequest, matches, paginate, search_pattern
from portal.models import Organization, OrgKind, Product


class ProductSort(enum.StrEnum):
    SKU = "sku"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class ProductFilter:
    search: str | None = None


def list_products(
    session: Session,
    principal: Principal,
    *,
    filter: ProductFilter = ProductFilter(),
    sort: ProductSort = ProductSort.SKU,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
) -> Page[Product]:
    stmt = visible(principal, Product)
    if filter.search:
        stmt = stmt.where(
            matches(search_pattern(filter.search), Product.sku, Product.name, func.coalesce(Product.gtin, ""))
        )
    column = Product.sku if sort is ProductSort.SKU else Product.name
    return paginate(
        session,
        stmt,
        Product,
        sort_column=column,
        descending=descending,
        page=page,
    )


class OrganizationSort(enum.StrEnum):
    NAME = "name"
    SLUG = "slug"


@dataclass(frozen=True, slots=True)
class OrganizationFilter:
    kinds: frozenset[OrgKind] = field(default_factory=frozenset)
    search: str | None = None


def list_organizations(
    session: Session,
    principal: Principal,
    *,
    filter: OrganizationFilter = OrganizationFilter(),
    sort: OrganizationSort = OrganizationSort.NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
) -> Page[Organization]:
    stmt = visible(principal, Organization)
    if filter.kinds:
        stmt = stmt.where(Organization.kind.in_(filter.kinds))
    if filter.search:
        stmt = stmt.where(matches(search_pattern(filter.search), Organization.name, Organization.slug))
    column = Organization.name if sort is OrganizationSort.NAME else Organization.slug
    return paginate(
        session,
        stmt,
        Organization,
        sort_column=column,
        descending=descending,
        page=page,
    )
