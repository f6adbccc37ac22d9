"""Password reset and invitations by e-mail: single-use links whose token only the recipient's
mailbox holds (the database keeps its SHA-256).

- Forgot password: `request_password_reset` answers nothing (the edge shows one message whatever
  the address); for an active user it queues a mail with a link valid for an hour.
  `reset_password` sets the new password by the project's rules and ends every session of the user.
- Invitations: an admin of an organization (`may.can_manage_users`) invites a name, an address and
  roles; the link is valid for seven days; `accept_invitation` creates the user with the password
  chosen. Resending makes a new link (the old one stops working); revoking ends the invitation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from portal import validation
from portal.access import Principal, get_visible, principal_for_user, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState
from portal.events import record
from portal.models import Invitation, Organization, PasswordReset, User
from portal.models.base import utcnow
from portal.notify.mail import enqueue_mail
from portal.partners.service import ADDRESS_TAKEN, _check_roles
from portal.security import hash_password, hash_token, password_problem

RESET_VALID = timedelta(hours=1)
INVITATION_VALID = timedelta(days=7)
RESET_PATH = "/password/reset/"
INVITATION_PATH = "/invitation/"

# Why a link is refused (the edge shows them with a link to ask for a new one).
LINK_UNKNOWN = "This link is not valid. Please ask for a new one."
LINK_USED = "This link has been used already. Please ask for a new one."
LINK_EXPIRED = "This link has expired. Please ask for a new one."
INVITED_ALREADY = "has an open invitation already: send it again or withdraw it"
INVITATION_REVOKED = "This invitation has been withdrawn. Please ask your administrator for a new one."
INVITATION_USED = "This invitation has been accepted already: your account exists. Please log in."


class LinkRefused(Exception):
    """A reset or invitation link that cannot be used; ``message`` says why (in English; the edge
    translates it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


# -- password reset ----------------------------------------------------------------------------
def request_password_reset(
    session: Session, *, email: str, base_url: str, locale: str, now: datetime | None = None
) -> bool:
    """Queue a reset mail if ``email`` belongs to an active user; returns whether one was queued
    (for tests and logs: the edge answers the same either way)."""
    now = now or utcnow()
    address = email.strip().lower()
    if not address or "\x00" in address or len(address) > 200:
        return False
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_active:
        return False
    token = new_link_token()
    reset = PasswordReset(
        user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=now + RESET_VALID
    )
    session.add(reset)
    session.flush()
    enqueue_mail(
        session,
        to=user.email,
        user_id=user.id,
        locale=user.locale or locale,
        template="password_reset",
        context={"name": user.name, "email": user.email, "link": f"{base_url}{RESET_PATH}{token}"},
        dedupe_key=f"password-reset:{reset.id}",
    )
    return True


def _usable_reset(session: Session, token: str, now: datetime) -> tuple[PasswordReset, User]:
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None:
        raise LinkRefused(LINK_UNKNOWN)
    if reset.used_at is not None:
        raise LinkRefused(LINK_USED)
    if reset.expires_at <= now:
        raise LinkRefused(LINK_EXPIRED)
    user = session.get_one(User, reset.user_id)
    if not user.is_active:
        raise LinkRefused(LINK_UNKNOWN)
    return reset, user


def check_reset_link(session: Session, token: str, *, now: datetime | None = None) -> User:
    """The user whose password the link may set; raises `LinkRefused` otherwise."""
    return _usable_reset(session, token, now or utcnow())[1]


def reset_password(*, uow: UnitOfWork, token: str, password: str, now: datetime | None = None) -> User:
    """Set the password through a reset link: once, within the hour; every session of the user
    ends (the session generation goes up) and every other open reset link of theirs dies."""
    now = now or utcnow()
    reset, user = _usable_reset(uow.session, token, now)
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput("password", problem)
    used = cast(
        CursorResult[Any],
        uow.session.execute(  # single use even when two requests race: one UPDATE matches
            update(PasswordReset)
            .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if used.rowcount != 1:
        raise LinkRefused(LINK_USED)
    uow.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    user.password_hash = hash_password(password)
    user.session_generation += 1
    uow.flush()
    record(uow, principal_for_user(uow.session, user), "user.password_reset", "user", user.id)
    return user


# -- invitations -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SentInvitation:
    invitation: Invitation
    link: str  # for the tests and the command line; the admin never sees it


def _inviter_name(session: Session, principal: Principal) -> str:
    if principal.user_id is not None:
        return session.get_one(User, principal.user_id).name
    return principal.name or "The portal"


def _send_invitation(
    uow: UnitOfWork, principal: Principal, invitation: Invitation, base_url: str, token: str
) -> str:
    org = uow.session.get_one(Organization, invitation.organization_id)
    link = f"{base_url}{INVITATION_PATH}{token}"
    enqueue_mail(
        uow.session,
        to=invitation.email,
        user_id=None,
        locale=invitation.locale or "en",
        template="invitation",
        context={
            "name": invitation.name,
            "email": invitation.email,
            "organization": org.name,
            "inviter": _inviter_name(uow.session, principal),
            "link": link,
        },
        dedupe_key=f"invitation:{invitation.id}:{invitation.token_hash[:16]}",
    )
    return link


def invite_user(
    *,
    uow: UnitOfWork,
    principal: Principal,
    organization_id: int,
    email: str,
    name: str,
    roles: set[str],
    base_url: str,
    locale: str | None = None,
    now: datetime | None = None,
) -> SentInvitation:
    """Invite a new user of an organization the principal administers."""
    now = now or utcnow()
    org = get_visible(uow.session, principal, Organization, organization_id)
    may.require(
        principal, may.can_manage_users(principal, org.id), "invite users", only="admins of the organization"
    )
    address = validation.email("email", email, required=True)
    assert address is not None
    person = validation.required_text("name", name)
    role_text = _check_roles(org, roles)
    language = locale if locale in {"en", "de"} else None
    if uow.session.scalar(select(User.id).where(User.email == address)) is not None:
        raise InvalidInput("email", ADDRESS_TAKEN)  # neutral, as for adding a user
    open_ones = list(
        uow.session.scalars(
            select(Invitation).where(
                Invitation.email == address, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
            )
        )
    )
    if any(i.organization_id == org.id for i in open_ones):
        raise InvalidInput("email", INVITED_ALREADY)
    if open_ones:
        raise InvalidInput("email", ADDRESS_TAKEN)  # invited elsewhere: say no more than for a user
    token = new_link_token()
    invitation = Invitation(
        organization_id=org.id,
        email=address,
        name=person,
        roles=role_text,
        locale=language,
        token_hash=hash_token(token),
        invited_by_id=principal.user_id,
        created_at=now,
        sent_at=now,
        expires_at=now + INVITATION_VALID,
    )
    uow.session.add(invitation)
    uow.flush()
    link = _send_invitation(uow, principal, invitation, base_url, token)
    record(
        uow,
        principal,
        "invitation.sent",
        "invitation",
        invitation.id,
        organization_id=org.id,
        roles=role_text,
    )
    return SentInvitation(invitation, link)


def _open_invitation(uow: UnitOfWork, principal: Principal, invitation_id: int, action: str) -> Invitation:
    invitation = get_visible(uow.session, principal, Invitation, invitation_id, for_update=True)
    may.require(
        principal,
        may.can_manage_users(principal, invitation.organization_id),
        action,
        only="admins of the organization",
    )
    if invitation.accepted_at is not None:
        raise InvalidState("invitation", "accepted", action)
    if invitation.revoked_at is not None:
        raise InvalidState("invitation", "withdrawn", action)
    return invitation


def resend_invitation(
    *, uow: UnitOfWork, principal: Principal, invitation_id: int, base_url: str, now: datetime | None = None
) -> SentInvitation:
    """Send an open invitation again with a new link, valid for seven days from now (the old link
    stops working)."""
    now = now or utcnow()
    invitation = _open_invitation(uow, principal, invitation_id, "send invitations")
    token = new_link_token()
    invitation.token_hash = hash_token(token)
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALID
    uow.flush()
    link = _send_invitation(uow, principal, invitation, base_url, token)
    record(
        uow,
        principal,
        "invitation.resent",
        "invitation",
        invitation.id,
        organization_id=invitation.organization_id,
    )
    return SentInvitation(invitation, link)


def revoke_invitation(*, uow: UnitOfWork, principal: Principal, invitation_id: int) -> Invitation:
    invitation = _open_invitation(uow, principal, invitation_id, "withdraw invitations")
    invitation.revoked_at = utcnow()
    uow.flush()
    record(
        uow,
        principal,
        "invitation.revoked",
        "invitation",
        invitation.id,
        organization_id=invitation.organization_id,
    )
    return invitation


def list_invitations(session: Session, principal: Principal) -> list[Invitation]:
    """Open invitations (neither accepted nor withdrawn) to the principal's organizations, newest first."""
    return list(
        session.scalars(
            visible(principal, Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.sent_at.desc(), Invitation.id.desc())
        )
    )


def _usable_invitation(session: Session, token: str, now: datetime, *, lock: bool = False) -> Invitation:
    stmt = select(Invitation).where(Invitation.token_hash == hash_token(token))
    invitation = session.scalar(stmt.with_for_update() if lock else stmt)
    if invitation is None:
        raise LinkRefused(LINK_UNKNOWN)
    if invitation.accepted_at is not None:
        raise LinkRefused(INVITATION_USED)
    if invitation.revoked_at is not None:
        raise LinkRefused(INVITATION_REVOKED)
    if invitation.expires_at <= now:
        raise LinkRefused(LINK_EXPIRED)
    return invitation


def check_invitation(session: Session, token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation the link accepts; raises `LinkRefused` otherwise."""
    return _usable_invitation(session, token, now or utcnow())


def accept_invitation(*, uow: UnitOfWork, token: str, password: str, now: datetime | None = None) -> User:
    """Create the invited user with this password (once); the edge logs them in."""
    now = now or utcnow()
    invitation = _usable_invitation(uow.session, token, now, lock=True)
    problem = password_problem(password, email=invitation.email, name=invitation.name)
    if problem:
        raise InvalidInput("password", problem)
    taken = cast(
        CursorResult[Any],
        uow.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
            .values(accepted_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if taken.rowcount != 1:
        raise LinkRefused(LINK_USED)
    if uow.session.scalar(select(User.id).where(User.email == invitation.email)) is not None:
        raise LinkRefused(LINK_UNKNOWN)  # the address got an account meanwhile
    user = User(
        organization_id=invitation.organization_id,
        email=invitation.email,
        name=invitation.name,
        password_hash=hash_password(password),
        roles=invitation.roles,
        locale=invitation.locale,
        last_login_at=now,
    )
    uow.session.add(user)
    uow.flush()
    invitation.user_id = user.id
    invitation.accepted_at = now
    uow.flush()
    record(
        uow,
        principal_for_user(uow.session, user),
        "user.created",
        "user",
        user.id,
        organization_id=user.organization_id,
        roles=user.roles,
        invitation_id=invitation.id,
    )
    return user
