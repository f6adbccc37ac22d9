"""Partner admins manage their own organization's users and API tokens (owner admins: any)."""

from __future__ import annotations

from starlette.responses import Response

from portal import validation
from portal.access import load_by_ids
from portal.access import permissions as may
from portal.errors import InvalidInput
from portal.models import Organization
from portal.models.base import utcnow
from portal.notify.mail import mail_folder
from portal.partners import accounts
from portal.partners import service as partners
from portal.partners.queries import UserQuery, list_users
from portal.reading import PageRequest
from portal.reading.search import is_too_short
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.forms import FormErrors
from portal.web.labels import N_

# Service messages shown on these pages, for the catalog.
N_("you cannot deactivate your own account")


USERS_PER_PAGE = 50


class AdminViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def _require_admin(self, ctx: Ctx) -> None:
        may.require(
            ctx.principal, may.can_manage_users(ctx.principal), "manage users and tokens", only="admins"
        )

    def _roles(self, ctx: Ctx) -> list[str]:
        """The roles the admin may grant a user or token of its own organization (the forms' choice)."""
        return sorted(partners.grantable_roles(ctx.principal.org_kind))

    def _check_role(self, ctx: Ctx) -> None:
        if ctx.form.text("roles") not in self._roles(ctx):
            raise InvalidInput("roles", "unknown value")

    def users(self, ctx: Ctx) -> Response:
        self._require_admin(ctx)
        if ctx.request.method == "GET":
            return self._users_page(
                ctx, FormErrors(), {"roles": "member" if not ctx.principal.is_owner else "sales"}
            )

        def check_password() -> None:
            if len(ctx.form.text("password")) < partners.MIN_PASSWORD_LENGTH:
                raise InvalidInput(
                    "password", f"must have at least {partners.MIN_PASSWORD_LENGTH} characters"
                )

        def add() -> Response:
            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: validation.required_text("name", ctx.form.text("name")),
                lambda: validation.email("email", ctx.form.text("email"), required=True),
                check_password,
                lambda: self._check_role(ctx),
            )
            role = ctx.form.text("roles")
            user = partners.add_user(
                uow=ctx.uow,
                principal=ctx.principal,
                organization_id=ctx.principal.org_id,
                email=ctx.form.text("email"),
                name=ctx.form.text("name"),
                password=ctx.form.text("password"),
                roles={role},
            )
            return ctx.redirect("/admin/users", ctx._("%(email)s can log in now.", email=user.email))

        return ctx.attempt(add, lambda errors: self._users_page(ctx, errors, ctx.form.values()))

    def set_active(self, ctx: Ctx) -> Response:
        """POST /admin/users/{id}/active with ``active`` = 1 or 0."""
        self._require_admin(ctx)
        user_id = int(ctx.request.path_params["user_id"])
        active = ctx.form.text("active")
        if active not in {"0", "1"}:
            raise InvalidInput("active", "unknown value")

        def change() -> Response:
            user = partners.set_user_active(
                uow=ctx.uow, principal=ctx.principal, user_id=user_id, active=active == "1"
            )
            if user.is_active:
                return ctx.redirect("/admin/users", ctx._("%(email)s can log in again.", email=user.email))
            return ctx.redirect("/admin/users", ctx._("%(email)s can no longer log in.", email=user.email))

        def refused(errors: FormErrors) -> Response:
            reason = next(iter(errors.fields.values()), None) if errors.fields else errors.general
            return self._users_page(ctx, FormErrors(), {}, access_error=reason)

        return ctx.attempt(change, refused)

    def users_page(
        self,
        ctx: Ctx,
        *,
        access_error: str | None = None,
        invite_errors: FormErrors | None = None,
        invite_values: dict[str, str] | None = None,
    ) -> Response:
        """The users page drawn after an invitation action (its errors at the invitation form)."""
        self._require_admin(ctx)
        return self._users_page(
            ctx,
            FormErrors(),
            {"roles": "member" if not ctx.principal.is_owner else "sales"},
            access_error=access_error,
            invite_errors=invite_errors,
            invite_values=invite_values,
        )

    def _users_page(
        self,
        ctx: Ctx,
        errors: FormErrors,
        values: dict[str, str],
        *,
        access_error: str | None = None,
        invite_errors: FormErrors | None = None,
        invite_values: dict[str, str] | None = None,
    ) -> Response:
        query = ctx.request.query_params
        search = (query.get("q") or "").strip()[:200]
        org_filter = query.get("org") or ""
        page = list_users(
            ctx.db,
            ctx.principal,
            UserQuery(
                search=None if is_too_short(search) else search or None,
                organization_id=int(org_filter) if org_filter.isdigit() else None,
            ),
            page=PageRequest(
                first=None if query.get("before") else USERS_PER_PAGE,
                after=query.get("after"),
                last=USERS_PER_PAGE if query.get("before") else None,
                before=query.get("before"),
            ),
        )
        invitations = accounts.list_invitations(ctx.db, ctx.principal)
        return ctx.render(
            "admin_users.html",
            status_code=400 if errors or access_error or invite_errors else 200,
            access_error=access_error,
            invitations=invitations,
            invite_errors=invite_errors or FormErrors(),
            invite_values=invite_values
            or {"roles": "member" if not ctx.principal.is_owner else "sales", "locale": ctx.locale},
            locales=[("en", "English"), ("de", "Deutsch")],
            mail_folder_active=mail_folder(self.web.settings) is not None,
            now=utcnow(),
            users=page.items,
            pager=page,
            search=search,
            search_too_short=is_too_short(search),
            org_filter=org_filter,
            several_orgs=len(ctx.principal.org_ids) > 1 or ctx.principal.is_owner,
            org_names=load_by_ids(
                ctx.db,
                ctx.principal,
                Organization,
                {u.organization_id for u in page.items} | {i.organization_id for i in invitations},
            ),
            roles=[(r, ctx._(labels.ROLES.get(r, r))) for r in self._roles(ctx)],
            role_labels=labels.ROLES,
            errors=errors,
            values=values,
        )

    def tokens(self, ctx: Ctx) -> Response:
        self._require_admin(ctx)
        if ctx.request.method == "GET":
            # Preselected: the least a token of the organization may do (read only for the owner).
            least = "viewer" if ctx.principal.is_owner else "member"
            return self._tokens_page(
                ctx,
                FormErrors(),
                {"expires_in_days": "365", "roles": least},
                secret=ctx.session.pop_secret(),
            )

        def issue() -> Response:
            self._check_role(ctx)
            issued = partners.issue_token(
                uow=ctx.uow,
                principal=ctx.principal,
                organization_id=ctx.principal.org_id,
                name=ctx.form.text("name"),
                expires_in_days=ctx.form.integer("expires_in_days"),
                roles={ctx.form.text("roles")},
            )
            # Post-redirect-get: the secret rides in the signed session cookie to the next GET,
            # which shows it once and clears it; a reload of that page issues nothing. It is
            # never stored on the server.
            ctx.session.secret = issued.secret
            return ctx.redirect("/admin/tokens", ctx._("The token has been issued."))

        return ctx.attempt(issue, lambda errors: self._tokens_page(ctx, errors, ctx.form.values()))

    def _tokens_page(
        self,
        ctx: Ctx,
        errors: FormErrors,
        values: dict[str, str],
        *,
        secret: str | None = None,
    ) -> Response:
        tokens = partners.list_tokens(ctx.db, ctx.principal)
        response = ctx.render(
            "admin_tokens.html",
            status_code=400 if errors else 200,
            tokens=tokens,
            several_orgs=len(ctx.principal.org_ids) > 1 or ctx.principal.is_owner,
            org_names=load_by_ids(ctx.db, ctx.principal, Organization, {t.organization_id for t in tokens}),
            secret=secret,
            roles=[(r, ctx._(labels.ROLES.get(r, r))) for r in self._roles(ctx)],
            role_labels=labels.ROLES,
            errors=errors,
            values=values,
        )
        response.headers["cache-control"] = "no-store"
        return response

    def revoke(self, ctx: Ctx) -> Response:
        self._require_admin(ctx)
        partners.revoke_token(
            uow=ctx.uow, principal=ctx.principal, token_id=ctx.request.path_params["token_id"]
        )
        return ctx.redirect("/admin/tokens", ctx._("The token has been revoked."))
