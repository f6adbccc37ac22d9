"""/graphql: the checks in front of strawberry, then strawberry's ASGI view.

Order of checks for HTTP: method and size of the body (413), credentials (401), the caller's rate
budget (429), a place among the worker's in-flight operations (503 when the queue is full), then
one session (the unit of work) for the operation. Every refusal is a GraphQL-shaped JSON body with
``extensions.code``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from portal.access import Principal
from portal.auth import principal_from_session_cookie
from portal.config import Settings
from portal.db import unit_of_work
from portal.errors import Unauthenticated
from portal.gql.context import Context
from portal.gql.limits import Limits, RateBudget
from portal.gql.schema import build_schema
from portal.models import OrgKind
from portal.models.base import utcnow
from portal.partners.queries import TokenGrant, token_grant
from portal.partners.service import authenticate_token

LAST_USE_GRANULARITY = timedelta(minutes=1)

# Sees nothing until connection_init authenticates a WebSocket (no organization, no role).
NOBODY = Principal(org_id=0, org_kind=OrgKind.SUPPLIER, org_ids=frozenset(), roles=frozenset(), name="nobody")


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status, headers
    )


def authenticate(
    connection: HTTPConnection, session: Session, sessions: sessionmaker[Session], bearer: str | None = None
) -> Principal:
    """Bearer token or the portal's session cookie; Unauthenticated otherwise.

    A valid token whose use was recorded less than a minute ago costs one indexed read (token and
    organization) in the operation's own session; anything else (unknown, revoked or expired, or a
    use to record) goes through the service in a unit of work of its own, at most once a minute per
    token: one write transaction per request would serialise every API call on SQLite."""
    header = bearer or connection.headers.get("authorization")
    if header:
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise Unauthenticated("use the header 'Authorization: Bearer <token>'")
        now = utcnow()
        grant = token_grant(session, secret)
        if (
            grant is not None
            and grant.valid_at(now)
            and grant.last_used_at is not None
            and now - grant.last_used_at < LAST_USE_GRANULARITY
        ):
            return _token_principal(session, grant)
        with unit_of_work(sessions) as uow:
            principal = authenticate_token(uow.session, secret, now=now)
        if grant is not None:
            _remember(grant, principal)
        return principal
    user = principal_from_session_cookie(connection, session)
    if user is None:
        raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>' or log in")
    return user


PRINCIPAL_TTL = 60.0
_PRINCIPALS: dict[tuple[object, ...], tuple[float, Principal]] = {}


def _token_principal(session: Session, grant: TokenGrant) -> Principal:
    """The grant's principal; the organization tree below it is cached for a minute per process (as
    the portal does for users). The token itself is read on every request: revoking it takes effect
    at once."""
    cached = _PRINCIPALS.get((grant.token_id, grant.organization_id, grant.org_kind, grant.roles, grant.name))
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return _remember(grant, grant.principal(session))


def _remember(grant: TokenGrant, principal: Principal) -> Principal:
    if len(_PRINCIPALS) > 10_000:
        _PRINCIPALS.clear()
    key = (grant.token_id, grant.organization_id, grant.org_kind, grant.roles, grant.name)
    _PRINCIPALS[key] = (time.monotonic() + PRINCIPAL_TTL, principal)
    return principal


class _View(GraphQL[Context, None]):
    def __init__(self, endpoint: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(endpoint.schema, **kwargs)
        self.endpoint = endpoint

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws messages must go out as text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # orjson.JSONDecodeError is a json.JSONDecodeError

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        # Only WebSockets get here (HTTP passes its context to run()): authenticated at connection_init.
        e = self.endpoint
        return Context(
            request=request, principal=NOBODY, session=e.sessions(), sessions=e.sessions, limits=e.limits
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        bearer = params.get("authorization") or params.get("Authorization")
        try:
            principal = authenticate(
                context.request,
                context.session,
                self.endpoint.sessions,
                bearer if isinstance(bearer, str) else None,
            )
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": exc.message, "code": exc.code}) from exc
        context.principal = principal
        context.__post_init__()  # fresh loaders for the authenticated principal
        return None


class GraphQLEndpoint:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], limits: Limits | None = None
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.limits = limits or Limits()
        self.schema = build_schema(self.limits, introspection=settings.graphql_introspection)
        self.view = _View(
            self,
            graphql_ide="graphiql" if settings.demo else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=10,
        )
        self.budget = RateBudget(self.limits.rate_capacity, self.limits.rate_per_second)
        self._slots: asyncio.Semaphore | None = None
        self._waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            response = await self._http(Request(scope, receive))
            await response(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive=receive, send=send)
        if GRAPHQL_TRANSPORT_WS_PROTOCOL not in scope.get("subprotocols", ()):
            await ws.close(code=1002, reason="only the graphql-transport-ws protocol is spoken here")
            return
        context = await self.view.get_context(ws, ws)
        try:
            await self.view.run(ws, context=context)
        finally:
            context.session.close()

    async def _http(self, request: Request) -> Response:
        if request.method == "GET" and self.settings.demo and "query" not in request.query_params:
            return await self.view.render_graphql_ide(request)  # GraphiQL, a static page
        if request.method != "POST":
            return error_response(405, "METHOD_NOT_ALLOWED", "send GraphQL operations with POST")
        body = await self._read_body(request)
        if body is None:
            return error_response(
                413, "REQUEST_TOO_LARGE", f"the request body exceeds {self.limits.max_body_bytes} bytes"
            )
        # One session for the operation (its unit of work), opened for authentication already.
        session = self.sessions()
        try:
            try:
                # Synchronous on purpose: one indexed read (and a write at most once a minute) costs
                # less than a hop to a thread and back.
                principal = authenticate(request, session, self.sessions)
            except Unauthenticated as exc:
                return error_response(
                    401, exc.code, exc.message, {"WWW-Authenticate": 'Bearer realm="graphql"'}
                )
            key = (
                f"token:{principal.token_id}"
                if principal.token_id is not None
                else f"user:{principal.user_id}"
            )
            wait = self.budget.take(key)
            if wait:
                return error_response(
                    429,
                    "RATE_LIMITED",
                    f"rate budget exhausted; retry in {wait:.1f} s",
                    {"Retry-After": str(int(wait) + 1)},
                )
            context = Context(
                request=request,
                principal=principal,
                session=session,
                sessions=self.sessions,
                limits=self.limits,
            )
            # A queued operation holds no database connection while it waits.
            return await self._in_slot(lambda: self._view(request, context), before_waiting=session.close)
        finally:
            session.close()

    async def _in_slot(
        self, call: Callable[[], Awaitable[Response]], before_waiting: Callable[[], None] = lambda: None
    ) -> Response:
        """At most ``max_in_flight`` operations run at once; up to ``max_queued`` wait their turn
        (first come, first served); more are refused at once rather than slowing everyone down."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limits.max_in_flight)
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: no suspension
        else:
            if self._waiting >= self.limits.max_queued:
                return error_response(503, "OVERLOADED", "too many operations in progress; retry shortly")
            before_waiting()
            self._waiting += 1
            try:
                await asyncio.wait_for(self._slots.acquire(), self.limits.queue_timeout)
            except TimeoutError:
                return error_response(503, "OVERLOADED", "too many operations in progress; retry shortly")
            finally:
                self._waiting -= 1
        try:
            return await call()
        finally:
            self._slots.release()

    async def _view(self, request: Request, context: Context) -> Response:
        try:
            return await self.view.run(request, context=context)
        except HTTPException as exc:
            return error_response(exc.status_code, "BAD_REQUEST", exc.reason)

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, or None when it is larger than allowed (read no further than the limit)."""
        limit = self.limits.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        body = b"".join(chunks)
        request._body = body  # strawberry reads the body again through the request
        return body
