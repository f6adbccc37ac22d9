"""Pages for people who are not logged in: "forgot password", the reset link, and accepting an
invitation; and the admins' invitation actions on the users page."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import validation
from portal.db import unit_of_work
from portal.errors import InvalidInput
from portal.partners import accounts
from portal.partners.accounts import LinkRefused
from portal.partners.logins import LoginThrottle
from portal.web.core import MAX_FORM_BYTES, BodyTooLarge, Ctx, Web, read_form, unread
from portal.web.forms import FormErrors, errors_from
from portal.web.labels import N_
from portal.web.sessions import csrf_matches, locale_of, origin_allowed, session_of

# Messages of the service shown on these pages, for the catalog (a test keeps them equal).
SERVICE_MESSAGES = (
    N_("This link is not valid. Please ask for a new one."),
    N_("This link has been used already. Please ask for a new one."),
    N_("This link has expired. Please ask for a new one."),
    N_("This invitation has been withdrawn. Please ask your administrator for a new one."),
    N_("This invitation has been accepted already: your account exists. Please log in."),
    N_("has an open invitation already: send it again or withdraw it"),
    N_("the two new passwords differ"),
)
PASSWORD_SET = N_("Your new password is set and every session has ended. Please log in.")
WELCOME = N_("Welcome! Your account is ready.")

TOO_MANY = N_("Too many requests. Please try again in a few minutes.")
# "Forgot password" answers take at least this long, whether or not the address has an account.
ANSWER_FLOOR_SECONDS = 0.3
# Requests per 10 minutes: per client address and per e-mail address.
RESET_LIMIT_PER_IP = 10
RESET_LIMIT_PER_ACCOUNT = 3


def base_url(web: Web, request: Request) -> str:
    """Where links in mails point: PORTAL_BASE_URL, else the address this request came to."""
    return web.settings.base_url or str(request.base_url).rstrip("/")


class AccountViews:
    def __init__(self, web: Web) -> None:
        self.web = web
        self.throttle = LoginThrottle(per_ip=RESET_LIMIT_PER_IP, per_account=RESET_LIMIT_PER_ACCOUNT)

    def _(self, request: Request, message: str, **variables: Any) -> str:
        text: str = self.web.translations[locale_of(request)].ugettext(message)
        return text % variables if variables else text

    async def _form(self, request: Request) -> FormData | Response:
        """The posted form of an anonymous page, or the answer refusing it (origin, size, CSRF)."""
        if not origin_allowed(request):
            return unread(self.web.error_page(request, 403))
        try:
            form = await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=10)
        except BodyTooLarge:
            return unread(self.web.error_page(request, 413))
        token = form.get("csrf")
        if not csrf_matches(session_of(request), token if isinstance(token, str) else None):
            return self.web.error_page(request, 403)
        return form

    def _page(self, request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
        session_of(request).dirty = True  # the form needs the CSRF token in a cookie
        response = self.web.render(request, template, status_code=status_code, **context)
        response.headers["cache-control"] = "no-store"
        return response

    # -- forgot password ---------------------------------------------------------------------
    async def forgot(self, request: Request) -> Response:
        if request.method == "GET":
            return self._page(request, "password_forgot.html", sent=False)
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        email = str(form.get("email") or "").strip().lower()[:200]
        try:
            validation.email("email", email, required=True)
        except InvalidInput as exc:
            errors = errors_from(exc, self.web.translations[locale_of(request)].ugettext, locale_of(request))
            return self._page(
                request,
                "password_forgot.html",
                status_code=400,
                sent=False,
                errors=errors,
                values={"email": email},
            )
        ip = request.client.host if request.client else "unknown"
        started = time.monotonic()
        outcome = await run_in_threadpool(
            self._request_reset,
            ip=ip,
            email=email,
            base=base_url(self.web, request),
            locale=locale_of(request),
        )
        await asyncio.sleep(max(0.0, ANSWER_FLOOR_SECONDS - (time.monotonic() - started)))
        if outcome == "throttled":
            return self._page(
                request,
                "password_forgot.html",
                status_code=429,
                sent=False,
                values={"email": email},
                errors=FormErrors(general=self._(request, TOO_MANY)),
            )
        return self._page(request, "password_forgot.html", sent=True)

    def _request_reset(self, *, ip: str, email: str, base: str, locale: str) -> str:
        """Throttled like the login (every request counts), then the mail is queued (or not)."""
        with unit_of_work(self.web.sessions) as uow:
            self.throttle.reserve(uow.session, f"reset:{ip}", f"reset:{email}")
        with unit_of_work(self.web.sessions) as uow:
            if self.throttle.blocked(uow.session, f"reset:{ip}", f"reset:{email}"):
                return "throttled"
            accounts.request_password_reset(uow.session, email=email, base_url=base, locale=locale)
        return "answered"

    # -- the reset link ----------------------------------------------------------------------
    def _refused(self, request: Request, reason: str, *, invitation: bool = False) -> Response:
        return self._page(
            request,
            "link_refused.html",
            status_code=410
            if reason in {accounts.LINK_EXPIRED, accounts.LINK_USED, accounts.INVITATION_USED}
            else 400,
            reason=self._(request, reason),
            invitation=invitation,
            account_exists=reason == accounts.INVITATION_USED,
        )

    async def reset(self, request: Request) -> Response:
        token = request.path_params["token"]

        def look() -> tuple[str, str | None]:
            """(the account's e-mail, None), or ("", why the link is refused)."""
            with unit_of_work(self.web.sessions, read_only=True) as uow:
                try:
                    return accounts.check_reset_link(uow.session, token).email, None
                except LinkRefused as exc:
                    return "", exc.message

        email, refusal = await run_in_threadpool(look)
        if refusal is not None:
            return self._refused(request, refusal)
        if request.method == "GET":
            return self._page(request, "password_reset.html", email=email, token=token)
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        password = str(form.get("password") or "")[:1024]
        repeat = str(form.get("password_repeat") or "")[:1024]

        def act() -> tuple[str, Any]:
            if password != repeat:
                return "invalid", InvalidInput("password_repeat", "the two new passwords differ")
            try:
                with unit_of_work(self.web.sessions) as uow:
                    accounts.reset_password(uow=uow, token=token, password=password)
            except LinkRefused as exc:
                return "refused", exc.message
            except InvalidInput as exc:
                return "invalid", exc
            return "done", None

        outcome, detail = await run_in_threadpool(act)
        if outcome == "refused":
            return self._refused(request, detail)
        if outcome == "invalid":
            errors = errors_from(
                detail, self.web.translations[locale_of(request)].ugettext, locale_of(request)
            )
            return self._page(
                request, "password_reset.html", status_code=400, email=email, token=token, errors=errors
            )
        session = session_of(request)
        session.uid = None  # whoever was logged in in this browser: the new password is used from now
        session.set_flash(self._(request, PASSWORD_SET))
        return RedirectResponse("/login", status_code=303)

    # -- accepting an invitation -------------------------------------------------------------
    async def invitation(self, request: Request) -> Response:
        token = request.path_params["token"]

        def look() -> dict[str, str] | str:
            with unit_of_work(self.web.sessions, read_only=True) as uow:
                try:
                    invitation = accounts.check_invitation(uow.session, token)
                except LinkRefused as exc:
                    return exc.message
                from portal.models import Organization

                org = uow.session.get_one(Organization, invitation.organization_id)
                return {"name": invitation.name, "email": invitation.email, "organization": org.name}

        found = await run_in_threadpool(look)
        if isinstance(found, str):
            return self._refused(request, found, invitation=True)
        if request.method == "GET":
            return self._page(request, "invitation.html", invitation=found, token=token)
        form = await self._form(request)
        if isinstance(form, Response):
            return form
        password = str(form.get("password") or "")[:1024]
        repeat = str(form.get("password_repeat") or "")[:1024]

        def act() -> tuple[str, Any]:
            if password != repeat:
                return "invalid", InvalidInput("password_repeat", "the two new passwords differ")
            try:
                with unit_of_work(self.web.sessions) as uow:
                    user = accounts.accept_invitation(uow=uow, token=token, password=password)
                    return "done", (user.id, user.session_generation)
            except LinkRefused as exc:
                return "refused", exc.message
            except InvalidInput as exc:
                return "invalid", exc

        outcome, detail = await run_in_threadpool(act)
        if outcome == "refused":
            return self._refused(request, detail, invitation=True)
        if outcome == "invalid":
            errors = errors_from(
                detail, self.web.translations[locale_of(request)].ugettext, locale_of(request)
            )
            return self._page(
                request, "invitation.html", status_code=400, invitation=found, token=token, errors=errors
            )
        session = session_of(request)
        session.login(*detail)
        session.set_flash(self._(request, WELCOME))
        return RedirectResponse("/", status_code=303)


class InvitationAdminViews:
    """POST /admin/invitations (invite), /admin/invitations/{id}/resend and /revoke."""

    def __init__(self, web: Web, users_page: Callable[..., Response]) -> None:
        self.web = web
        self.users_page = users_page

    def invite(self, ctx: Ctx) -> Response:
        def act() -> Response:
            ctx.form.validate(
                lambda: validation.required_text("name", ctx.form.text("name")),
                lambda: validation.email("email", ctx.form.text("email"), required=True),
            )
            sent = accounts.invite_user(
                uow=ctx.uow,
                principal=ctx.principal,
                organization_id=ctx.principal.org_id,
                email=ctx.form.text("email"),
                name=ctx.form.text("name"),
                roles={ctx.form.text("roles")},
                locale=ctx.form.text("locale") or ctx.locale,
                base_url=base_url(self.web, ctx.request),
            )
            return ctx.redirect(
                "/admin/users",
                ctx._("An invitation has been sent to %(email)s.", email=sent.invitation.email),
            )

        return ctx.attempt(
            act, lambda errors: self.users_page(ctx, invite_errors=errors, invite_values=ctx.form.values())
        )

    def resend(self, ctx: Ctx) -> Response:
        def act() -> Response:
            sent = accounts.resend_invitation(
                uow=ctx.uow,
                principal=ctx.principal,
                invitation_id=int(ctx.request.path_params["invitation_id"]),
                base_url=base_url(self.web, ctx.request),
            )
            return ctx.redirect(
                "/admin/users",
                ctx._("The invitation has been sent again to %(email)s.", email=sent.invitation.email),
            )

        return ctx.attempt(act, lambda errors: self.users_page(ctx, access_error=errors.general))

    def revoke(self, ctx: Ctx) -> Response:
        def act() -> Response:
            invitation = accounts.revoke_invitation(
                uow=ctx.uow,
                principal=ctx.principal,
                invitation_id=int(ctx.request.path_params["invitation_id"]),
            )
            return ctx.redirect(
                "/admin/users",
                ctx._("The invitation to %(email)s has been withdrawn.", email=invitation.email),
            )

        return ctx.attempt(act, lambda errors: self.users_page(ctx, access_error=errors.general))
