"""`make screenshots`: the dashboard and an order page, in English and German, from the demo data,
taken with the same tooling as the browser tests (Debian's Chromium through Playwright against a
live `portal serve` on 127.0.0.1).

    .venv/bin/python -m tests.web.screenshots [docs/screenshots]
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

OWNER = "admin@waermewerk.example"
SUPPLIER = "admin@nordtec.example"
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


def take(folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        seed_demo(engine, scale=0.3)
        engine.dispose()
        with serve(url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for who, shots in ((OWNER, ("dashboard",)), (SUPPLIER, ("order",))):
                context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 960})
                page = context.new_page()
                _login(page, who)
                order_url = None
                if "order" in shots:
                    page.goto("/orders?status=awaiting_confirmation")
                    order_url = page.locator("table.list tbody a").first.get_attribute("href")
                for lang in ("en", "de"):
                    if "dashboard" in shots:
                        page.goto(f"/?lang={lang}")
                        _shoot(page, folder / f"dashboard-{lang}.png")
                    if order_url:
                        page.goto(f"{order_url}?lang={lang}")
                        _shoot(page, folder / f"order-{lang}.png")
                context.close()
            phone = browser.new_context(
                base_url=base, viewport={"width": 375, "height": 812}, device_scale_factor=1
            )
            page = phone.new_page()
            _login(page, SUPPLIER)
            page.goto("/?lang=de")
            _shoot(page, folder / "dashboard-phone-de.png")
            phone.close()
            browser.close()


if __name__ == "__main__":
    take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
