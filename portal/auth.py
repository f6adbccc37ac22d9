"""Who is calling, for every HTTP transport: the portal's session cookie or a Bearer token."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from portal.access import Principal


def principal_from_session_cookie(connection: HTTPConnection, session: Session) -> Principal | None:
    """The logged-in user's principal, or None. (Filled in by the web portal issue.)"""
    return None
