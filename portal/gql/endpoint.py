"""/graphql: the checks in front of strawberry, then strawberry's ASGI view.

Order of checks for HTTP: method and size of the body (413), a place among the worker's in-flight
operations (503 when the queue is full), then, in a worker thread, one unit of work with a deadline
for credentials (401), the caller's rate budget (429) and the operation. The unit of work is opened
and ended here, not in a strawberry extension: read-only unless the operation is a mutation (the
writes of a query are refused), committed when a mutation ran without errors, else rolled back. No
database work runs on the event loop: web pages, /healthz and other operations go on while an
operation waits for the database. A database that does not answer gives 503 SERVICE_UNAVAILABLE.
Every refusal is a GraphQL-shaped JSON body with ``extensions.code``.

WebSockets (graphql-transport-ws, subscriptions only): authenticated at ``connection_init`` in a
short session of its own, closed at once, so an open connection holds no database connection. A
token (in the payload or the handshake's Authorization header) counts from any origin; the session
cookie only from the portal's own (`portal.origins`; else closed with 4403: cross-site WebSocket
hijacking).
Connections are capped per process and per token, subscriptions per connection and per token.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from portal.access import Principal
from portal.auth import authenticate
from portal.config import Settings
from portal.db import UnitOfWork, WriteInReadOnlyUnit, bound, failure_of, unit_of_work
from portal.errors import Conflict, ServiceUnavailable, Unauthenticated
from portal.exchange.upload import MAX_UPLOAD_BYTES
from portal.gql.context import Context
from portal.gql.errors import public_message
from portal.gql.limits import Limits, RateBudget
from portal.gql.schema import build_schema
from portal.gql.subscriptions import Ticker
from portal.models import OrgKind
from portal.security_headers import SECURITY_HEADERS

log = logging.getLogger("portal.gql")
GRAPHIQL_PAGE = Path(__file__).resolve().parents[1] / "web" / "static" / "graphiql" / "index.html"
# The portal pages' headers (the portal's middleware skips /graphql).
GRAPHIQL_HEADERS = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}

# Set by the view when strawberry has the operation's result: whether it ran without errors.
SUCCEEDED = "portal.graphql.succeeded"
# Sees nothing until connection_init authenticates a WebSocket (no organization, no role).
NOBODY = Principal(org_id=0, org_kind=OrgKind.SUPPLIER, org_ids=frozenset(), roles=frozenset(), name="nobody")


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status, headers
    )


class _Refused(Exception):
    """Close the WebSocket with this code and a reason the client can act on."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        # A close frame holds at most 123 bytes of reason; a longer one fails to send at all.
        self.reason = reason.encode()[:123].decode(errors="ignore")


def principal_key(principal: Principal) -> str:
    return f"token:{principal.token_id}" if principal.token_id is not None else f"user:{principal.user_id}"


class _TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's graphql-transport-ws handler, plus: a refusal at connection_init closes with its
    own code and reason; only subscriptions are accepted (queries and mutations go over HTTP, where
    they run in a worker thread under the in-flight cap); the caller's subscriptions are capped
    across all its connections."""

    view: _View

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        self.context.handler = self  # on_ws_connect registers the connection under its principal
        try:
            await super().handle_connection_init(message)
        except _Refused as exc:
            await self.websocket.close(code=exc.code, reason=exc.reason)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and message.get("id") not in self.operations:
            refusal = self._refusal(message)
            if refusal is not None:
                error = GraphQLError(refusal[1], extensions={"code": refusal[0]})
                await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
                return
        await super().handle_subscribe(message)

    def _refusal(self, message: SubscribeMessage) -> tuple[str, str] | None:
        payload = message.get("payload")
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str):
            return None  # strawberry closes the connection: not a valid subscribe message
        try:
            document = parse(query)
        except GraphQLError:
            return None  # strawberry closes the connection with the syntax error
        operation = get_operation_ast(document, payload.get("operationName"))
        if operation is not None and operation.operation is not OperationType.SUBSCRIPTION:
            return (
                "BAD_REQUEST",
                "only subscriptions are served over WebSocket; send queries and mutations with POST",
            )
        sockets = self.view.endpoint.sockets
        limits = self.view.endpoint.limits
        if sockets.subscriptions() >= limits.max_subscriptions:
            return "TOO_MANY_SUBSCRIPTIONS", "the server holds too many subscriptions; retry later"
        limit = limits.max_subscriptions_per_token
        if sockets.subscriptions(principal_key(self.context.principal)) >= limit:
            return (
                "TOO_MANY_SUBSCRIPTIONS",
                f"at most {limit} subscriptions per token at once; complete one first",
            )
        return None

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            self.view.endpoint.sockets.leave(self)


class Sockets:
    """Open graphql-transport-ws connections of this process, by the principal they authenticated."""

    def __init__(self) -> None:
        self.open = 0
        self.by_key: dict[str, set[_TransportWS]] = defaultdict(set)

    def join(self, key: str, handler: _TransportWS, limit: int) -> None:
        if len(self.by_key[key]) >= limit:
            raise _Refused(4429, f"at most {limit} open subscription connections per token; close one first")
        self.by_key[key].add(handler)

    def leave(self, handler: _TransportWS) -> None:
        for key, handlers in list(self.by_key.items()):
            handlers.discard(handler)
            if not handlers:
                del self.by_key[key]

    def subscriptions(self, key: str | None = None) -> int:
        """Running subscriptions of one principal, or of the whole process."""
        groups = [self.by_key.get(key, set())] if key is not None else list(self.by_key.values())
        return sum(len(handler.operations) for handlers in groups for handler in handlers)


class _View(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = _TransportWS

    def __init__(self, endpoint: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(endpoint.schema, **kwargs)
        self.endpoint = endpoint

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        # strawberry refuses every cross-origin handshake not listed in ``allowed_origins``, token
        # clients too. What a foreign page could abuse is the session cookie alone: portal.auth
        # refuses it at connection_init unless the Origin is the portal's own (portal.origins), and
        # a token, which such a page cannot have, is welcome from any origin.
        return True

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws messages must go out as text frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)  # orjson.JSONDecodeError is a json.JSONDecodeError

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # The endpoint ends the operation's unit of work by this: committed only without errors.
        request.scope[SUCCEEDED] = not result.errors
        return await super().process_result(request, result)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        # Only WebSockets get here (HTTP passes its context to run()): authenticated at connection_init.
        # The session is never used for a subscription (each poll has its own): it holds no connection.
        e = self.endpoint
        return Context(
            request=request,
            principal=NOBODY,
            uow=UnitOfWork(e.sessions()),
            sessions=e.sessions,
            limits=e.limits,
            ticker=e.ticker,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        bearer = params.get("authorization") or params.get("Authorization")
        e = self.endpoint
        try:
            principal = await e.ticker.run(
                e.authenticate_briefly, context.request, bearer if isinstance(bearer, str) else None
            )
        except Unauthenticated as exc:
            raise _Refused(4403, exc.message) from exc
        except Exception as exc:
            failure = failure_of(exc)
            if failure is None:
                raise
            raise _Refused(1013, failure.message) from exc
        context.act_as(principal)
        handler = context.handler
        if handler is not None:
            e.sockets.join(principal_key(principal), handler, e.limits.max_ws_per_token)
        return None


class _Loops:
    """Event loops for strawberry's async view in worker threads (its resolvers are synchronous: a
    loop only drives coroutines that never wait on I/O). Reused, one per busy thread; closed when
    the endpoint goes (``weakref.finalize``, which also runs at exit)."""

    def __init__(self, owner: object) -> None:
        self._idle: list[asyncio.AbstractEventLoop] = []
        self._lock = threading.Lock()
        weakref.finalize(owner, _close_loops, self._idle)

    def run(self, coroutine: Coroutine[Any, Any, Response]) -> Response:
        with self._lock:
            loop = self._idle.pop() if self._idle else asyncio.new_event_loop()
        try:
            return loop.run_until_complete(coroutine)
        finally:
            with self._lock:
                self._idle.append(loop)


def _close_loops(loops: list[asyncio.AbstractEventLoop]) -> None:
    for loop in loops:
        loop.close()
    loops.clear()


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
            graphql_ide=None,  # ours, from our own files: see _graphiql
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=10,
            multipart_uploads_enabled=True,  # uploadInvoice; guarded in _http (CSRF_MESSAGE)
        )
        self.budget = RateBudget(self.limits.rate_capacity, self.limits.rate_per_second)
        self._budget_lock = threading.Lock()
        self._slots: asyncio.Semaphore | None = None
        self._waiting = 0
        # As many threads as operations may run at once: a slot is a thread.
        self._workers = ThreadPoolExecutor(self.limits.max_in_flight, thread_name_prefix="graphql")
        self._loops = _Loops(self)
        self.ticker = Ticker(sessions, self.limits.poll_interval, self.limits.operation_timeout)
        self.sockets = Sockets()
        self._graphiql_page: bytes | None = None
        self._operation_types = lru_cache(maxsize=512)(self._parse_operation_type)

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
        if self.sockets.open >= self.limits.max_ws_connections:
            await ws.accept(subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL)
            await ws.close(code=1013, reason="too many open subscription connections here; retry later")
            return
        self.sockets.open += 1
        context = await self.view.get_context(ws, ws)
        try:
            await self.view.run(ws, context=context)
        finally:
            self.sockets.open -= 1
            context.session.close()

    async def _http(self, request: Request) -> Response:
        if request.method == "GET" and self.settings.demo and "query" not in request.query_params:
            return self._graphiql()
        if request.method != "POST":
            return error_response(405, "METHOD_NOT_ALLOWED", "send GraphQL operations with POST")
        multipart = _is_multipart(request)
        if multipart and not _asked_before_sending(request):
            return error_response(400, "CSRF_PREVENTED", CSRF_MESSAGE)
        limit = (
            max(self.limits.max_body_bytes, MAX_MULTIPART_BYTES) if multipart else self.limits.max_body_bytes
        )
        body = await self._read_body(request, limit)
        if body is None:
            return error_response(413, "REQUEST_TOO_LARGE", f"the request body exceeds {limit} bytes")
        # Strawberry reads the body again (in a worker thread): a request that replays it.
        replayed = Request(request.scope, _replay(body))
        operations = await _multipart_operations(request.scope, body) if multipart else body
        read_only = self.operation_type(operations) is not OperationType.MUTATION
        # A queued operation holds no database connection (and no thread) while it waits.
        loop = asyncio.get_running_loop()
        return await self._in_slot(
            lambda: loop.run_in_executor(self._workers, self._operate, replayed, read_only)
        )

    def operation_type(self, body: bytes) -> OperationType | None:
        """The type of the operation a POST body asks for, None when it cannot be told (strawberry
        then answers with the error). Parsed once per query text (a cache like strawberry's own)."""
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict) or not isinstance(query := data.get("query"), str):
            return None
        name = data.get("operationName")
        return self._operation_types(query, name if isinstance(name, str) else None)

    def _parse_operation_type(self, query: str, operation_name: str | None) -> OperationType | None:
        try:
            document = parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, operation_name)
        return operation.operation if operation is not None else None

    def _graphiql(self) -> Response:
        """GraphiQL from our own static files (portal/web/static/graphiql), under the same
        security headers as every portal page: no CDN, works offline, cannot be framed."""
        if self._graphiql_page is None:
            self._graphiql_page = GRAPHIQL_PAGE.read_bytes()
        return HTMLResponse(self._graphiql_page, headers=dict(GRAPHIQL_HEADERS))

    def _operate(self, request: Request, read_only: bool) -> Response:
        """One operation in a worker thread, in one unit of work under a deadline, opened and ended
        here: read-only unless the operation is a mutation; committed when a mutation succeeded,
        rolled back otherwise (resolvers and services only flush)."""
        try:
            with unit_of_work(self.sessions, read_only=read_only) as uow:
                bound(uow.session, self.limits.operation_timeout)
                response = self._run(request, uow)
                if request.scope.get(SUCCEEDED) is not True:
                    uow.session.rollback()
                return response
        except Conflict as exc:  # at commit: a unique value or a version taken meanwhile
            return error_response(200, exc.code, public_message(exc))
        except WriteInReadOnlyUnit:
            log.error("a GraphQL query changed data", exc_info=True)
            return error_response(500, "INTERNAL_SERVER_ERROR", "Internal server error.")
        except Exception as exc:
            failure = failure_of(exc)
            if failure is None:
                raise
            status = 503 if isinstance(failure, ServiceUnavailable) else 504
            return error_response(status, failure.code, failure.message, {"Retry-After": "5"})

    def _run(self, request: Request, uow: UnitOfWork) -> Response:
        """Authentication, the rate budget, then strawberry."""
        try:
            principal = authenticate(request, uow.session, self.sessions)
        except Unauthenticated as exc:
            return error_response(401, exc.code, exc.message, {"WWW-Authenticate": 'Bearer realm="graphql"'})
        with self._budget_lock:
            wait = self.budget.take(principal_key(principal))
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
            uow=uow,
            sessions=self.sessions,
            limits=self.limits,
            ticker=self.ticker,
        )
        return self._loops.run(self._view(request, context))

    def authenticate_briefly(self, connection: HTTPConnection, bearer: str | None) -> Principal:
        """Authentication in a session of its own, closed before returning (for WebSockets)."""
        with self.sessions() as session:
            bound(session, self.limits.operation_timeout)
            return authenticate(connection, session, self.sessions, bearer)

    async def _in_slot(self, call: Callable[[], Awaitable[Response]]) -> Response:
        """At most ``max_in_flight`` operations run at once; up to ``max_queued`` wait their turn
        (first come, first served); more are refused at once rather than slowing everyone down."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limits.max_in_flight)
        if not self._slots.locked():
            await self._slots.acquire()  # a free slot: no suspension
        else:
            if self._waiting >= self.limits.max_queued:
                return error_response(503, "OVERLOADED", "too many operations in progress; retry shortly")
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
        finally:
            await request.close()  # the files of a multipart request that strawberry parsed

    async def _read_body(self, request: Request, limit: int) -> bytes | None:
        """The body, or None when it is larger than ``limit`` (read no further than the limit)."""
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
        return b"".join(chunks)


# -- multipart requests (the GraphQL multipart request spec: ``uploadInvoice``'s file) ----------
# A browser sends a multipart form to any site without asking first (a "simple" request), and with
# the portal's session cookie: a page elsewhere could post a mutation in a logged-in user's name.
# So a multipart request must carry a header that no form can set, which makes a browser ask the
# server first (CORS preflight; /graphql allows no other origin): a token's Authorization header, or
# GraphQL-Require-Preflight (Apollo's names are taken too). Strawberry leaves this to the server.
PREFLIGHT_HEADERS = (
    "authorization",
    "graphql-require-preflight",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
CSRF_MESSAGE = (
    "a multipart request needs the header 'Authorization: Bearer <token>' or "
    "'GraphQL-Require-Preflight: 1' (a guard against cross-site requests)"
)
MAX_MULTIPART_BYTES = MAX_UPLOAD_BYTES + 64 * 1024  # one e-invoice file and the operation


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "multipart/form-data"


def _asked_before_sending(request: Request) -> bool:
    return any(request.headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


async def _multipart_operations(scope: Scope, body: bytes) -> bytes:
    """The ``operations`` field of a multipart body (JSON), b"" when there is none or the body is
    not readable (strawberry then answers with the error)."""
    try:
        form = await Request(scope, _replay(body)).form(max_files=10, max_fields=20)
    except Exception:  # a malformed body: strawberry says so, with its own words
        return b""
    try:
        operations = form.get("operations")
        return operations.encode() if isinstance(operations, str) else b""
    finally:
        await form.close()


def _replay(body: bytes) -> Receive:
    """An ASGI ``receive`` that hands over a body already read, then reports the client gone."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
