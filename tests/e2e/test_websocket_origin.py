"""Cross-site WebSocket hijacking, against a real `portal serve` (uvicorn's WebSocket protocol):
the session cookie opens a subscription only from the portal's own pages (or a configured public
origin); token clients are welcome from any origin and without one.

With the `websockets` client (the Origin header set by hand), and with Chromium: a page of another
origin on the same host (another port: cookies do not tell ports apart, so the browser sends the
portal's session cookie along, as it would for a sibling subdomain) tries to subscribe with the
logged-in user's session and is refused, while the same script on the portal's own page works."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.e2e.server import Server, World, portal_serve, world
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.slow

PUBLIC = "https://portal.example.com"  # PORTAL_BASE_URL: the origin the proxy serves
PROTOCOL = "graphql-transport-ws"


@dataclass
class Live:
    world: World
    server: Server
    email: str
    cookie: str  # the session cookie of a real login through the form


def log_in(base: str, email: str) -> str:
    with httpx2.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/login?lang=en")
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, page.text[:300]
        answer = client.post(
            "/login", data={"csrf": match.group(1), "email": email, "password": PASSWORD, "next": "/"}
        )
        assert answer.status_code == 303, answer.text[:300]
        return str(client.cookies["portal_session"])


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = Path(tmp_path_factory.mktemp("ws-origin"))
    with world(tmp) as w:
        users = add_users(w.factory, w.scene)
        email = users["supplier-a"].email
        with portal_serve(w.url, tmp, env={"PORTAL_BASE_URL": PUBLIC}) as server:
            yield Live(w, server, email, log_in(server.base, email))


def first_answer(live: Live, *, origin: str | None, cookie: bool, token: str | None = None) -> Any:
    """connection_init on a fresh socket: the answer, or the close code and reason."""
    headers = {"Cookie": f"portal_session={live.cookie}"} if cookie else {}
    payload = {"authorization": f"Bearer {token}"} if token else {}
    with connect(
        live.server.ws,
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        origin=origin,  # type: ignore[arg-type]
        additional_headers=headers,
        open_timeout=10,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            return json.loads(ws.recv(timeout=10))["type"]
        except ConnectionClosed as closed:
            frame = closed.rcvd
        return (frame.code, frame.reason) if frame is not None else "closed without a frame"


def test_the_session_cookie_works_from_the_portals_own_origin(live: Live) -> None:
    assert first_answer(live, origin=live.server.base, cookie=True) == "connection_ack"
    assert first_answer(live, origin=PUBLIC, cookie=True) == "connection_ack"  # behind the proxy
    assert first_answer(live, origin=None, cookie=True) == "connection_ack"  # not a browser


def test_the_session_cookie_from_a_foreign_origin_is_refused(live: Live) -> None:
    for origin in ("https://evil.example", "http://127.0.0.1:1", "null"):
        code, reason = first_answer(live, origin=origin, cookie=True)
        assert code == 4403 and "own pages" in reason, (origin, reason)


def test_a_token_client_works_with_or_without_an_origin(live: Live) -> None:
    token = live.world.token("supplier-a")
    assert first_answer(live, origin=None, cookie=False, token=token) == "connection_ack"
    assert first_answer(live, origin="https://evil.example", cookie=False, token=token) == "connection_ack"
    # The cookie beside a token from a foreign page: the token decides, the cookie is not used.
    assert first_answer(live, origin="https://evil.example", cookie=True, token=token) == "connection_ack"


PROBE = """async (url) => await new Promise((resolve) => {
    const ws = new WebSocket(url, "graphql-transport-ws");
    ws.onopen = () => ws.send(JSON.stringify({type: "connection_init", payload: {}}));
    ws.onmessage = (event) => { resolve(JSON.parse(event.data).type); ws.close(); };
    ws.onclose = (event) => resolve(`closed ${event.code} ${event.reason}`);
})"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>elsewhere</title><p>another site"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def elsewhere() -> Iterator[str]:
    """A page of another origin on the same host: 127.0.0.1 on another port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_in_chromium_a_foreign_page_cannot_use_the_logged_in_session(live: Live, elsewhere: str) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(15000)
            page.goto(f"{live.server.base}/login?lang=en")
            page.locator("#f-email").fill(live.email)
            page.locator("#f-password").fill(PASSWORD)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_url(re.compile(r"/$"))
            # The portal's own page: the session opens the subscription connection.
            assert page.evaluate(PROBE, live.server.ws) == "connection_ack"
            # Another origin in the same browser: the cookie goes along, and is refused.
            page.goto(elsewhere)
            answer = page.evaluate(PROBE, live.server.ws)
            assert answer.startswith("closed 4403") and "own pages" in answer, answer
        finally:
            browser.close()
