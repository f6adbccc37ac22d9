"""`make screenshots`: every role's start page, an order page, a case page and the new-order form, at
desktop (1280 px) and phone (375 px) width, in English and German, from the demo data; taken with
the same tooling as the browser tests (Debian's Chromium through Playwright against a live
`portal serve` on 127.0.0.1). `docs/portal.md` shows them.

    .venv/bin/python -m tests.web.screenshots [docs/screenshots]

Names: ``start-<role>-<desktop|phone>-<lang>.png`` and ``<page>-<desktop|phone>-<lang>.png``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from portal.db import make_engine
from portal.migrate import upgrade
from portal.seed import DEMO_PASSWORD, seed_demo
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, serve

ROLES = {
    "owner-admin": "admin@waermewerk.example",
    "owner-sales": "vertrieb@waermewerk.example",
    "owner-viewer": "leser@waermewerk.example",
    "dealer": "team@haustechnik-nord.example",
    "dealer-group-admin": "admin@haustechnik-gruppe.example",
    "partner": "team@servicepartner-west.example",
    "supplier": "team@nordtec.example",
}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}
LANGS = ("en", "de")
MAX_BYTES = 300 * 1024


def _login(page: Any, email: str) -> None:
    page.goto("/login?lang=en")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.locator("main h1").wait_for()


def _shoot(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=False)
    size = path.stat().st_size
    print(f"{path}  {size // 1024} KB")
    if size > MAX_BYTES:
        raise SystemExit(f"{path} is larger than {MAX_BYTES // 1024} KB")


def _first_link(page: Any, list_url: str) -> str:
    page.goto(list_url)
    href = page.locator("table.list tbody a").first.get_attribute("href")
    if not href:
        raise SystemExit(f"no row to open on {list_url}")
    return str(href)


def take(folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        seed_demo(engine, scale=0.3)
        engine.dispose()
        with serve(url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for width, viewport in WIDTHS.items():
                for role, email in ROLES.items():
                    context = browser.new_context(base_url=base, viewport=viewport, device_scale_factor=1)
                    page = context.new_page()
                    _login(page, email)
                    pages: dict[str, str] = {}
                    if role == "supplier":  # the order page as the supplier answers it
                        pages["order"] = _first_link(page, "/orders?status=awaiting_confirmation")
                    if role == "partner":  # a case routed to the service partner
                        pages["case"] = _first_link(page, "/cases?status=open")
                    if role == "dealer":
                        pages["order-new"] = "/orders/new"
                        pages["pipeline"] = "/pipeline"  # the sales pipeline board (issue #18.4)
                    for lang in LANGS:
                        page.goto(f"/?lang={lang}")
                        _shoot(page, folder / f"start-{role}-{width}-{lang}.png")
                        for name, path in pages.items():
                            page.goto(f"{path}?lang={lang}")
                            _shoot(page, folder / f"{name}-{width}-{lang}.png")
                    context.close()
            browser.close()


if __name__ == "__main__":
    take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
