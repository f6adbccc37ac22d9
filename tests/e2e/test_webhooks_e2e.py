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

import pytest

from portal.db import make_engine, make_sessionmaker
from tests.builders import build_scene
from tests.e2e.conftest import PHONE
from tests.e2e.server import private_database
from tests.notify.conftest import running_receiver
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import require_chromium, serve

pytestmark = pytest.mark.slow
ALLOW = {"PORTAL_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8"}
DEADLINE = 60.0


def test_a_registered_endpoint_gets_the_signed_order(tmp_path: Path) -> None:
    require_chromium()
    with private_database(tmp_path) as url, running_receiver(tmp_path) as receiver:
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        scene = build_scene(factory)
        add_users(factory, scene)
        with serve(
            url, secret_key="e2e-webhooks-secret-key-0123456789abcdef", extra_env=ALLOW, startup_seconds=150
        ) as base:
            command = [sys.executable, "-m", "tests.e2e.webhook_browser", base, "supplier-a@example.test"]
            shown = subprocess.run(
                [*command, PASSWORD, receiver.url("/ok")],
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert shown.returncode == 0, shown.stderr[-3000:]
        page = json.loads(shown.stdout.strip().splitlines()[-1])
        secret = str(page["secret"])
        assert secret.startswith("whsec_")
        assert page["width"] <= PHONE["width"], "the page scrolls sideways at 375 px"
        assert page["shown_again"] == 0  # the secret is shown once
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
