"""An organization's users and API tokens in GraphQL: list them, add users, change their roles,
deactivate them, issue and revoke tokens. Admins manage their own organizations (owner admins:
every organization); ``portal.partners.service`` decides, as it does for the portal's admin pages.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from portal import models as m
from portal.access import Principal
from portal.db import UnitOfWork
from portal.gql.base import ctx, field, mutation, opt_pk, pk, run
from portal.gql.errors import UserError
from portal.gql.ids import encode_id
from portal.gql.partners.types import Organization
from portal.partners import accounts
from portal.partners import service as partners

MAX_LISTED = 500  # users or tokens in one answer: an organization has far fewer


@strawberry.type(description="A person who logs in to the portal.")
class User:
    pk: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    email: str
    name: str
    roles: list[str]
    active: bool
    locale: str | None
    created_at: datetime
    last_login_at: datetime | None

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("User", self.pk))

    @field(description="The organization the user belongs to.")
    def organization(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(self.organization_id)

    @classmethod
    def of(cls, row: m.User) -> User:
        return cls(
            pk=row.id,
            organization_id=row.organization_id,
            email=row.email,
            name=row.name,
            roles=sorted(row.role_set),
            active=row.is_active,
            locale=row.locale,
            created_at=row.created_at,
            last_login_at=row.last_login_at,
        )


@strawberry.type(description="An API token; its secret is shown once, when it is issued.")
class ApiToken:
    pk: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    name: str
    prefix: str = strawberry.field(description="The first characters of the secret, to recognise it.")
    roles: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("ApiToken", self.pk))

    @field(description="The organization the token acts for.")
    def organization(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(self.organization_id)

    @classmethod
    def of(cls, row: m.ApiToken) -> ApiToken:
        return cls(
            pk=row.id,
            organization_id=row.organization_id,
            name=row.name,
            prefix=row.prefix,
            roles=sorted(row.role_set),
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
        )


@strawberry.type(
    description="An invitation to become a user; the person sets a password from the link mailed to them."
)
class Invitation:
    pk: strawberry.Private[int]
    organization_id: strawberry.Private[int]
    email: str
    name: str
    roles: list[str]
    locale: str | None
    sent_at: datetime = strawberry.field(description="When the last link was sent.")
    expires_at: datetime = strawberry.field(
        description="When the last link stops working (seven days after sending)."
    )
    accepted_at: datetime | None
    revoked_at: datetime | None

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("Invitation", self.pk))

    @field(description="The organization the person is invited to.")
    def organization(self, info: strawberry.Info) -> Organization | None:
        return ctx(info).loaders.organization.load(self.organization_id)

    @classmethod
    def of(cls, row: m.Invitation) -> Invitation:
        return cls(
            pk=row.id,
            organization_id=row.organization_id,
            email=row.email,
            name=row.name,
            roles=sorted(row.role_set),
            locale=row.locale,
            sent_at=row.sent_at,
            expires_at=row.expires_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type
class AdminQuery:
    @field(description="Users of the caller's organizations (owner staff: everyone), by name.")
    def users(self, info: strawberry.Info, first: int = 100) -> list[User]:
        c = ctx(info)
        rows = partners.list_users(c.session, c.principal)
        return [User.of(row) for row in rows[: max(0, min(first, MAX_LISTED))]]

    @field(
        description="Open invitations to the caller's organizations (owner staff: every one), newest first."
    )
    def invitations(self, info: strawberry.Info, first: int = 100) -> list[Invitation]:
        c = ctx(info)
        rows = accounts.list_invitations(c.session, c.principal)
        return [Invitation.of(row) for row in rows[: max(0, min(first, MAX_LISTED))]]

    @field(description="API tokens of the caller's organizations (owner staff: every token).")
    def api_tokens(self, info: strawberry.Info, first: int = 100) -> list[ApiToken]:
        c = ctx(info)
        rows = partners.list_tokens(c.session, c.principal)
        return [ApiToken.of(row) for row in rows[: max(0, min(first, MAX_LISTED))]]


@strawberry.input
class InviteUserInput:
    email: str
    name: str
    roles: list[str] = strawberry.field(
        description="Owner: admin, sales, support, viewer. Others: admin, member."
    )
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the caller's organization."
    )
    locale: str | None = strawberry.field(
        default=None, description="Language of the e-mail and the account: en or de."
    )


@strawberry.type
class InvitationPayload:
    invitation: Invitation | None
    user_errors: list[UserError]


@strawberry.input
class AddUserInput:
    email: str
    name: str
    password: str = strawberry.field(description="At least 10 characters; the user can change it.")
    roles: list[str] = strawberry.field(
        description="Owner: admin, sales, support, viewer. Others: admin, member."
    )
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the caller's organization."
    )
    locale: str | None = None


@strawberry.input
class SetUserRolesInput:
    user: strawberry.ID
    roles: list[str]


@strawberry.input
class SetUserActiveInput:
    user: strawberry.ID
    active: bool


@strawberry.type
class UserPayload:
    user: User | None
    user_errors: list[UserError]


@strawberry.input
class IssueApiTokenInput:
    name: str
    expires_in_days: int | None = strawberry.field(default=None, description="Default: never expires.")
    roles: list[str] | None = strawberry.field(default=None, description="Default: member (owner: sales).")
    organization: strawberry.ID | None = strawberry.field(
        default=None, description="Default: the caller's organization."
    )


@strawberry.type
class IssueApiTokenPayload:
    token: ApiToken | None
    secret: str | None = strawberry.field(description="Shown this once; it is never stored.")
    user_errors: list[UserError]


@strawberry.type
class ApiTokenPayload:
    token: ApiToken | None
    user_errors: list[UserError]


def _org(p: Principal, value: strawberry.ID | None) -> int:
    return opt_pk(value, "Organization", "organization") or p.org_id


def _base_url(info: strawberry.Info) -> str:
    """Where the mailed link points: PORTAL_BASE_URL, else the address the API was called at."""
    request = ctx(info).request
    settings = getattr(request.app.state, "settings", None)  # the whole app's; absent in a bare API app
    configured: str | None = getattr(settings, "base_url", None)
    return configured or str(request.base_url).rstrip("/")


@strawberry.type
class AdminMutation:
    @mutation(description="A user of the caller's organization (admins).")
    def add_user(self, info: strawberry.Info, input: AddUserInput) -> UserPayload:
        def act(uow: UnitOfWork, p: Principal) -> User:
            user = partners.add_user(
                uow=uow,
                principal=p,
                organization_id=_org(p, input.organization),
                email=input.email,
                name=input.name,
                password=input.password,
                roles=set(input.roles),
                locale=input.locale,
            )
            return User.of(user)

        user, errors = run(info, act)
        return UserPayload(user=user, user_errors=errors)

    @mutation(
        description="Invite a person by e-mail to become a user (admins); the link is valid for seven days."
    )
    def invite_user(self, info: strawberry.Info, input: InviteUserInput) -> InvitationPayload:
        def act(uow: UnitOfWork, p: Principal) -> Invitation:
            sent = accounts.invite_user(
                uow=uow,
                principal=p,
                organization_id=_org(p, input.organization),
                email=input.email,
                name=input.name,
                roles=set(input.roles),
                locale=input.locale,
                base_url=_base_url(info),
            )
            return Invitation.of(sent.invitation)

        invitation, errors = run(info, act)
        return InvitationPayload(invitation=invitation, user_errors=errors)

    @mutation(
        description="Send an open invitation again with a new link (the old one stops working; admins)."
    )
    def resend_invitation(self, info: strawberry.Info, id: strawberry.ID) -> InvitationPayload:
        def act(uow: UnitOfWork, p: Principal) -> Invitation:
            sent = accounts.resend_invitation(
                uow=uow,
                principal=p,
                invitation_id=pk(id, "Invitation", "invitation"),
                base_url=_base_url(info),
            )
            return Invitation.of(sent.invitation)

        invitation, errors = run(info, act)
        return InvitationPayload(invitation=invitation, user_errors=errors)

    @mutation(description="Withdraw an open invitation: its link stops working (admins).")
    def revoke_invitation(self, info: strawberry.Info, id: strawberry.ID) -> InvitationPayload:
        def act(uow: UnitOfWork, p: Principal) -> Invitation:
            invitation = accounts.revoke_invitation(
                uow=uow, principal=p, invitation_id=pk(id, "Invitation", "invitation")
            )
            return Invitation.of(invitation)

        invitation, errors = run(info, act)
        return InvitationPayload(invitation=invitation, user_errors=errors)

    @mutation(description="Give a user other roles; their sessions end (admins).")
    def set_user_roles(self, info: strawberry.Info, input: SetUserRolesInput) -> UserPayload:
        def act(uow: UnitOfWork, p: Principal) -> User:
            user = partners.set_user_roles(
                uow=uow, principal=p, user_id=pk(input.user, "User", "user"), roles=set(input.roles)
            )
            return User.of(user)

        user, errors = run(info, act)
        return UserPayload(user=user, user_errors=errors)

    @mutation(description="Deactivate a user (every session ends at once) or let them log in again (admins).")
    def set_user_active(self, info: strawberry.Info, input: SetUserActiveInput) -> UserPayload:
        def act(uow: UnitOfWork, p: Principal) -> User:
            user = partners.set_user_active(
                uow=uow, principal=p, user_id=pk(input.user, "User", "user"), active=input.active
            )
            return User.of(user)

        user, errors = run(info, act)
        return UserPayload(user=user, user_errors=errors)

    @mutation(description="A new API token (admins); the secret is in this answer only.")
    def issue_api_token(self, info: strawberry.Info, input: IssueApiTokenInput) -> IssueApiTokenPayload:
        def act(uow: UnitOfWork, p: Principal) -> tuple[ApiToken, str]:
            issued = partners.issue_token(
                uow=uow,
                principal=p,
                organization_id=_org(p, input.organization),
                name=input.name,
                expires_in_days=input.expires_in_days,
                roles=set(input.roles) if input.roles else None,
            )
            return ApiToken.of(issued.token), issued.secret

        result, errors = run(info, act)
        token, secret = result if result else (None, None)
        return IssueApiTokenPayload(token=token, secret=secret, user_errors=errors)

    @mutation(description="Revoke an API token at once (admins).")
    def revoke_api_token(self, info: strawberry.Info, id: strawberry.ID) -> ApiTokenPayload:
        def act(uow: UnitOfWork, p: Principal) -> ApiToken:
            token = partners.revoke_token(uow=uow, principal=p, token_id=pk(id, "ApiToken", "API token"))
            return ApiToken.of(token)

        token, errors = run(info, act)
        return ApiTokenPayload(token=token, user_errors=errors)
