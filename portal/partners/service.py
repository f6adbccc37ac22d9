"""Organizations, users and API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import validation
from portal.access import Principal, descendant_ids, get_visible, principal_for_token, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, PermissionDenied, Unauthenticated
from portal.events import record
from portal.models import EXTERNAL_ROLES, OWNER_ROLES, ApiToken, Organization, OrgKind, User
from portal.models.base import utcnow
from portal.notify.language import LANGUAGES
from portal.security import MIN_PASSWORD_LENGTH as MIN_PASSWORD_LENGTH  # the web forms' first check
from portal.security import (
    hash_password,
    hash_token,
    new_token_secret,
    password_needs_rehash,
    password_problem,
    verify_password,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_TOKEN_DAYS = 3650
ADDRESS_TAKEN = "cannot be used for a new user: use another address, or ask the portal's operator"


def grantable_roles(kind: OrgKind) -> frozenset[str]:
    """The roles a user or API token of an organization of this kind may hold, so the roles its
    admins may grant (whether the principal administers the organization: `may.can_manage_users`)."""
    return OWNER_ROLES if kind is OrgKind.OWNER else EXTERNAL_ROLES


def _check_roles(org: Organization, roles: set[str]) -> str:
    allowed = grantable_roles(org.kind)
    if not roles:
        raise InvalidInput("roles", "at least one role is required")
    unknown = roles - allowed
    if unknown:
        raise InvalidInput(
            "roles",
            f"unknown for a {org.kind} organization: {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(allowed))}",
        )
    return ",".join(sorted(roles))


def _require_admin_of(principal: Principal, org: Organization, action: str) -> None:
    """Owner admins manage every organization; an external admin manages its own organizations."""
    may.require(principal, may.can_manage_users(principal, org.id), action, only="admins of the organization")


def create_organization(
    *,
    uow: UnitOfWork,
    principal: Principal,
    slug: str,
    name: str,
    kind: OrgKind,
    parent_id: int | None = None,
    gln: str | None = None,
    vat_id: str | None = None,
) -> Organization:
    may.require(principal, may.can_create_organization(principal), "create organizations")
    if not _SLUG.match(slug):
        raise InvalidInput("slug", "use 2-63 lower-case letters, digits and dashes")
    if gln is not None and not re.fullmatch(r"\d{13}", gln):
        raise InvalidInput("gln", "a GLN has 13 digits")
    if parent_id is not None:
        get_visible(uow.session, principal, Organization, parent_id)
    org = Organization(
        slug=slug,
        name=validation.required_text("name", name),
        kind=kind,
        parent_id=parent_id,
        gln=gln,
        vat_id=vat_id,
    )
    uow.session.add(org)
    uow.flush()
    record(uow, principal, "organization.created", "organization", org.id, slug=slug, kind=kind.value)
    return org


def add_user(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organization_id: int,
    email: str,
    name: str,
    password: str,
    roles: set[str],
    locale: str | None = None,
) -> User:
    org = get_visible(uow.session, principal, Organization, organization_id)
    _require_admin_of(principal, org, "add users")
    address = validation.email("email", email, required=True)
    assert address is not None
    problem = password_problem(password, email=address, name=name)
    if problem:
        raise InvalidInput("password", problem)
    existing = uow.session.scalar(select(User.id).where(User.email == address))
    if existing is not None:
        # Neutral on purpose: an external admin must not learn that the address has an account
        # in another organization. (Users of its own organizations it sees in its list anyway.)
        raise InvalidInput("email", ADDRESS_TAKEN)
    user = User(
        organization_id=org.id,
        email=address,
        name=validation.required_text("name", name),
        password_hash=hash_password(password),
        roles=_check_roles(org, roles),
        locale=locale,
    )
    uow.session.add(user)
    uow.flush()
    record(uow, principal, "user.created", "user", user.id, organization_id=org.id, roles=user.roles)
    return user


def set_user_active(*, uow: UnitOfWork, principal: Principal, user_id: int, active: bool) -> User:
    """Deactivate a user (every session of theirs ends at once) or let them log in again.

    Admins manage their own organizations' users; nobody deactivates their own account, so an
    organization cannot lock out its last admin by accident."""
    user = get_visible(uow.session, principal, User, user_id)
    org = uow.session.get_one(Organization, user.organization_id)
    _require_admin_of(principal, org, "deactivate users" if not active else "reactivate users")
    if not active and principal.user_id == user.id:
        raise InvalidInput("user", "you cannot deactivate your own account")
    if user.is_active == active:
        return user
    user.is_active = active
    if not active:
        user.session_generation += 1  # signed session cookies of this user stop working now
    uow.flush()
    kind = "user.reactivated" if active else "user.deactivated"
    record(uow, principal, kind, "user", user.id, organization_id=org.id)
    return user


def set_user_roles(*, uow: UnitOfWork, principal: Principal, user_id: int, roles: set[str]) -> User:
    """Give a user other roles (their sessions end, so the new roles apply at the next login).

    Admins manage their own organizations' users; nobody takes the admin role from themselves,
    so an organization cannot lose its last admin by accident."""
    user = get_visible(uow.session, principal, User, user_id, for_update=True)
    org = uow.session.get_one(Organization, user.organization_id)
    _require_admin_of(principal, org, "change roles")
    role_text = _check_roles(org, roles)
    if principal.user_id == user.id and "admin" not in roles:
        raise InvalidInput("roles", "you cannot take the admin role from yourself")
    if role_text == user.roles:
        return user
    user.roles = role_text
    user.session_generation += 1
    uow.flush()
    record(uow, principal, "user.roles_changed", "user", user.id, organization_id=org.id, roles=role_text)
    return user


def authenticate_password(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. The hash is always computed, so the
    answer takes as long for an unknown e-mail as for a wrong password."""
    address = email.strip().lower()
    # An address with NUL cannot be registered (and PostgreSQL refuses it in a query).
    user = None if "\x00" in address else session.scalar(select(User).where(User.email == address))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


_DUMMY_HASH = hash_password("not-a-real-password")


def change_password(*, uow: UnitOfWork, principal: Principal, current: str, new: str) -> User:
    if principal.user_id is None:
        raise PermissionDenied("only users have passwords")
    user = uow.session.get_one(User, principal.user_id)
    if not verify_password(user.password_hash, current):
        raise InvalidInput("current_password", "is not correct")
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        raise InvalidInput("new_password", problem)
    user.password_hash = hash_password(new)
    user.session_generation += 1
    uow.flush()
    record(uow, principal, "user.password_changed", "user", user.id)
    return user


def own_language(session: Session, principal: Principal) -> str:
    """The language the user's mails are written in ("en" when none was ever chosen)."""
    if principal.user_id is None:
        return "en"
    locale = session.get_one(User, principal.user_id).locale
    return locale if locale in LANGUAGES else "en"


def set_own_language(*, uow: UnitOfWork, principal: Principal, locale: str) -> bool:
    """The user's language, chosen in the portal's header: mails follow it. Like marking a
    notification read, the user's own bookkeeping: no outbox event. Returns whether it changed."""
    if principal.user_id is None:
        raise PermissionDenied("only users have a language")
    if locale not in LANGUAGES:
        raise InvalidInput("locale", f"must be one of {', '.join(LANGUAGES)}")
    user = uow.session.get_one(User, principal.user_id)
    if user.locale == locale:
        return False
    user.locale = locale
    uow.flush()
    return True


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once; never stored


def issue_token(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organization_id: int,
    name: str,
    expires_in_days: int | None = None,
    roles: set[str] | None = None,
) -> IssuedToken:
    org = get_visible(uow.session, principal, Organization, organization_id)
    _require_admin_of(principal, org, "issue API tokens")
    if expires_in_days is not None:
        validation.integer("expires_in_days", expires_in_days, minimum=1, maximum=MAX_TOKEN_DAYS)
    role_text = _check_roles(org, roles or ({"sales"} if org.kind is OrgKind.OWNER else {"member"}))
    secret = new_token_secret()
    token = ApiToken(
        organization_id=org.id,
        name=validation.required_text("name", name, max_length=100),
        prefix=secret[:10],
        token_hash=hash_token(secret),
        roles=role_text,
        created_by_id=principal.user_id,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    uow.session.add(token)
    uow.flush()
    record(uow, principal, "token.issued", "api_token", token.id, organization_id=org.id, name=token.name)
    return IssuedToken(token, secret)


def revoke_token(*, uow: UnitOfWork, principal: Principal, token_id: int) -> ApiToken:
    token = get_visible(uow.session, principal, ApiToken, token_id)
    org = uow.session.get_one(Organization, token.organization_id)
    _require_admin_of(principal, org, "revoke API tokens")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        uow.flush()
        record(uow, principal, "token.revoked", "api_token", token.id)
    return token


def authenticate_token(session: Session, secret: str, *, now: datetime | None = None) -> Principal:
    """The principal of a valid token; records its last use. Raises Unauthenticated otherwise."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated("the API token is unknown or revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("the API token has expired")
    token.last_used_at = now
    return principal_for_token(session, token)


def list_tokens(session: Session, principal: Principal) -> list[ApiToken]:
    return list(session.scalars(visible(principal, ApiToken).order_by(ApiToken.id)))


def list_organizations(session: Session, principal: Principal) -> list[Organization]:
    return list(session.scalars(visible(principal, Organization).order_by(Organization.slug)))


def system_principal(session: Session) -> Principal:
    """The owner organization acting through the command line (an admin without a user)."""
    owner = session.scalar(
        select(Organization).where(Organization.kind == OrgKind.OWNER).order_by(Organization.id).limit(1)
    )
    if owner is None:
        raise InvalidInput(
            "organization",
            "there is no owner organization yet: run `portal seed demo` or `portal org add --kind owner`",
        )
    return Principal(
        org_id=owner.id,
        org_kind=owner.kind,
        org_ids=descendant_ids(session, owner.id),
        roles=frozenset({"admin"}),
        name="command line",
    )


def bootstrap_owner(*, uow: UnitOfWork, slug: str, name: str) -> Organization:
    """Create the owner organization of a fresh installation (there is exactly one)."""
    if uow.session.scalar(select(Organization.id).where(Organization.kind == OrgKind.OWNER)) is not None:
        raise InvalidInput("kind", "an owner organization exists already")
    if not _SLUG.match(slug):
        raise InvalidInput("slug", "use 2-63 lower-case letters, digits and dashes")
    org = Organization(slug=slug, name=validation.required_text("name", name), kind=OrgKind.OWNER)
    uow.session.add(org)
    uow.flush()
    return org


def list_users(session: Session, principal: Principal) -> list[User]:
    """Users of the principal's organizations (owner staff: everyone), by name."""
    return list(session.scalars(visible(principal, User).order_by(User.name, User.id)))
