"""The session cookie counts on /graphql only from the portal's own pages (portal.origins): a page
of another site (a sibling subdomain gets even SameSite=Lax cookies) can neither open a
subscription with the user's session (cross-site WebSocket hijacking) nor post an operation with
it. Token clients are not affected, whatever their Origin; clients that send no Origin (no
browser) keep the cookie."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from portal.app import create_app
from portal.config import Settings
from portal.db import unit_of_work
from portal.notify.notifier import notify_once
from portal.origins import is_own, origin_of, trusted_origins
from portal.partners import service as partners
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users, csrf_of

PROXIED = "https://portal.example.com"  # PORTAL_BASE_URL
SECOND = "https://crm.example.com"  # PORTAL_ALLOWED_ORIGINS
FOREIGN = "https://evil.example.com"
PROTOCOL = ["graphql-transport-ws"]


@pytest.fixture
def web(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    settings = Settings(
        database_url=str(engine.url), secret_key=SECRET, base_url=PROXIED, allowed_origins=(SECOND,)
    )
    return WebWorld(scene, create_app(settings, engine=engine), users)


def token(web: WebWorld, slug: str) -> str:
    with unit_of_work(web.scene.factory) as uow:
        issued = partners.issue_token(
            uow=uow, principal=web.scene.p("owner"), organization_id=web.scene.orgs[slug].id, name="ws"
        )
    return issued.secret


def init(client: TestClient, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    """Open the socket, send connection_init, return the answer (or raise WebSocketDisconnect)."""
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers=dict(headers or {})) as ws:
        ws.send_json({"type": "connection_init", "payload": payload})
        return ws.receive_json()


@pytest.mark.parametrize("origin", ["http://testserver", PROXIED, SECOND, None])
def test_the_cookie_opens_a_socket_from_the_portals_own_origins(web: WebWorld, origin: str | None) -> None:
    headers = {"origin": origin} if origin is not None else None
    assert init(web.client("supplier-a"), {}, headers)["type"] == "connection_ack"


@pytest.mark.parametrize(
    "origin", [FOREIGN, "null", "http://testserver.evil.example", "https://testserver:8443"]
)
def test_the_cookie_from_another_origin_is_refused(web: WebWorld, origin: str) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        init(web.client("supplier-a"), {}, {"origin": origin})
    assert refused.value.code == 4403
    reason = str(refused.value.reason)
    assert "portal's own pages" in reason
    assert len(reason.encode()) <= 123  # a WebSocket close frame holds no more (uvicorn fails on more)


def test_a_same_origin_subscription_streams_and_a_foreign_one_never_starts(web: WebWorld) -> None:
    customer = web.scene.customer()
    client = web.client("supplier-a")
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers={"origin": PROXIED}) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        query = "subscription { notifications { kind link } }"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
        mine = web.scene.order(customer, supplier="supplier-a")
        notify_once(web.scene.factory)
        message = ws.receive_json()
        assert message["type"] == "next", message
        assert message["payload"]["data"]["notifications"]["link"] == f"/orders/{mine.id}"
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect("/graphql", subprotocols=PROTOCOL, headers={"origin": FOREIGN}) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {}})
        ws.receive_json()  # closed before connection_ack: no subscribe can follow


def test_a_token_client_is_welcome_from_any_origin_or_none(web: WebWorld) -> None:
    secret = token(web, "supplier-a")
    anonymous = web.client()  # no cookie
    for headers in (None, {"origin": FOREIGN}):
        answer = init(anonymous, {"authorization": f"Bearer {secret}"}, headers)
        assert answer["type"] == "connection_ack"
    # The token in the handshake's Authorization header, and a cookie besides it: the token counts.
    with_cookie = web.client("supplier-b")
    headers = {"origin": FOREIGN, "authorization": f"Bearer {secret}"}
    assert init(with_cookie, {}, headers)["type"] == "connection_ack"


def test_http_operations_with_the_cookie_from_another_origin_are_refused(web: WebWorld) -> None:
    client = web.client("supplier-a")
    body = {"query": "{ unreadNotifications }"}
    same = client.post("/graphql", json=body, headers={"origin": "http://testserver"})
    assert same.status_code == 200 and same.json()["data"] == {"unreadNotifications": 0}
    foreign = client.post("/graphql", json=body, headers={"origin": FOREIGN})
    assert foreign.status_code == 401
    assert foreign.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    secret = token(web, "supplier-a")
    with_token = web.client().post(
        "/graphql",
        json={"query": "{ orders(first: 1) { edges { cursor } } }"},
        headers={"origin": FOREIGN, "authorization": f"Bearer {secret}"},
    )
    assert with_token.status_code == 200 and "errors" not in with_token.json()


def test_configured_origins_also_pass_the_forms_origin_check(web: WebWorld) -> None:
    client = web.client("supplier-a")
    page = client.get("/notifications")
    assert page.status_code == 200
    form = {"csrf": csrf_of(page.text), "all": "1"}
    for origin, status in ((FOREIGN, 403), (SECOND, 303), (PROXIED, 303), ("http://testserver", 303)):
        answer = client.post(
            "/notifications/read", data=form, headers={"origin": origin}, follow_redirects=False
        )
        assert answer.status_code == status, origin


def test_origins_compare_scheme_host_and_port() -> None:
    assert origin_of("HTTPS://Portal.Example.com:443/x?y") == "https://portal.example.com"
    assert origin_of("http://[::1]:8080") == "http://[::1]:8080"
    assert origin_of("javascript:alert(1)") is None and origin_of("null") is None
    trusted = trusted_origins(Settings(base_url="https://portal.example.com/app", allowed_origins=(SECOND,)))
    assert trusted == {"https://portal.example.com", "https://crm.example.com"}
    assert is_own("https://portal.example.com", "127.0.0.1:8001", trusted)  # behind a proxy
    assert not is_own("http://portal.example.com", "127.0.0.1:8001", trusted)  # scheme counts
    assert not is_own("https://portal.example.com.evil.net", "127.0.0.1:8001", trusted)
    assert is_own("http://127.0.0.1:8001", "127.0.0.1:8001", frozenset())
    assert not is_own("null", "127.0.0.1:8001", trusted)


def test_allowed_origins_are_read_and_checked() -> None:
    env = {"PORTAL_ALLOWED_ORIGINS": "https://a.example, http://b.example:8080/"}
    assert Settings.from_env(env).allowed_origins == ("https://a.example", "http://b.example:8080")
    with pytest.raises(ValueError, match="PORTAL_ALLOWED_ORIGINS"):
        Settings.from_env({"PORTAL_ALLOWED_ORIGINS": "a.example"})


def test_a_long_refusal_still_fits_a_close_frame() -> None:
    from portal.gql.endpoint import _Refused

    reason = _Refused(4403, "token expired: " + "é" * 200).reason
    assert len(reason.encode()) <= 123 and reason.startswith("token expired: é")
