"""The partner web portal (starlette routes, jinja2 templates, static files, de/en)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from portal.config import Settings


def web_routes(settings: Settings, sessions: sessionmaker[Session]) -> list[BaseRoute]:
    """Routes to mount in the app (filled in by the web portal issue)."""
    return []


def web_middleware(settings: Settings) -> list[Middleware]:
    return []
