"""Product and organization lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portal.access import Principal, visible
from portal.listing import (
    FIRST_PAGE,
    IdWindow,
    Page,
    PageRequest,
    RowPage,
    contains,
    keyset_rows,
    matches,
    paginate,
    search_pattern,
)
from portal.models import Organization, OrgKind, Product, User


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


@dataclass(frozen=True, slots=True)
class UserFilter:
    search: str | None = None  # the user's name or e-mail, or the organization's name
    organization_id: int | None = None


def list_users(
    session: Session,
    principal: Principal,
    *,
    filter: UserFilter = UserFilter(),
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
) -> Page[User]:
    """Users the principal may see (its organizations'; owner staff: everyone's), by name."""
    stmt = visible(principal, User)
    if filter.organization_id is not None:
        stmt = stmt.where(User.organization_id == filter.organization_id)
    if filter.search:
        pattern = search_pattern(filter.search)
        named = select(Organization.id).where(matches(pattern, Organization.name))
        stmt = stmt.where(matches(pattern, User.name, User.email) | User.organization_id.in_(named))
    return paginate(session, stmt, User, sort_column=User.name, descending=descending, page=page)


# --- the GraphQL API's product and organization lists (Core rows, id cursors) --------------------


@dataclass(frozen=True, slots=True)
class ProductCriteria:
    sku: str | None = None
    gtin: str | None = None
    name_contains: str | None = None


def product_rows(
    session: Session,
    principal: Principal,
    criteria: ProductCriteria,
    *,
    sort: str = "sku",
    descending: bool = False,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.sku:
        conds.append(Product.sku == c.sku)
    if c.gtin:
        conds.append(Product.gtin == c.gtin)
    if c.name_contains:
        conds.append(contains(Product.name, c.name_contains))
    return keyset_rows(session, principal, Product, conds, sort=sort, descending=descending, window=window)


@dataclass(frozen=True, slots=True)
class OrganizationCriteria:
    kind: OrgKind | None = None
    name_contains: str | None = None


def organization_rows(
    session: Session,
    principal: Principal,
    criteria: OrganizationCriteria,
    *,
    sort: str = "name",
    descending: bool = False,
    window: IdWindow,
) -> RowPage:
    c = criteria
    conds: list[ColumnElement[bool]] = []
    if c.kind:
        conds.append(Organization.kind == c.kind)
    if c.name_contains:
        conds.append(contains(Organization.name, c.name_contains))
    return keyset_rows(
        session, principal, Organization, conds, sort=sort, descending=descending, window=window
    )
