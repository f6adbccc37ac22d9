"""The ASGI application: routes, /graphql, middleware, lifespan."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress

from anyio import to_thread
from sqlalchemy import Engine, text
from sqlalchemy.pool import QueuePool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal.config import Settings
from portal.db import make_engine, make_sessionmaker
from portal.gql import graphql_routes
from portal.heap import settle_heap
from portal.routing import IndexedRouter
from portal.web import web_middleware, web_routes

log = logging.getLogger("portal")
SWITCH_INTERVAL = 0.001


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)

    health = Health(engine)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settle_heap()
        # GraphQL operations and pages run in worker threads; the event loop (/healthz, static
        # files, every request's start) waits for the GIL at most this long per switch instead of
        # the default 5 ms, several times per request under CPU-bound load.
        sys.setswitchinterval(SWITCH_INTERVAL)
        # Every page, form, download and CSV chunk reads the database in anyio's worker threads
        # (never on the event loop). As many threads as the connection pool holds connections:
        # more would only queue inside the pool, holding a thread each (docs/deploy.md).
        to_thread.current_default_thread_limiter().total_tokens = web_threads(engine)
        yield
        health.close()
        engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        if await health.database_ok():
            return JSONResponse({"status": "ok", "database": engine.dialect.name})
        # Neither host nor driver message: anyone may call this. The log has the details.
        return JSONResponse(
            {"status": "error", "database": engine.dialect.name, "detail": "the database does not answer"},
            status_code=503,
        )

    sessions = make_sessionmaker(engine)
    routes = [
        Route("/healthz", healthz),
        *graphql_routes(settings, sessions),
        *web_routes(settings, sessions),
    ]
    app = Starlette(debug=settings.debug, middleware=web_middleware(settings))
    app.router = IndexedRouter(routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    return app


MIN_WEB_THREADS = 4


def web_threads(engine: Engine) -> int:
    """The size of the web's thread pool: the connection pool's capacity (``pool_size`` plus
    ``max_overflow``: 15 with SQLAlchemy's defaults), at least `MIN_WEB_THREADS`; anyio's own
    default is 40."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        return max(MIN_WEB_THREADS, pool.size() + max(0, pool._max_overflow))
    return 40


def serve_app() -> Starlette:
    """The application of each process of `portal serve --workers N`: uvicorn starts the processes
    and imports this by name in each, so each reads the settings (and the data folder's session key,
    which the parent made before starting them) and opens its own database pool."""
    return create_app(Settings.from_env().for_serving())


class Health:
    """The database's health for /healthz, which must answer within milliseconds whatever the
    load: a probe (``SELECT 1``) runs in a thread of its own at most once a second, and /healthz
    answers from the last one without waiting (except for the very first). A probe still waiting
    after :attr:`STALE` seconds (a hanging database, an exhausted pool) counts as a failure."""

    EVERY = 1.0
    FIRST_WAIT = 2.0  # before the first answer of the database (start-up)
    STALE = 5.0

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.ok: bool | None = None
        self.finished_at = 0.0
        self._started_at = 0.0
        self._probe: Future[bool] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="healthz")

    def _check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # health checks report, they do not raise
            if self.ok is not False:
                log.warning("health check: the database does not answer", exc_info=True)
            return False
        return True

    def _done(self, probe: Future[bool]) -> None:
        if probe.cancelled():  # shut down before it ran
            return
        self.ok = probe.result()
        self.finished_at = time.monotonic()

    async def database_ok(self) -> bool:
        now = time.monotonic()
        probe = self._probe
        if (probe is None or probe.done()) and now - self.finished_at >= self.EVERY:
            probe = self._probe = self._thread.submit(self._check)
            probe.add_done_callback(self._done)
            self._started_at = now
        if probe is None or probe.done():
            return self.ok is True
        if self.ok is None:  # start-up: no answer yet, wait a little for the first one
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(probe)), self.FIRST_WAIT)
            return probe.done() and probe.result()
        # A probe is under way: the last answer stands, unless the probe hangs.
        return self.ok and now - self._started_at < self.STALE

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)
