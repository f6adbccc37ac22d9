"""The GraphQL API (strawberry) mounted at /graphql."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import BaseRoute

from portal.config import Settings


def graphql_routes(settings: Settings, sessions: sessionmaker[Session]) -> list[BaseRoute]:
    """Routes to mount in the app (filled in by the GraphQL issue)."""
    return []
