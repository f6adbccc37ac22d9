"""Who is acting: a user or an API token, with its organization, the organizations below it, and roles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

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


def descendant_ids(session: Session, org_id: int) -> frozenset[int]:
    """The organization and every organization below it (a dealer group sees its branches)."""
    found = {org_id}
    frontier = {org_id}
    while frontier:
        children = set(session.scalars(select(Organization.id).where(Organization.parent_id.in_(frontier))))
        frontier = children - found
        found |= frontier
    return frozenset(found)


def principal_for_user(session: Session, user: User) -> Principal:
    org = session.get_one(Organization, user.organization_id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=descendant_ids(session, org.id),
        roles=user.role_set,
        user_id=user.id,
        name=user.name,
    )


@dataclass(frozen=True, slots=True)
class UserStanding:
    """What decides whether a user's session is still good, and whom it speaks for."""

    is_active: bool
    session_generation: int
    organization_id: int
    roles: str
    name: str
    session_revoked: bool


_STANDING = select(
    User.is_active,
    User.session_generation,
    User.organization_id,
    User.roles,
    User.name,
    exists().where(RevokedSession.sid == bindparam("sid")),
).where(User.id == bindparam("user_id"))


def user_standing(session: Session, user_id: int, sid: str) -> UserStanding | None:
    """One narrow row per request (no ORM object), including whether this session id was logged
    out (in any server process): the portal checks it on every page."""
    row = session.connection().execute(_STANDING, {"user_id": user_id, "sid": sid}).first()
    return UserStanding(*row[:5], session_revoked=bool(row[5])) if row is not None else None


def principal_for_token(session: Session, token: ApiToken) -> Principal:
    org = session.get_one(Organization, token.organization_id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=descendant_ids(session, org.id),
        roles=token.role_set,
        token_id=token.id,
        name=f"token {token.name}",
    )
