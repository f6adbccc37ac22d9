"""The ASGI application: routes, /graphql, middleware, lifespan."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal.config import Settings
from portal.db import make_engine, make_sessionmaker
from portal.gql import graphql_routes
from portal.web import web_middleware, web_routes


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settle_heap()
        yield
        engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # health checks report, they do not raise
            return JSONResponse(
                {"status": "error", "database": engine.dialect.name, "detail": str(exc)[:200]},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": engine.dialect.name})

    sessions = make_sessionmaker(engine)
    routes = [
        Route("/healthz", healthz),
        *graphql_routes(settings, sessions),
        *web_routes(settings, sessions),
    ]
    app = Starlette(
        debug=settings.debug, routes=routes, middleware=web_middleware(settings), lifespan=lifespan
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    return app


def settle_heap() -> None:
    """Once the application is built: collect, then move everything alive (modules, routes,
    compiled templates, the GraphQL schema) out of the garbage collector's sight. Collections
    during requests then scan only what requests allocate; under load this cut the API's p99
    latency by half here."""
    gc.collect()
    gc.freeze()
