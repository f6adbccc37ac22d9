"""Product and organization lists."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from portal.access import Principal, descendant_ids, visible
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
from portal.models import ApiToken, Organization, OrgKind, Product, User
from portal.security import hash_token


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


# --- API tokens: the per-request check -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What authenticating an API call needs of a token and its organization: one indexed read."""

    token_id: int
    name: str
    roles: str
    organization_id: int
    org_kind: OrgKind
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def principal(self, session: Session) -> Principal:
        """The same principal as :func:`portal.access.principal_for_token`, without ORM objects."""
        return Principal(
            org_id=self.organization_id,
            org_kind=self.org_kind,
            org_ids=descendant_ids(session, self.organization_id),
            roles=frozenset(r for r in self.roles.split(",") if r),
            token_id=self.token_id,
            name=f"token {self.name}",
        )


_GRANT = (
    select(
        ApiToken.id,
        ApiToken.name,
        ApiToken.roles,
        ApiToken.organization_id,
        Organization.kind,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
    )
    .join(Organization, Organization.id == ApiToken.organization_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOKEN_STATE = select(ApiToken.expires_at, ApiToken.revoked_at).where(ApiToken.id == bindparam("token_id"))


def token_grant(session: Session, secret: str) -> TokenGrant | None:
    """The token with this secret and its organization's kind, or None (records nothing: the
    service's ``authenticate_token`` records the last use)."""
    row = session.connection().execute(_GRANT, {"token_hash": hash_token(secret)}).first()
    return TokenGrant(*row) if row is not None else None


def token_still_valid(session: Session, token_id: int, now: datetime) -> bool:
    """Not revoked and not expired (a long-lived subscription checks this on every poll)."""
    row = session.connection().execute(_TOKEN_STATE, {"token_id": token_id}).first()
    return row is not None and row.revoked_at is None and (row.expires_at is None or row.expires_at > now)
