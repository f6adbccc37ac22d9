"""Who is calling, for every HTTP transport: the portal's session cookie or a Bearer token."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from portal.access import Principal


def principal_from_session_cookie(connection: HTTPConnection, session: Session) -> Principal | None:
    """The logged-in user's principal, or None: the cookie's signature, age, logout deny list, the
    user's active flag and session generation (bumped by a password change) are all checked."""
    from portal.web.core import user_principal
    from portal.web.sessions import SCOPE_KEY, SESSION_COOKIE, SessionData, read_session

    data = connection.scope.get(SCOPE_KEY)
    if not isinstance(data, SessionData):
        settings = getattr(connection.app.state, "settings", None) if "app" in connection.scope else None
        if settings is None:
            return None
        data = read_session(settings.secret_key, connection.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    found = user_principal(session, data)
    return found[1] if found else None
