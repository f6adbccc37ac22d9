"""Login, logout and password change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import validation
from portal.db import unit_of_work
from portal.models.base import utcnow
from portal.partners import service as partners
from portal.partners.logins import LoginThrottle, revoke_session
from portal.web.core import MAX_FORM_BYTES, BodyTooLarge, Ctx, Web, read_form, unread
from portal.web.forms import FormErrors
from portal.web.labels import N_
from portal.web.sessions import (
    DEVICE_COOKIE,
    DEVICE_MAX_AGE,
    SESSION_MAX_AGE,
    SessionData,
    csrf_matches,
    device_cookie_value,
    device_of,
    origin_allowed,
    session_of,
)

LOGIN_FAILED = N_(
    "The e-mail address or the password is not correct, or there were too many attempts. "
    "Please try again in a few minutes."
)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def attempt_login(
    sessions: sessionmaker[Session],
    throttle: LoginThrottle,
    *,
    ip: str,
    email: str,
    password: str,
    device: str | None,
) -> tuple[int, int] | str:
    """A login attempt: the user id and session generation, or "throttled" or "failed".

    Two units of work, on purpose: the first writes the attempt down and commits, so that every
    concurrent attempt counts it (`LoginThrottle`); the second checks the limits and the
    password (argon2 takes ~50 ms: this runs off the event loop) and records the outcome."""
    with unit_of_work(sessions) as uow:
        reserved = throttle.reserve(uow.session, ip, email, device=device)
    with unit_of_work(sessions) as uow:
        if throttle.blocked(uow.session, ip, email, device=device):
            throttle.release(uow.session, reserved)
            return "throttled"
        user = partners.authenticate_password(uow.session, email, password)
        if user is None:
            return "failed"
        throttle.succeeded(uow.session, reserved, email, device=device)
        user.last_login_at = utcnow()
        return user.id, user.session_generation


class AuthViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    async def login_form(self, request: Request) -> Response:
        session = session_of(request)
        if session.uid is not None:
            return RedirectResponse("/", status_code=303)
        session.dirty = True  # the form needs the CSRF token in a cookie
        return self.web.render(request, "login.html", next=_safe_next(request.query_params.get("next")))

    async def login(self, request: Request) -> Response:
        session = session_of(request)
        if not origin_allowed(request):
            return unread(self.web.error_page(request, 403))
        try:
            form = await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=10)
        except BodyTooLarge:
            return unread(self.web.error_page(request, 413))
        email = str(form.get("email") or "").strip().lower()[:200]
        password = str(form.get("password") or "")[:1024]
        target = _safe_next(str(form.get("next") or "/"))
        token = form.get("csrf")
        if not origin_allowed(request) or not csrf_matches(
            session, token if isinstance(token, str) else None
        ):
            return self.web.error_page(request, 403)
        ip = request.client.host if request.client else "unknown"
        device = device_of(self.web.settings.secret_key, request.cookies.get(DEVICE_COOKIE), email)

        def failed(status: int) -> Response:
            session.dirty = True
            gettext = self.web.translations[request.scope.get("portal.locale", "en")].ugettext
            return self.web.render(
                request,
                "login.html",
                status_code=status,
                next=target,
                values={"email": email},
                errors=FormErrors(general=gettext(LOGIN_FAILED)),
            )

        found = await run_in_threadpool(
            attempt_login,
            self.web.sessions,
            self.web.throttle,
            ip=ip,
            email=email,
            password=password,
            device=device,
        )
        if found == "throttled":
            return failed(429)
        if isinstance(found, str):
            return failed(400)
        session.login(*found)
        response = RedirectResponse(target, status_code=303)
        secure = request.url.scheme == "https"
        response.set_cookie(
            DEVICE_COOKIE,
            device_cookie_value(self.web.settings.secret_key, email),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=secure,
        )
        return response

    async def logout(self, request: Request) -> Response:
        session = session_of(request)
        if not origin_allowed(request):
            return unread(self.web.error_page(request, 403))
        try:
            form = await read_form(request, max_bytes=MAX_FORM_BYTES, max_fields=5)
        except BodyTooLarge:
            return unread(self.web.error_page(request, 413))
        token = form.get("csrf")
        if not origin_allowed(request) or not csrf_matches(
            session, token if isinstance(token, str) else None
        ):
            return self.web.error_page(request, 403)
        if session.uid is not None:
            sid = session.sid

            def revoke() -> None:
                with unit_of_work(self.web.sessions) as uow:
                    revoke_session(uow.session, sid, lifetime=timedelta(seconds=SESSION_MAX_AGE))

            await run_in_threadpool(revoke)
        fresh = SessionData.new()
        request.scope["portal.session"] = fresh
        fresh.set_flash(
            self.web.translations[request.scope.get("portal.locale", "en")].ugettext(
                "You have been logged out."
            )
        )
        return RedirectResponse("/login", status_code=303)

    def password(self, ctx: Ctx) -> Response:
        if ctx.request.method == "GET":
            return ctx.render("password.html")

        def change() -> Response:
            from portal.errors import InvalidInput

            new = ctx.form.text("new_password")

            def check_length() -> None:
                if len(new) < partners.MIN_PASSWORD_LENGTH:
                    raise InvalidInput(
                        "new_password", f"must have at least {partners.MIN_PASSWORD_LENGTH} characters"
                    )

            def check_repeat() -> None:
                if new != ctx.form.text("new_password_repeat"):
                    raise InvalidInput("new_password_repeat", "the two new passwords differ")

            ctx.form.validate(  # every wrong field at once; the service checks them again
                lambda: validation.required_text("current_password", ctx.form.text("current_password")),
                check_length,
                check_repeat,
            )
            user = partners.change_password(
                uow=ctx.uow, principal=ctx.principal, current=ctx.form.text("current_password"), new=new
            )
            # The change bumped the session generation (every other session is dead now); this one
            # continues under a new id.
            ctx.session.login(user.id, user.session_generation)
            return ctx.redirect("/", ctx._("Your password has been changed."))

        return ctx.attempt(change, lambda errors: ctx.render("password.html", errors=errors))
