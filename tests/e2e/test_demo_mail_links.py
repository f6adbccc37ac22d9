"""`portal demo` on a port of its own: the mails its worker thread queues (not a request) link to
that port, and their unsubscribe links are accepted by its server (one key for both)."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.e2e.test_exchange_loop import OWNER, gql
from tests.e2e.test_notifications import DEALER
from tests.web.live import free_port, private_schema

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
SUPPLIER_EMAIL = "team@nordtec.example"
PORTAL = (sys.executable, "-m", "portal.cli")


@contextmanager
def demo(folder: Path, port: int) -> Iterator[Path]:
    """`portal demo` started in ``folder`` (a newcomer's checkout: no PORTAL_* settings but the
    database on PostgreSQL); yields its log once /healthz answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    with ExitStack() as stack:
        if PG_URL:
            env["PORTAL_DATABASE_URL"] = stack.enter_context(private_schema(PG_URL, "demo"))
        log = folder / "demo.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*PORTAL, "demo", "--port", str(port), "--scale", "0.02", "--no-simulate-partner"],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 300
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"portal demo exited:\n{log.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                        if response.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)  # polling until the server answers, with a deadline
            yield log
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_mail(folder: Path, subject: str, log: Path) -> EmailMessage:
    deadline = time.monotonic() + 90
    while True:
        for path in folder.rglob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == SUPPLIER_EMAIL and subject in str(message["Subject"]):
                assert isinstance(message, EmailMessage)
                return message
        if time.monotonic() > deadline:
            pytest.fail(f"no mail about {subject} in {folder}\n{log.read_text()[-3000:]}")
        time.sleep(0.3)  # polling the mail folder the worker writes, with a deadline


@pytest.mark.slow
def test_demo_worker_mails_link_to_its_port_and_unsubscribe_is_accepted(tmp_path: Path) -> None:
    port = free_port()
    with demo(tmp_path, port) as log:
        base = f"http://127.0.0.1:{port}"
        customers = gql(base, DEALER, "{ customers(first: 1) { nodes { id } } }")["customers"]
        customer = customers["nodes"][0]["id"]
        created = gql(
            base,
            DEALER,
            """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
                 order { id number } userErrors { message } } }""",
            input={"customer": customer, "lines": [{"sku": "WW-1000", "quantity": "3"}]},
        )["createOrder"]
        assert created["userErrors"] == [], created
        number = created["order"]["number"]
        nordtec = gql(base, OWNER, '{ organizations(filter: {search: "NordTec"}) { nodes { id } } }')
        routed = gql(
            base,
            OWNER,
            "mutation($input: RouteOrderInput!) { routeOrder(input: $input) { userErrors { message } } }",
            input={"order": created["order"]["id"], "supplier": nordtec["organizations"]["nodes"][0]["id"]},
        )
        assert routed["routeOrder"]["userErrors"] == []

        mail = wait_for_mail(tmp_path / "var" / "mail", number, log)
        body = mail.get_body(("plain",))
        assert body is not None
        links = re.findall(r"https?://[^\s<>]+", body.get_content())
        assert links and all(link.startswith(f"{base}/") for link in links), links
        unsubscribe = re.fullmatch(r"<(.+)>", str(mail["List-Unsubscribe"]))
        assert unsubscribe and unsubscribe.group(1).startswith(f"{base}/notifications/unsubscribe/")
        with urllib.request.urlopen(unsubscribe.group(1), timeout=10) as response:  # noqa: S310 - our own server
            assert response.status == 200  # a refused link is a 400 (urlopen raises)
