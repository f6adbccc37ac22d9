"""Who is acting: a user or an API token, with its organization, the organizations below it, and roles.

A principal is resolved from the database on every request, in the request's own transaction, by
one statement (:func:`user_principal`, :func:`token_standing`): the credential's standing and the
organization tree below its organization (a recursive query). Nothing of it is cached between
requests, so a branch moved to another group or detached, a role taken away, a user deactivated
or a token revoked counts from the next request on, in every server process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, bindparam, exists, select, true
from sqlalchemy.orm import Session, aliased

from portal.models import ApiToken, Organization, OrgKind, RevokedSession, User


@dataclass(frozen=True, slots=True)
class Principal:
    org_id: int
    org_kind: OrgKind
    org_ids: frozenset[int]  # own organization and every organization below it
    roles: frozenset[str]
    user_id: int | None = None
    token_id: int | None = None
    name: str = ""
    # Those of org_ids that are suppliers (an organization below another may be of any kind).
    # The access rules test an order's supplier column only against these and its dealer column
    # only against the others; None (not known) makes them test both columns against all org_ids.
    supplier_ids: frozenset[int] | None = None

    @property
    def buyer_ids(self) -> frozenset[int]:
        """Those of org_ids that may sell orders (everything but suppliers), as far as known."""
        return self.org_ids if self.supplier_ids is None else self.org_ids - self.supplier_ids

    @property
    def seller_ids(self) -> frozenset[int]:
        """Those of org_ids that orders may be routed to (suppliers), as far as known."""
        return self.org_ids if self.supplier_ids is None else self.supplier_ids

    @property
    def is_owner(self) -> bool:
        return self.org_kind is OrgKind.OWNER

    @property
    def is_supplier(self) -> bool:
        return self.org_kind is OrgKind.SUPPLIER

    # Role checks of actions live in portal.access.permissions (one ``can_*`` per action, used by
    # the service, the pages and GraphQL).
    @property
    def can_write(self) -> bool:
        """Any change at all: every role except the read-only viewer."""
        return bool(self.roles - {"viewer"})


def _roles(text: str) -> frozenset[str]:
    return frozenset(r for r in text.split(",") if r)


def organization_tree(anchor: Select[int], name: str = "org_tree") -> CTE:
    """The organizations at and below those ``anchor`` selects (one column: organization ids), as
    a recursive CTE with one column ``id``. UNION, not UNION ALL: a cycle in the parent links ends
    instead of looping."""
    tree = anchor.cte(name, recursive=True)
    below = select(Organization.id).where(Organization.parent_id == tree.c.id)
    return tree.union(below)


def descendant_ids(session: Session, org_id: int) -> frozenset[int]:
    """The organization and every organization below it (a dealer group sees its branches)."""
    return organization_kinds(session, org_id)[0]


def organization_kinds(session: Session, org_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """The organization and every organization below it, and those of them that are suppliers."""
    tree = organization_tree(select(Organization.id).where(Organization.id == org_id))
    member = aliased(Organization)
    rows = session.execute(select(tree.c.id, member.kind).join(member, member.id == tree.c.id)).all()
    return frozenset(r[0] for r in rows), frozenset(r[0] for r in rows if r[1] is OrgKind.SUPPLIER)


def principal_for_user(session: Session, user: User) -> Principal:
    org = session.get_one(Organization, user.organization_id)
    org_ids, supplier_ids = organization_kinds(session, org.id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=org_ids,
        supplier_ids=supplier_ids,
        roles=user.role_set,
        user_id=user.id,
        name=user.name,
    )


def principal_for_token(session: Session, token: ApiToken) -> Principal:
    org = session.get_one(Organization, token.organization_id)
    org_ids, supplier_ids = organization_kinds(session, org.id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=org_ids,
        supplier_ids=supplier_ids,
        roles=token.role_set,
        token_id=token.id,
        name=f"token {token.name}",
    )


# --- per request: the credential's standing and the organization tree, in one statement --------


def _with_tree(
    columns: Select[*tuple[Any, ...]], organization_id: Any, where: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    """``columns`` of the credential found by ``where``, its organization's id and kind, and one
    row per organization at and below it (the tree's ids and kinds in the last two columns)."""
    tree = organization_tree(select(organization_id.label("id")).where(where))
    member = aliased(Organization, name="tree_member")
    return (
        columns.add_columns(Organization.id, Organization.kind, tree.c.id, member.kind)
        .join(Organization, Organization.id == organization_id)
        .join(tree, true())
        .join(member, member.id == tree.c.id)
        .where(where)
    )


def _tree(rows: Any) -> tuple[frozenset[int], frozenset[int]]:
    """The org_ids and supplier_ids of a principal from the rows of a :func:`_with_tree` statement."""
    return (
        frozenset(row[-2] for row in rows),
        frozenset(row[-2] for row in rows if row[-1] is OrgKind.SUPPLIER),
    )


_USER_COLUMNS = select(
    User.is_active,
    User.session_generation,
    exists().where(RevokedSession.sid == bindparam("sid")),
    User.roles,
    User.name,
)
_USER = _with_tree(_USER_COLUMNS, User.organization_id, User.id == bindparam("user_id"))


def _user(session: Session, user_id: int, sid: str, generation: int | None) -> Principal | None:
    rows = session.connection().execute(_USER, {"user_id": user_id, "sid": sid}).all()
    if not rows:
        return None
    active, session_generation, revoked, roles, name, org_id, org_kind, _tree_id, _kind = rows[0]
    if not active or revoked or (generation is not None and session_generation != generation):
        return None
    tree = _tree(rows)
    return Principal(
        org_id=org_id,
        org_kind=org_kind,
        org_ids=tree[0],
        supplier_ids=tree[1],
        roles=_roles(roles),
        user_id=user_id,
        name=name,
    )


def standing_user(session: Session, user_id: int) -> Principal | None:
    """A user's principal as it stands now, by the statement the portal's requests use, or None
    when the user is gone or deactivated (for a process acting on a user's behalf without a
    session: the notifier deciding who may read what)."""
    return _user(session, user_id, "", None)


def user_principal(session: Session, user_id: int, *, sid: str, generation: int | None) -> Principal | None:
    """The principal of a user's signed session, or None when the session no longer stands: the
    user is gone or deactivated, the session generation moved on (a password change), or this
    session id was logged out (in any server process)."""
    return _user(session, user_id, sid, generation)


@dataclass(frozen=True, slots=True)
class TokenStanding:
    """An API token as the API authenticates it: whether it is still good, when it was last used,
    and whom it speaks for."""

    token_id: int
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    principal: Principal

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


_TOKEN_COLUMNS = select(
    ApiToken.id,
    ApiToken.expires_at,
    ApiToken.revoked_at,
    ApiToken.last_used_at,
    ApiToken.roles,
    ApiToken.name,
)
_TOKEN_BY_HASH = _with_tree(
    _TOKEN_COLUMNS, ApiToken.organization_id, ApiToken.token_hash == bindparam("token_hash")
)
_TOKEN_BY_ID = _with_tree(_TOKEN_COLUMNS, ApiToken.organization_id, ApiToken.id == bindparam("token_id"))


def _token(
    session: Session, statement: Select[*tuple[Any, ...]], params: dict[str, Any]
) -> TokenStanding | None:
    rows = session.connection().execute(statement, params).all()
    if not rows:
        return None
    token_id, expires_at, revoked_at, last_used_at, roles, name, org_id, org_kind, _tree_id, _kind = rows[0]
    tree = _tree(rows)
    principal = Principal(
        org_id=org_id,
        org_kind=org_kind,
        org_ids=tree[0],
        supplier_ids=tree[1],
        roles=_roles(roles),
        token_id=token_id,
        name=f"token {name}",
    )
    return TokenStanding(token_id, expires_at, revoked_at, last_used_at, principal)


def token_standing(session: Session, token_hash: str) -> TokenStanding | None:
    """The token with this hash and its principal, or None (records nothing: the service's
    ``authenticate_token`` records the last use)."""
    return _token(session, _TOKEN_BY_HASH, {"token_hash": token_hash})


def current_principal(session: Session, principal: Principal, now: datetime) -> Principal | None:
    """``principal`` as the database has it now, for a caller that holds one for long (a
    subscription, on each read): None once its token is revoked or expired or its user deactivated;
    its roles and organization tree as they are now."""
    if principal.token_id is not None:
        standing = _token(session, _TOKEN_BY_ID, {"token_id": principal.token_id})
        return standing.principal if standing is not None and standing.valid_at(now) else None
    if principal.user_id is not None:
        return _user(session, principal.user_id, "", None)
    return principal
