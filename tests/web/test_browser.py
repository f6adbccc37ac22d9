"""End to end in Debian's Chromium (Playwright) against a live `portal serve` on 127.0.0.1."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from portal.cases import service as cases
from portal.db import make_engine, make_sessionmaker
from portal.models import Base
from tests.builders import build_scene
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, require_chromium, serve

pytestmark = pytest.mark.browser

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@dataclass(frozen=True)
class Seeded:
    base: str
    order_id: int
    customer_id: int
    dealer_case_id: int


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    require_chromium()
    schema = None
    if PG_URL:
        schema = f"browser_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('browser')) / 'portal.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    scene = build_scene(factory)
    add_users(factory, scene)
    customer = scene.customer("Bäckerei Sonnenschein", shared_with=("dealer-group",))
    order = scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(10, 4))
    with scene.uow() as uow:
        case = cases.open_case(uow=uow, principal=scene.p("dealer-group"), subject="Nur für den Händler")
    engine.dispose()
    try:
        with serve(url) as base:
            yield Seeded(base, order.id, customer.id, case.id)
    finally:
        if schema and PG_URL:
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(scope="module")
def browser(live: Seeded) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, live: Seeded) -> Iterator[object]:
    context = browser.new_context(base_url=live.base, locale="en-US", timezone_id="Europe/Berlin")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _login(page: object, email: str) -> None:
    page.goto("/login")  # type: ignore[attr-defined]
    page.get_by_label("E-mail address").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Good to see you").wait_for()  # type: ignore[attr-defined]


def test_supplier_confirms_ships_and_invoices_and_sees_the_status_change(page: object, live: Seeded) -> None:
    from playwright.sync_api import expect

    p: Any = page
    _login(p, "supplier-a@example.test")
    p.goto(f"/orders/{live.order_id}")
    status = p.locator("#order-status")
    expect(status).to_have_text("Awaiting confirmation")
    p.get_by_label("Answer for line 1").select_option("accepted")
    p.get_by_label("Quantity for line 1").fill("6")
    p.get_by_role("button", name="Send answer").click()
    expect(p.get_by_role("status")).to_contain_text("Your answer has been saved.")
    expect(status).to_have_text("Partially confirmed")

    ship = p.locator("#ship-form")
    ship.get_by_label("Delivery note number").fill("LS-4711")
    ship.get_by_label("Carrier").fill("DHL")
    expect(ship.get_by_label("Line 1: ", exact=False)).to_have_value("6")
    ship.get_by_role("button", name="Record ship notice").click()
    expect(p.get_by_role("status")).to_contain_text("The ship notice has been recorded.")
    expect(status).to_have_text("Partially shipped")

    invoice = p.locator("#invoice-form")
    invoice.get_by_label("Invoice number").fill("RE-2026-1")
    invoice.get_by_role("button", name="Submit invoice").click()
    expect(p.get_by_role("status")).to_contain_text("The invoice has been submitted.")
    expect(status).to_have_text("Partially invoiced")
    expect(p.locator("#timeline")).to_contain_text("(Supplier A) submitted invoice RE-2026-1 for order")


def test_dealer_opens_a_case_comments_and_schedules_an_appointment(page: object, live: Seeded) -> None:
    from playwright.sync_api import expect

    p: Any = page
    _login(p, "dealer-group@example.test")
    p.get_by_role("link", name="Cases", exact=True).click()
    p.get_by_role("link", name="Open a case").click()
    p.get_by_label("Subject").fill("Ofen heizt nicht")
    p.get_by_label("Priority").select_option("high")
    p.get_by_role("button", name="Open case").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Ofen heizt nicht")
    p.get_by_label("Your comment").fill("Kunde bittet um Rückruf")
    p.get_by_role("button", name="Add comment").click()
    expect(p.locator("#comments")).to_contain_text("Kunde bittet um Rückruf")

    p.goto(f"/customers/{live.customer_id}")
    form = p.locator("#activity-form")
    form.get_by_label("Kind").select_option("appointment")
    form.get_by_label("Subject").fill("Wartungstermin")
    form.get_by_label("Starts (for meetings and appointments)").fill("2030-05-06T09:00")
    form.get_by_label("Ends").fill("2030-05-06T10:00")
    form.get_by_role("button", name="Save").click()
    expect(p.get_by_role("status")).to_contain_text("The appointment has been scheduled.")
    expect(p.locator("#history")).to_contain_text("Wartungstermin")


def test_language_switch_turns_the_portal_german(page: object, live: Seeded) -> None:
    from playwright.sync_api import expect

    p: Any = page
    _login(p, "dealer-group@example.test")
    p.get_by_role("link", name="Deutsch").click()
    expect(p.locator("html")).to_have_attribute("lang", "de")
    expect(
        p.get_by_role("heading", name="Aufträge pro Woche", exact=False)
        .or_(p.get_by_text("Aufträge pro Woche"))
        .first
    ).to_be_visible()
    p.get_by_role("link", name="Aufträge", exact=True).click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Aufträge")
    p.get_by_role("link", name="English").click()
    expect(p.get_by_role("heading", level=1)).to_have_text("Orders")


def test_supplier_cannot_reach_a_dealers_case_by_url(page: object, live: Seeded) -> None:
    from playwright.sync_api import expect

    p: Any = page
    _login(p, "supplier-a@example.test")
    response = p.goto(f"/cases/{live.dealer_case_id}")
    assert response is not None and response.status == 404
    expect(p.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(p.locator("body")).not_to_contain_text("Nur für den Händler")


def test_pages_fit_a_375_pixel_phone_and_work_by_keyboard(browser: object, live: Seeded) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live.base, viewport={"width": 375, "height": 812})  # type: ignore[attr-defined]
    p = context.new_page()
    try:
        p.goto("/login")
        expect(p.get_by_label("E-mail address")).to_be_focused()  # autofocus: type right away
        p.keyboard.type("supplier-a@example.test")
        p.keyboard.press("Tab")
        p.keyboard.type(PASSWORD)
        p.keyboard.press("Enter")
        p.get_by_role("heading", name="Good to see you").wait_for()
        p.goto("/orders")
        p.keyboard.press("Tab")  # the skip link comes first
        expect(p.get_by_role("link", name="Skip to content")).to_be_focused()
        p.keyboard.press("Enter")
        expect(p.locator("main")).to_be_focused()
        for url in ["/", "/orders", f"/orders/{live.order_id}", "/cases"]:
            p.goto(url)
            overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (url, overflow)
    finally:
        context.close()
