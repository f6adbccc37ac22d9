"""GraphiQL (demo mode) comes from our own static files, under the portal pages' security
headers: no external URL, every asset served, and in Chromium it loads and runs a query with the
network to anywhere but the portal cut off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from portal.app import create_app
from portal.config import Settings
from portal.web.sessions import SECURITY_HEADERS
from tests.builders import build_scene

STATIC = Path(__file__).resolve().parents[2] / "portal" / "web" / "static" / "graphiql"


@pytest.fixture
def demo_client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=str(engine.url), demo=True), engine=engine)) as client:
        yield client


def references(text: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', text)


def test_graphiql_page_references_only_our_own_files(demo_client: TestClient) -> None:
    page = demo_client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text and "//unpkg" not in page.text
    assets = references(page.text)
    assert len(assets) >= 5
    assert all(url.startswith("/static/graphiql/") for url in assets), assets
    for url in assets:
        response = demo_client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 100, url


def test_graphiql_page_has_the_portals_security_headers(demo_client: TestClient) -> None:
    page = demo_client.get("/graphql")
    portal_page = demo_client.get("/login")
    for name, value in SECURITY_HEADERS:
        assert page.headers[name.decode()] == value.decode()
        assert portal_page.headers[name.decode()] == value.decode()
    assert page.headers["x-frame-options"] == "DENY"


def test_graphiql_stylesheet_fonts_are_our_own_files(demo_client: TestClient) -> None:
    css = (STATIC / "graphiql.min.css").read_text()
    fonts = re.findall(r"url\((fonts/[^)]+)\)", css)
    assert fonts and "data:font" not in css  # the CSP allows fonts from our origin only
    for font in set(fonts):
        assert demo_client.get(f"/static/graphiql/{font}").status_code == 200, font


@pytest.mark.browser
@pytest.mark.slow
def test_graphiql_runs_a_query_in_chromium_offline(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.server import portal_serve, private_database
    from tests.web.conftest import PASSWORD, add_users
    from tests.web.live import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    with private_database(tmp_path) as url:
        from portal.db import make_engine, make_sessionmaker

        engine = make_engine(url)
        try:
            factory = make_sessionmaker(engine)
            add_users(factory, build_scene(factory))
        finally:
            engine.dispose()
        with portal_serve(url, tmp_path, env={"PORTAL_DEMO": "1"}) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(base_url=server.base, locale="en-US")
                outside: list[str] = []
                violations: list[str] = []

                def offline(route: Any) -> None:
                    if route.request.url.startswith((server.base, "ws://127.0.0.1")):
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                context.route("**/*", offline)
                page = context.new_page()
                page.set_default_timeout(20000)
                page.on(
                    "console",
                    lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
                )
                page.goto("/login")
                page.get_by_label("E-mail address").fill("supplier-a@example.test")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.get_by_role("heading", name="Good to see you").wait_for()
                page.goto("/graphql")
                page.locator(".graphiql-execute-button").click()
                page.locator(".result-window").get_by_text("Supplier A").wait_for()
                result = page.locator(".result-window").inner_text()
                context.close()
            finally:
                browser.close()
    assert '"kind": "SUPPLIER"' in result or "SUPPLIER" in result
    assert outside == []
    assert violations == []
