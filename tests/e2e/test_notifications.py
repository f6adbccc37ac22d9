"""Notifications end to end, with real processes: `portal serve` and `portal exchange run` (whose
loop runs the notifier) on one database, Chromium for the portal, GraphQL over HTTP for the API.

A supplier's user sees a routed order in its bell and list and opens it from there; the dealer who
sold the order sees the supplier's line change in its bell. SQLite, or PostgreSQL with
PORTAL_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from portal.gql.ids import decode_id
from portal.seed import DEMO_PASSWORD
from tests.e2e.test_exchange_loop import OWNER, SUPPLIER, background, gql, portal
from tests.web.live import serve

DEALER = {"Authorization": "Bearer ptk_demo_haustechnik_dealer"}


def log_in(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context(base_url=base, locale="en-GB", timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/login?lang=en")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def bell(page: Any) -> int:
    return int(page.locator(".bell .count").inner_text())


def wait_for_entry(page: Any, href: str, worker: Any, log: Path) -> Any:
    """Reload the inbox until the worker has delivered an entry linking to ``href`` (other entries,
    such as the demo users' task reminders of the day, may come in the same pass)."""
    deadline = time.monotonic() + 60
    while True:
        page.goto("/notifications")
        entry = page.locator(f".inbox a.title[href='{href}']")
        if entry.count():
            return entry.first
        assert worker.poll() is None, log.read_text()[-3000:]
        if time.monotonic() > deadline:
            pytest.fail(f"no inbox entry for {href}\n{log.read_text()[-3000:]}")
        time.sleep(0.3)  # polling the server with a deadline


def wait_for_bell(page: Any, at_least: int, worker: Any, log: Path) -> int:
    """Reload until the worker has delivered (the bell is drawn by the server on each page)."""
    deadline = time.monotonic() + 60
    while True:
        page.goto("/")
        count = bell(page)
        if count >= at_least:
            return count
        assert worker.poll() is None, log.read_text()[-3000:]
        if time.monotonic() > deadline:
            pytest.fail(f"the bell shows {count}\n{log.read_text()[-3000:]}")
        time.sleep(0.3)  # polling the server with a deadline


@pytest.mark.slow
def test_supplier_and_dealer_are_notified_through_the_worker(
    empty_database_url: str, tmp_path: Path, browser: Any
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
    }
    portal(env, "db", "upgrade")
    portal(env, "seed", "demo", "--scale", "0.02")
    # One pass first: what is due today (tasks due, late orders) is told before the bells are
    # counted, not by the background worker's first pass at any moment during the test.
    portal(env, "exchange", "run", "--once")
    log = tmp_path / "worker.log"
    with ExitStack() as stack:
        base = stack.enter_context(serve(empty_database_url))
        worker = stack.enter_context(background(env, log, "exchange", "run", "--interval", "0.5"))
        supplier = log_in(browser, base, "team@nordtec.example")
        dealer = log_in(browser, base, "team@haustechnik-nord.example")
        supplier_before, dealer_before = bell(supplier), bell(dealer)

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

        # The supplier: the bell counts the routed order, the list names it, the entry opens it.
        entry = wait_for_entry(supplier, f"/orders/{pk}", worker, log)
        assert f"Order {number} was routed to you" in entry.inner_text()
        supplier.goto("/")
        assert bell(supplier) >= supplier_before + 1
        supplier.locator(".bell").click()
        supplier.wait_for_url(re.compile(r"/notifications$"))
        entry = supplier.locator(f".inbox a.title[href='/orders/{pk}']")
        entry.click()
        supplier.wait_for_url(re.compile(rf"/orders/{pk}$"))
        assert number in supplier.locator("main h1").inner_text()

        # The supplier rejects a line over the API: the dealer who sold the order is told.
        answered = gql(
            base,
            SUPPLIER,
            """mutation($input: ConfirmOrderInput!) { confirmOrder(input: $input) {
                 userErrors { message } } }""",
            input={
                "order": order_id,
                "lines": [
                    {"lineNo": 1, "action": "ACCEPT"},
                    {"lineNo": 2, "action": "REJECT", "reason": "sold out"},
                ],
            },
        )
        assert answered["confirmOrder"]["userErrors"] == []
        assert wait_for_bell(dealer, dealer_before + 1, worker, log) >= dealer_before + 1
        deadline = time.monotonic() + 60
        while True:  # the order's first entry (the dealer's own order.created tells it nothing)
            dealer.goto("/notifications?unread=1")
            changed = dealer.locator(f".inbox a.title[href='/orders/{pk}']")
            if changed.count() or time.monotonic() > deadline:
                break
            time.sleep(0.3)  # polling the server with a deadline
        assert f"The supplier changed or rejected lines of order {number}" in changed.first.inner_text()
        # Mark all read: the bell goes to zero.
        dealer.locator("form[action='/notifications/read'] button").first.click()
        dealer.wait_for_url(re.compile(r"/notifications$"))
        assert bell(dealer) == 0
        assert worker.poll() is None, log.read_text()[-3000:]
