"""Subscriptions over a real socket against a real `portal serve` (uvicorn with its WebSocket
protocol), with the `websockets` client speaking graphql-transport-ws: a change made over HTTP
by another principal arrives; another organization's changes never do; a revoked token ends the
subscription; idle subscriptions do not exhaust the database pool; SIGTERM with open sockets
ends the server within seconds."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from portal.cases import service as cases
from portal.gql.ids import encode_id
from tests.changefeed import TIMEOUT as FEED_TIMEOUT
from tests.changefeed import settle
from tests.e2e.server import Server, World, portal_serve, world

pytestmark = pytest.mark.slow

ORDER_EVENTS = "subscription($after: String) { orderEvents(after: $after) { kind entityId operation } }"
CASE_EVENTS = "subscription($after: String) { caseEvents(after: $after) { kind entityId operation } }"


@dataclass
class Live:
    world: World
    server: Server
    ids: dict[str, int]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = Path(tmp_path_factory.mktemp("subscriptions"))
    with world(tmp) as w:
        s = w.scene
        mine = s.customer("Müller GmbH", shared_with=("dealer-branch",))
        theirs = s.customer("Schulz AG", shared_with=("dealer-other",))
        order_a = s.order(mine, dealer="dealer-branch", supplier="supplier-a")
        order_c = s.order(theirs, dealer="dealer-other", supplier="supplier-b")
        with s.uow() as uow:
            case_p = cases.open_case(
                uow=uow, principal=s.p("owner"), subject="Pumpe", routed_to_id=s.orgs["partner"].id
            )
            case_o = cases.open_case(
                uow=uow, principal=s.p("owner"), subject="Fremd", routed_to_id=s.orgs["dealer-other"].id
            )
        ids = {"order_a": order_a.id, "order_c": order_c.id, "case_p": case_p.id, "case_o": case_o.id}
        with portal_serve(w.url, tmp) as server:
            yield Live(w, server, ids)


def post(server: Server, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 - our own server
        f"{server.base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


def latest_cursor(live: Live) -> str:
    """The owner's end of the feed, once the feed may pass everything written so far."""
    settle(live.world.engine)
    owner = live.world.token("owner")
    after = None
    while True:
        page = post(
            live.server,
            owner,
            "query($after: String) { changes(first: 500, after: $after) { endCursor hasMore } }",
            {"after": after},
        )["changes"]
        after = page["endCursor"]
        if not page["hasMore"]:
            return str(after)


@contextmanager
def subscribe(
    server: Server, token: str, query: str, variables: dict[str, Any] | None = None
) -> Iterator[ClientConnection]:
    with connect(server.ws, subprotocols=["graphql-transport-ws"], open_timeout=10) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        payload = {"query": query, "variables": variables or {}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield ws


def next_event(ws: ClientConnection, field: str) -> dict[str, Any]:
    message = json.loads(ws.recv(timeout=FEED_TIMEOUT))  # the feed may wait for others' transactions
    assert message["type"] == "next", message
    return dict(message["payload"]["data"][field])


def test_order_events_deliver_a_change_made_over_http_and_nothing_foreign(live: Live) -> None:
    w = live.world
    after = latest_cursor(live)
    with subscribe(live.server, w.token("dealer-branch"), ORDER_EVENTS, {"after": after}) as ws:
        accept = "mutation($i: ConfirmOrderInput!) { confirmOrder(input: $i) { userErrors { message } } }"
        for slug, key in (("supplier-b", "order_c"), ("supplier-a", "order_a")):
            lines = [{"lineNo": 1, "action": "ACCEPT"}, {"lineNo": 2, "action": "ACCEPT"}]
            data = post(
                live.server,
                w.token(slug),
                accept,
                {"i": {"order": encode_id("Order", live.ids[key]), "lines": lines}},
            )
            assert data["confirmOrder"]["userErrors"] == []
        event = next_event(ws, "orderEvents")
    # order_c (another dealer's, confirmed first) never arrives: the first event is order_a's.
    assert event == {
        "kind": "order.confirmed",
        "entityId": encode_id("Order", live.ids["order_a"]),
        "operation": "UPSERT",
    }


def test_case_events_deliver_a_comment_made_over_http_and_nothing_foreign(live: Live) -> None:
    w = live.world
    with subscribe(live.server, w.token("partner"), CASE_EVENTS, {"after": latest_cursor(live)}) as ws:
        comment = (
            "mutation($i: AddCaseCommentInput!) { addCaseComment(input: $i) { userErrors { message } } }"
        )
        for key in ("case_o", "case_p"):
            data = post(
                live.server,
                w.token("owner"),
                comment,
                {"i": {"case": encode_id("Case", live.ids[key]), "body": "Bitte prüfen"}},
            )
            assert data["addCaseComment"]["userErrors"] == []
        event = next_event(ws, "caseEvents")
    assert event == {
        "kind": "case.commented",
        "entityId": encode_id("Case", live.ids["case_p"]),
        "operation": "UPSERT",
    }


def test_a_revoked_token_ends_the_subscription(live: Live) -> None:
    w = live.world
    with subscribe(live.server, w.token("supplier-a", "revoked"), ORDER_EVENTS) as ws:
        w.revoke("supplier-a", "revoked")
        message = json.loads(ws.recv(timeout=15))
        assert message["type"] == "error" or message.get("payload", {}).get("errors"), message
        assert "revoked" in json.dumps(message)


def test_idle_subscriptions_hold_no_database_connection(live: Live) -> None:
    """More idle connections than the pool has connections (5 + 10 overflow): the server still
    answers HTTP and GraphQL at once."""
    w = live.world
    with ExitStack() as stack:
        for i in range(20):
            slug = ("supplier-a", "supplier-b", "partner", "dealer-branch")[i % 4]
            stack.enter_context(subscribe(live.server, w.token(slug, f"idle{i}"), ORDER_EVENTS))
        started = time.monotonic()
        data = post(live.server, w.token("owner"), "{ orders(first: 1) { totalCount } }")
        assert data["orders"]["totalCount"] >= 2
        assert time.monotonic() - started < 5
        with urllib.request.urlopen(f"{live.server.base}/healthz", timeout=5) as response:  # noqa: S310
            assert response.status == 200


def test_connections_per_token_are_capped_with_a_clear_reason(live: Live) -> None:
    token = live.world.token("supplier-a", "capped")
    with ExitStack() as stack:
        for _ in range(10):
            stack.enter_context(subscribe(live.server, token, ORDER_EVENTS))
        ws = stack.enter_context(connect(live.server.ws, subprotocols=["graphql-transport-ws"]))  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4429
    assert "per token" in closed.value.rcvd.reason


def test_sigterm_with_open_subscriptions_ends_the_server_within_seconds(tmp_path: Path) -> None:
    """30 connections with 10 subscriptions each (the load that once hung the server for good):
    the server keeps answering, and SIGTERM ends it within seconds."""
    with world(tmp_path) as w, portal_serve(w.url, tmp_path) as server, ExitStack() as stack:
        for i in range(30):
            token = w.token("supplier-a", f"t{i % 10}")
            with_first = stack.enter_context(subscribe(server, token, ORDER_EVENTS))
            for n in range(2, 11):
                payload = {"query": ORDER_EVENTS, "variables": {}}
                with_first.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
        started = time.monotonic()
        data = post(server, w.token("owner"), "{ viewer { name } }")
        assert data["viewer"]["name"]
        with urllib.request.urlopen(f"{server.base}/healthz", timeout=5) as response:  # noqa: S310
            assert response.status == 200
        assert time.monotonic() - started < 5
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(timeout=20)
        took = time.monotonic() - started
    assert took < 5, f"took {took:.1f} s to stop: {server.stderr()}"
    assert code in (0, -signal.SIGTERM), server.stderr()  # uvicorn re-raises the signal once done
