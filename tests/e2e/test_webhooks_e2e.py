"""Webhooks end to end: a supplier's admin registers an endpoint in the portal (Chromium, German,
375 px), the owner routes an order to the supplier, and a real `portal exchange run` worker delivers
the event to a real receiver process, which verifies the signature with the standardwebhooks
package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from portal.db import make_engine, make_sessionmaker
from tests.builders import build_scene
from tests.e2e.conftest import PHONE
from tests.e2e.server import private_database
from tests.notify.conftest import running_receiver
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import serve

pytestmark = pytest.mark.slow
ALLOW = {"PORTAL_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}
DEADLINE = 60.0


def test_a_registered_endpoint_gets_the_signed_order(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    with private_database(tmp_path) as url, running_receiver(tmp_path) as receiver:
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        scene = build_scene(factory)
        add_users(factory, scene)
        with serve(url, secret_key="e2e-webhooks-secret-key-0123456789abcdef", extra_env=ALLOW) as base:
            context = browser.new_context(base_url=base, viewport=PHONE, locale="de-DE")
            try:
                page = context.new_page()
                page.set_default_timeout(15000)
                page.goto("/login?lang=de")
                page.locator("#f-email").fill("supplier-a@example.test")
                page.locator("#f-password").fill(PASSWORD)
                page.locator("form[action='/login'] button[type=submit]").click()
                page.wait_for_url(f"{base}/")
                page.goto("/admin/webhooks")
                expect(page.locator("main h1")).to_have_text("Webhooks")
                page.locator("#f-url").fill(receiver.url("/ok"))
                page.locator("#f-description").fill("ERP")
                page.get_by_label("Auftrag an einen Lieferanten weitergeleitet").check()
                page.get_by_role("button", name="Endpunkt registrieren").click()
                secret = page.locator("#new-secret").inner_text().strip()
                assert secret.startswith("whsec_")
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], "the page scrolls sideways at 375 px"
            finally:
                context.close()
        receiver.expect("/ok", secret)
        order = scene.order(scene.customer(), supplier="supplier-a")
        env = {**os.environ, "PORTAL_DATABASE_URL": url, **ALLOW}
        worker = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "exchange", "run", "--interval", "0.5"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + DEADLINE
            while not receiver.received("/ok") and time.monotonic() < deadline:
                time.sleep(0.2)  # polling the receiver's log for the delivery, not synchronisation
        finally:
            worker.terminate()
            worker.wait(timeout=10)
        engine.dispose()
        [got] = receiver.received("/ok")
        assert got["verified_with"] == [secret]
        body = json.loads(got["body"])
        assert body["type"] == "order.routed" and body["data"]["id"] == order.id
        assert body["data"]["state"]["number"] == order.number
