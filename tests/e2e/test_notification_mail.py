"""Notification e-mail end to end, with real processes: `portal serve`, `portal exchange run` (whose
loop runs the notifier, then the mailing step, then the mail outbox) mailing to an SMTP server on
loopback (aiosmtpd), Chromium for the portal, GraphQL over HTTP for the owner's routing.

The owner routes an order to the supplier; the supplier's mail arrives with a link to the order;
Chromium follows the link, logs in as the supplier (the login sends it back to the order) and
rejects a line; the dealer who sold the order sees the change in its bell. SQLite, or PostgreSQL
with PORTAL_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import re
import time
from contextlib import ExitStack
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from portal.gql.ids import decode_id
from portal.seed import DEMO_PASSWORD
from tests.e2e.test_exchange_loop import OWNER, background, gql, portal
from tests.e2e.test_notifications import DEALER, bell, log_in, wait_for_bell, wait_for_entry
from tests.notify.smtp import Mailbox, part, smtp_server
from tests.web.live import serve

SECRET = "mail-e2e-secret-key-0123456789abcdef"
SUPPLIER_EMAIL = "team@nordtec.example"


def wait_for_mail(mailbox: Mailbox, to: str, subject: str, worker: Any, log: Path) -> EmailMessage:
    """The mail to ``to`` whose subject contains ``subject``, once the worker has sent it."""
    deadline = time.monotonic() + 60
    while True:
        for mail in mailbox.wait_for(len(mailbox.received) + 1, timeout=1.0):
            if mail["To"] == to and subject in mail["Subject"]:
                return mail
        assert worker.poll() is None, log.read_text()[-3000:]
        if time.monotonic() > deadline:
            seen = [(m["To"], m["Subject"]) for m in mailbox.received]
            pytest.fail(f"no mail to {to} about {subject}: {seen}\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_routed_order_mail_link_leads_the_supplier_to_answer_and_the_dealer_is_told(
    empty_database_url: str, tmp_path: Path, browser: Any
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
        "PORTAL_SECRET_KEY": SECRET,
    }
    portal(env, "db", "upgrade")
    portal(env, "seed", "demo", "--scale", "0.02")
    log = tmp_path / "worker.log"
    with ExitStack() as stack:
        smtp = stack.enter_context(smtp_server())
        base = stack.enter_context(serve(empty_database_url, secret_key=SECRET))
        worker_env = {
            **env,
            "PORTAL_SMTP_HOST": "127.0.0.1",
            "PORTAL_SMTP_PORT": str(smtp.port),
            "PORTAL_SMTP_SECURITY": "none",
            "PORTAL_MAIL_FROM": "Portal <portal@portal.example>",
            "PORTAL_BASE_URL": base,
        }
        worker = stack.enter_context(background(worker_env, log, "exchange", "run", "--interval", "0.5"))
        dealer = log_in(browser, base, "team@haustechnik-nord.example")
        dealer_before = bell(dealer)

        customer = gql(base, DEALER, "{ customers(first: 1) { nodes { id } } }")["customers"]["nodes"][0][
            "id"
        ]
        created = gql(
            base,
            DEALER,
            """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
                 order { id number } userErrors { message } } }""",
            input={
                "customer": customer,
                "lines": [{"sku": "WW-1000", "quantity": "10"}, {"sku": "WW-1003", "quantity": "6"}],
            },
        )["createOrder"]
        assert created["userErrors"] == [], created
        order_id, number = created["order"]["id"], created["order"]["number"]
        pk = decode_id(order_id)[1]  # type: ignore[index]
        nordtec = gql(base, OWNER, '{ organizations(filter: {search: "NordTec"}) { nodes { id } } }')
        routed = gql(
            base,
            OWNER,
            "mutation($input: RouteOrderInput!) { routeOrder(input: $input) { userErrors { message } } }",
            input={"order": order_id, "supplier": nordtec["organizations"]["nodes"][0]["id"]},
        )
        assert routed["routeOrder"]["userErrors"] == []

        # The supplier's mail: in its language, with the absolute link and a one-click unsubscribe.
        mail = wait_for_mail(smtp.mailbox, SUPPLIER_EMAIL, number, worker, log)
        # NordTec's team reads German (the demo user's locale), whatever the browser's language.
        assert mail["Subject"] == f"Auftrag {number} wurde an Sie weitergeleitet"
        assert mail["List-Unsubscribe"].startswith(f"<{base}/notifications/unsubscribe/")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        found = re.search(rf"{re.escape(base)}/orders/\d+", part(mail, "plain"))
        assert found and found.group(0) == f"{base}/orders/{pk}", part(mail, "plain")

        # Chromium follows the link: the login first, then the order; the supplier rejects a line.
        context = browser.new_context(base_url=base, locale="en-GB", timezone_id="Europe/Berlin")
        try:
            page = context.new_page()
            page.set_default_timeout(15000)
            page.goto(found.group(0))
            page.wait_for_url(re.compile(r"/login"))
            page.locator("#f-email").fill(SUPPLIER_EMAIL)
            page.locator("#f-password").fill(DEMO_PASSWORD)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_url(re.compile(rf"/orders/{pk}$"))
            assert number in page.locator("main h1").inner_text()
            page.locator("#a-1").select_option("accepted")
            page.locator("#a-2").select_option("rejected")
            page.locator("#r-2").fill("sold out")
            page.locator("#respond-form button.primary").click()
            page.wait_for_url(re.compile(rf"/orders/{pk}$"))
        finally:
            context.close()

        # The dealer who sold it: the bell counts the change and the list names it.
        assert wait_for_bell(dealer, dealer_before + 1, worker, log) >= dealer_before + 1
        # the order's entry itself (the demo users' task reminders of the day may come first)
        changed = wait_for_entry(dealer, f"/orders/{pk}", worker, log)
        assert f"The supplier changed or rejected lines of order {number}" in changed.inner_text()
        assert worker.poll() is None, log.read_text()[-3000:]
