"""The GraphQL API (strawberry) mounted at /graphql."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import BaseRoute, Route, WebSocketRoute

from portal.config import Settings
from portal.gql.endpoint import GraphQLEndpoint
from portal.gql.limits import Limits

__all__ = ["GraphQLEndpoint", "Limits", "graphql_routes"]


def graphql_routes(
    settings: Settings, sessions: sessionmaker[Session], limits: Limits | None = None
) -> list[BaseRoute]:
    """Routes to mount in the app: /graphql for HTTP and graphql-transport-ws."""
    endpoint = GraphQLEndpoint(settings, sessions, limits or Limits.for_settings(settings))
    return [
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", endpoint),
    ]
