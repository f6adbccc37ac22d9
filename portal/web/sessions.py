"""Signed session cookies, CSRF tokens, the language cookie and the login throttle.

The session cookie holds a signed (itsdangerous) payload: a random session id, the user id, the
user's ``session_generation`` and the CSRF token. Nothing secret is in it, and nothing in it is
trusted without the signature. The session id rotates at login; a logged-out id is refused until
the cookie would have expired anyway; a password change bumps ``users.session_generation``, which
kills every session of that user in every process.

The logout deny list and the login throttle's counters live in the database (``revoked_sessions``,
``login_failures``; see ``portal.partners.logins``), so every server process agrees on them.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The cookie's format is read by every transport (portal.auth); the portal writes it here.
from portal.auth import SCOPE_KEY as SCOPE_KEY
from portal.auth import SESSION_COOKIE as SESSION_COOKIE
from portal.auth import SESSION_MAX_AGE as SESSION_MAX_AGE
from portal.auth import SessionData as SessionData
from portal.auth import read_session as read_session
from portal.auth import serializer as serializer
from portal.origins import is_own, settings_of, trusted_origins
from portal.security_headers import SECURITY_HEADERS
from portal.web.i18n import LOCALES, negotiate

DEVICE_COOKIE = "portal_device"
LANG_COOKIE = "portal_lang"
DEVICE_MAX_AGE = 180 * 24 * 3600
LOCALE_KEY = "portal.locale"


def session_of(connection: HTTPConnection) -> SessionData:
    session = connection.scope.get(SCOPE_KEY)
    if not isinstance(session, SessionData):  # the middleware is not installed (tests of parts)
        session = SessionData.new()
        connection.scope[SCOPE_KEY] = session
    return session


def locale_of(connection: HTTPConnection) -> str:
    locale = connection.scope.get(LOCALE_KEY)
    return locale if isinstance(locale, str) else "en"


def csrf_matches(session: SessionData, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf.encode(), (token or "").encode())


def origin_allowed(connection: HTTPConnection) -> bool:
    """A state-changing request must come from our own pages: the Origin (or, failing that, the
    Referer) names this host or a configured origin (`portal.origins`). Requests without either
    (old clients, tests) rely on the CSRF token."""
    host = connection.headers.get("host", "")
    for header in ("origin", "referer"):
        value = connection.headers.get(header)
        if value:
            return is_own(value, host, trusted_origins(settings_of(connection)))
    return True


# Static files and the icon are the same for everyone: caches may keep them.
CACHEABLE = ("/static/", "/favicon.ico")
HSTS = "max-age=31536000"


class WebSessionMiddleware:
    """Reads the session and language cookies into the scope and writes them back when changed.
    Cookies are HttpOnly and SameSite=Lax, and Secure when the request came over HTTPS (behind a
    proxy: `portal serve` takes the scheme from X-Forwarded-Proto only from the proxies named in
    PORTAL_TRUST_PROXY); HTTPS responses carry HSTS. Logged-in responses are not cached
    (``Cache-Control: no-store``). HEAD runs as GET and its body is dropped."""

    def __init__(self, app: ASGIApp, secret_key: str) -> None:
        self.app = app
        self.secret_key = secret_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            # HEAD is GET without the body, everywhere: a route serving GET and POST must never
            # take a HEAD down its POST branch (which would skip the CSRF check).
            scope = {**scope, "method": "GET"}
        connection = HTTPConnection(scope)
        session = read_session(self.secret_key, connection.cookies.get(SESSION_COOKIE))
        if session is None:
            session = SessionData.new()
            # Only pages that show a form need an anonymous cookie; they mark it dirty themselves.
            session.dirty = False
            session.clear = SESSION_COOKIE in connection.cookies
        scope[SCOPE_KEY] = session
        chosen = connection.query_params.get("lang")
        cookie_locale = connection.cookies.get(LANG_COOKIE)
        if chosen in LOCALES:
            locale = chosen
        elif cookie_locale in LOCALES:
            locale = str(cookie_locale)
            chosen = None
        else:
            locale = negotiate(connection.headers.get("accept-language"))
            chosen = None
        scope[LOCALE_KEY] = locale
        secure = scope.get("scheme") == "https"
        portal_path = str(scope.get("path", ""))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                current = scope.get(SCOPE_KEY, session)  # logout puts a fresh session in the scope
                if current.dirty:
                    value = serializer(self.secret_key).dumps(current.payload())
                    headers.append(
                        "set-cookie", f"{SESSION_COOKIE}={value}; Max-Age={SESSION_MAX_AGE}{flags}"
                    )
                elif current.clear:
                    headers.append("set-cookie", f"{SESSION_COOKIE}=; Max-Age=0{flags}")
                if chosen:
                    headers.append("set-cookie", f"{LANG_COOKIE}={chosen}; Max-Age=31536000{flags}")
                # /graphql serves its own IDE page (which loads its scripts itself): the portal's
                # strict policy would break it.
                if not portal_path.startswith("/graphql"):
                    for name, value_bytes in SECURITY_HEADERS:
                        if name.decode() not in headers:
                            headers.append(name.decode(), value_bytes.decode())
                headers.add_vary_header("Cookie")
                if current.uid is not None and not portal_path.startswith(CACHEABLE):
                    # A logged-in page or export: no copy in the browser's or a proxy's cache.
                    headers.setdefault("cache-control", "no-store")
                if secure:
                    headers.setdefault("strict-transport-security", HSTS)
            elif head and message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, send_wrapper)


def device_cookie_value(secret_key: str, account: str) -> str:
    """Marks a browser where ``account`` (an e-mail) logged in successfully; a random id names
    this cookie, so that the login throttle can count each device's failures on its own."""
    payload = {"acct": account, "dev": secrets.token_urlsafe(12)}
    return URLSafeTimedSerializer(secret_key, salt="portal.device").dumps(payload)


def device_of(secret_key: str, raw: str | None, account: str) -> str | None:
    """The id of a valid device cookie issued for ``account``, else None (an unknown browser)."""
    if not raw:
        return None
    try:
        data = URLSafeTimedSerializer(secret_key, salt="portal.device").loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("acct") != account:
        return None
    device = data.get("dev")
    return device if isinstance(device, str) and device else None
