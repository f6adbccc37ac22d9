"""The read models of products, organizations and users, and the API token check."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.access import Principal, load_by_ids, remembered, visible
from portal.models import Organization, OrgKind, Product, User
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search


@dataclass(frozen=True, slots=True)
class ProductQuery:
    search: str | None = None  # a substring of the SKU, the name or the GTIN
    sku: str | None = None  # exactly this SKU
    gtin: str | None = None  # exactly this GTIN


class ProductSort(enum.StrEnum):
    SKU = "sku"
    NAME = "name"


def product_conditions(q: ProductQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Product.sku, Product.name, Product.gtin))
    if q.sku:
        conds.append(Product.sku == q.sku)
    if q.gtin:
        conds.append(Product.gtin == q.gtin)
    return conds


PRODUCTS = Keyset(
    "product", Product, {ProductSort.SKU: Product.sku, ProductSort.NAME: Product.name}, product_conditions
)


def list_products(
    session: Session,
    principal: Principal,
    query: ProductQuery = ProductQuery(),
    *,
    sort: ProductSort = ProductSort.SKU,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return PRODUCTS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


@dataclass(frozen=True, slots=True)
class OrganizationQuery:
    search: str | None = None  # a substring of the name or the slug
    kinds: frozenset[OrgKind] = field(default_factory=frozenset)


class OrganizationSort(enum.StrEnum):
    NAME = "name"
    SLUG = "slug"


def organization_conditions(q: OrganizationQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Organization.name, Organization.slug))
    if q.kinds:
        conds.append(Organization.kind.in_(q.kinds))
    return conds


ORGANIZATIONS = Keyset(
    "organization",
    Organization,
    {OrganizationSort.NAME: Organization.name, OrganizationSort.SLUG: Organization.slug},
    organization_conditions,
)


def list_organizations(
    session: Session,
    principal: Principal,
    query: OrganizationQuery = OrganizationQuery(),
    *,
    sort: OrganizationSort = OrganizationSort.NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return ORGANIZATIONS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


SELLER_KINDS = frozenset({OrgKind.DEALER, OrgKind.PARTNER})


def seller_choices(session: Session, principal: Principal) -> tuple[tuple[str, str], ...]:
    """Every dealer and partner the principal sees, as (id, name) by name: the options of a list's
    dealer filter. All of them: a select that stopped at the 100th would hide the others. Read once
    per session (a request): the list's rows name their dealers from it too."""
    key = ("seller_choices", principal)
    found: tuple[tuple[str, str], ...] | None = session.info.get(key)
    if found is None:
        stmt = remembered(
            key,
            lambda: (
                visible(principal, Organization)
                .with_only_columns(Organization.id, Organization.name)
                .where(Organization.kind.in_(SELLER_KINDS))
                .order_by(Organization.name, Organization.id)
            ),
        )
        rows = session.connection().execute(stmt)
        found = session.info[key] = tuple((str(ident), name) for ident, name in rows)
    return found


@dataclass(frozen=True, slots=True)
class UserQuery:
    search: str | None = None  # a substring of the user's name or e-mail, or of the organization's name
    organization_id: int | None = None


class UserSort(enum.StrEnum):
    NAME = "name"


def user_conditions(q: UserQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.organization_id is not None:
        conds.append(User.organization_id == q.organization_id)
    if q.search:
        named = select(Organization.id).where(text_search(q.search, Organization.name))
        conds.append(text_search(q.search, User.name, User.email) | User.organization_id.in_(named))
    return conds


USERS = Keyset("user", User, {UserSort.NAME: User.name}, user_conditions)


def list_users(
    session: Session,
    principal: Principal,
    query: UserQuery = UserQuery(),
    *,
    sort: UserSort = UserSort.NAME,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    """Users the principal may see (its organizations'; owner staff: everyone's)."""
    return USERS.page(session, principal, query, sort=sort, descending=descending, page=page, columns=columns)


def users_by_ids(session: Session, principal: Principal, ids: Iterable[int]) -> dict[int, User]:
    """The visible users among ``ids`` (of the principal's organizations; owner staff: all)."""
    return load_by_ids(session, principal, User, ids)
