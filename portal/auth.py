"""Who is calling, for every HTTP transport: the portal's session cookie or a Bearer token.

The one place where a request's credentials become a :class:`~portal.access.Principal`, for the
portal's pages and for the API alike. The principal is resolved from the database on every request
(:func:`portal.access.user_principal`, :func:`portal.access.token_standing`: one statement each,
credential and organization tree together) and never cached, so any change of the organization
tree, a user's roles or standing, or a token takes effect on the next request in every process.

The session cookie holds a signed (itsdangerous) payload: a random session id, the user id, the
user's ``session_generation`` and the CSRF token. Nothing secret is in it, and nothing in it is
trusted without the signature. The portal (``portal.web.sessions``) writes it; every transport
reads it here.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from portal.access import Principal, token_standing, user_principal
from portal.db import unit_of_work
from portal.errors import Unauthenticated
from portal.models.base import utcnow
from portal.origins import foreign_origin
from portal.partners.service import authenticate_token
from portal.security import hash_token

SESSION_COOKIE = "portal_session"
SESSION_MAX_AGE = 12 * 3600
SCOPE_KEY = "portal.session"
LAST_USE_GRANULARITY = timedelta(minutes=1)
# Also a WebSocket close reason: at most 123 bytes.
CROSS_ORIGIN = "the session cookie counts only on the portal's own pages; API clients send a Bearer token"


@dataclass
class SessionData:
    sid: str
    csrf: str
    uid: int | None = None
    gen: int = 0
    flash: str | None = None
    secret: str | None = None  # a just-issued API token, shown once after the redirect
    dirty: bool = False
    clear: bool = False

    @classmethod
    def new(cls) -> SessionData:
        return cls(sid=secrets.token_urlsafe(18), csrf=secrets.token_urlsafe(24), dirty=True)

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"sid": self.sid, "csrf": self.csrf}
        if self.uid is not None:
            data |= {"uid": self.uid, "gen": self.gen}
        if self.flash:
            data["flash"] = self.flash
        if self.secret:
            data["secret"] = self.secret
        return data

    def login(self, user_id: int, generation: int) -> None:
        """A new id and a new CSRF token at every login (no session fixation)."""
        self.sid, self.csrf = secrets.token_urlsafe(18), secrets.token_urlsafe(24)
        self.uid, self.gen, self.dirty = user_id, generation, True

    def pop_flash(self) -> str | None:
        message, self.flash = self.flash, None
        if message:
            self.dirty = True
        return message

    def set_flash(self, message: str) -> None:
        self.flash, self.dirty = message, True

    def pop_secret(self) -> str | None:
        """A secret to show once on the next page (post-redirect-get: a reload cannot repeat
        the POST that made it, and the next page load clears it from the signed cookie)."""
        secret, self.secret = self.secret, None
        if secret:
            self.dirty = True
        return secret


def serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="portal.session")


def read_session(secret_key: str, raw: str | None) -> SessionData | None:
    if not raw:
        return None
    verified = _VERIFIED.get((secret_key, raw))
    if verified is not None and time.time() - verified[0] <= SESSION_MAX_AGE:
        data: Any = verified[1]
    else:
        try:
            data, signed_at = serializer(secret_key).loads(
                raw, max_age=SESSION_MAX_AGE, return_timestamp=True
            )
        except BadSignature:
            return None
        if len(_VERIFIED) >= 4096:
            _VERIFIED.clear()
        _VERIFIED[(secret_key, raw)] = (signed_at.timestamp(), data)
    # A logged-out sid is refused by session_principal, which reads the shared revoked_sessions
    # table along with the user's standing.
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        return None
    uid = data.get("uid")
    return SessionData(
        sid=data["sid"],
        csrf=str(data.get("csrf", "")),
        uid=uid if isinstance(uid, int) else None,
        gen=int(data.get("gen", 0)),
        flash=data.get("flash") if isinstance(data.get("flash"), str) else None,
        secret=data.get("secret") if isinstance(data.get("secret"), str) else None,
    )


# Cookies whose signature was verified, with their signing time and payload: a browser sends the
# same cookie on every request, and checking the HMAC again each time is a tenth of a small page.
# The key is the exact cookie text, so only a cookie that was itself verified can hit; its age is
# still checked on every use. The payload is read-only here (a fresh SessionData each time).
# (A cache of what the cookie says, not of what the database says: nothing here outlives a change.)
_VERIFIED: dict[tuple[str, str], tuple[float, Any]] = {}


def session_principal(session: Session, data: SessionData) -> Principal | None:
    """The principal of a signed session if it still stands (user active, same session generation,
    not logged out), resolved now: see :func:`portal.access.user_principal`."""
    if data.uid is None:
        return None
    return user_principal(session, data.uid, sid=data.sid, generation=data.gen)


def principal_from_session_cookie(connection: HTTPConnection, session: Session) -> Principal | None:
    """The logged-in user's principal, or None: the cookie's signature, age, logout deny list, the
    user's active flag and session generation (bumped by a password change) are all checked."""
    data = connection.scope.get(SCOPE_KEY)
    if not isinstance(data, SessionData):
        settings = getattr(connection.app.state, "settings", None) if "app" in connection.scope else None
        if settings is None:
            return None
        data = read_session(settings.secret_key, connection.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    return session_principal(session, data)


def authenticate(
    connection: HTTPConnection, session: Session, sessions: sessionmaker[Session], bearer: str | None = None
) -> Principal:
    """Bearer token or the portal's session cookie; Unauthenticated otherwise. The cookie counts
    only when the request has no Origin or the portal's own (`portal.origins`).

    A valid token whose use was recorded less than a minute ago costs one indexed read (token,
    organization and the organizations below it) in the operation's own session; anything else
    (unknown, revoked or expired, or a use to record) goes through the service in a unit of work of
    its own, at most once a minute per token: one write transaction per request would serialise
    every API call on SQLite."""
    header = bearer or connection.headers.get("authorization")
    if header:
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise Unauthenticated("use the header 'Authorization: Bearer <token>'")
        now = utcnow()
        standing = token_standing(session, hash_token(secret))
        if (
            standing is not None
            and standing.valid_at(now)
            and standing.last_used_at is not None
            and now - standing.last_used_at < LAST_USE_GRANULARITY
        ):
            return standing.principal
        with unit_of_work(sessions) as uow:
            return authenticate_token(uow.session, secret, now=now)
    if foreign_origin(connection) is not None:
        # A page of another site (a sibling subdomain gets even SameSite cookies) must not act with
        # the user's session: cross-site request forgery, and on WebSockets cross-site hijacking.
        raise Unauthenticated(CROSS_ORIGIN)
    user = principal_from_session_cookie(connection, session)
    if user is None:
        raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>' or log in")
    return user
