"""End to end in Debian's Chromium (Playwright) against a live `portal serve` on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from portal.cases import service as cases
from portal.customers import service as customers
from portal.db import make_engine, make_sessionmaker
from portal.models import Base, OpportunityStage, Organization
from portal.opportunities import service as opportunities
from tests.builders import build_scene
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, private_schema, require_chromium, serve

pytestmark = pytest.mark.browser

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@dataclass(frozen=True)
class Seeded:
    base: str
    order_id: int
    customer_id: int
    dealer_case_id: int
    long_mail_customer_id: int


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    require_chromium()
    stack = ExitStack()
    if PG_URL:
        url = stack.enter_context(private_schema(PG_URL, "browser"))
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
        # an agreed tolerance: the supplier's cut of line 1 (10 to 6) stands without the buyer's review
        supplier = uow.session.get(Organization, scene.orgs["supplier-a"].id)
        assert supplier is not None
        supplier.tolerance_quantity_percent = Decimal(50)
        case = cases.open_case(uow=uow, principal=scene.p("dealer-group"), subject="Nur für den Händler")
        long_mail = customers.create_customer(
            uow=uow,
            principal=scene.p("owner"),
            name="Sanitär- und Heizungsfachbetrieb Großmann-Schwarzenberger",
            email="einkauf.zentrale.nord-ost@sanitaer-und-heizungsfachbetrieb-grossmann-schwarzenberger.example",
        )
        customers.share_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=long_mail.id,
            organization_id=scene.orgs["dealer-group"].id,
        )
        # Long German names on the pipeline board: each must fit its card unbroken.
        for stage in (
            OpportunityStage.QUALIFICATION,
            OpportunityStage.PROPOSAL,
            OpportunityStage.NEGOTIATION,
        ):
            opportunities.create_opportunity(
                uow=uow,
                principal=scene.p("owner"),
                customer_id=customer.id,
                name="Heizungsmodernisierung Mehrfamilienhaus Sonnenschein",
                expected_close=date(2027, 3, 31),
                amount=Decimal("48250.00"),
                stage=stage,
            )
    engine.dispose()
    try:
        with serve(url) as base:
            yield Seeded(base, order.id, customer.id, case.id, long_mail.id)
    finally:
        stack.close()


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


# What a phone user touches: every visible link, button, field and disclosure.
_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary')]
  .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                 return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
                   && !e.closest('.skip') && !e.closest('.sr-only') && !e.closest('footer'); })
  .map(e => { const r = e.getBoundingClientRect();
              const label = e.closest('label') || (e.id && document.querySelector(`label[for="${e.id}"]`));
              const l = label ? label.getBoundingClientRect() : r;
              return {tag: e.tagName, text: (e.innerText || e.name || e.type || '').slice(0, 30),
                      height: Math.max(r.height, e.type === 'checkbox' ? l.height : 0)}; })"""


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_phone_gets_a_compact_header_a_menu_and_44_pixel_targets(
    browser: object, live: Seeded, lang: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=live.base, viewport={"width": 375, "height": 812})  # type: ignore[attr-defined]
    p: Any = context.new_page()
    try:
        p.goto(f"/login?lang={lang}")
        p.locator("#f-email").fill("dealer-group@example.test")
        p.locator("#f-password").fill(PASSWORD)
        p.locator("form[action='/login'] button[type=submit]").click()
        p.locator("main h1").wait_for()
        header = p.locator("header.top").bounding_box()
        assert header is not None and header["height"] <= 64, header
        assert not p.locator("nav.main-nav").is_visible()  # the wide menu is not a cut-off strip
        menu = p.locator("details.menu > summary")
        menu.click()
        cases_link = p.locator(".menu-panel nav a[href='/cases']")
        expect(cases_link).to_be_visible()
        cases_link.click()
        p.wait_for_url("**/cases")
        for url in [
            "/",
            "/orders",
            f"/orders/{live.order_id}",
            "/cases",
            f"/cases/{live.dealer_case_id}",
            f"/customers/{live.customer_id}",
            f"/customers/{live.long_mail_customer_id}",
            "/admin/users",
        ]:
            p.goto(url)
            overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (url, overflow)
            small = [t for t in p.evaluate(_TARGETS) if t["height"] < 44]
            assert small == [], (url, small)
            p.locator("details.menu > summary").click()  # open: its links count too
            small = [t for t in p.evaluate(_TARGETS) if t["height"] < 44]
            assert small == [], (url, "menu", small)
    finally:
        context.close()


def test_a_wide_screen_shows_the_menu_in_the_header(browser: object, live: Seeded) -> None:
    context = browser.new_context(base_url=live.base, viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    p: Any = context.new_page()
    try:
        _login(p, "owner@example.test")
        assert p.locator("nav.main-nav a[href='/admin/users']").is_visible()  # administration
        assert p.locator("nav.main-nav a[href='/pipeline']").is_visible()
        assert not p.locator("details.menu").is_visible()
        header = p.locator("header.top").bounding_box()
        assert header is not None and header["height"] <= 100, header  # two rows: tools, then the menu
        name = p.locator(".tools .me").bounding_box()
        assert name is not None and name["height"] <= 44, name  # the user's name on one line
    finally:
        context.close()


# Words split over two lines: every whitespace-separated word of the page's text (not an e-mail
# address or URL, which may break) must lie on one line, except after a hyphen between two parts of
# three characters or more ("Rhein-|Main", "SO-2026-|000001"; not "E-|Mail", "WW-|1017").
# Hyphenation would count as a split too, but a word this short never needs it. Not checked: the
# history's sentences (ol.timeline), whose order numbers may break after "SO-" like any text.
_SPLIT_WORDS = """(maxLength) => {
  const split = [];
  const range = document.createRange();
  const top = (node, i) => {
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    return rects.length ? Math.round(rects[0].top) : null;
  };
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const skip = 'select, textarea, svg, .sr-only, ol.timeline';
    if (!node.parentElement || node.parentElement.closest(skip)) continue;
    for (const m of node.textContent.matchAll(/\\S+/g)) {
      const word = m[0];
      if (word.length > maxLength || word.includes('@') || word.includes('://')) continue;
      let line = top(node, m.index);
      for (let i = 1; i < word.length; i++) {
        const here = top(node, m.index + i);
        if (here === null || line === null || here === line) { line = here ?? line; continue; }
        const before = word.slice(0, i), after = word.slice(i);
        const fair = before.endsWith('-') && before.slice(0, -1).split('-').pop().length >= 3
          && after.split('-')[0].length >= 3;
        if (!fair) split.push(word);
        line = here;
      }
    }
  }
  return split;
}"""
# On phones a cell's column name is its ::before: no word of it may be wider than the box it gets.
_SQUEEZED_LABELS = """() => {
  const squeezed = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const td of document.querySelectorAll('main td[data-label]')) {
    const style = getComputedStyle(td, '::before');
    if (style.content === 'none' || !td.getClientRects().length) continue;
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const widest = Math.max(...td.dataset.label.split(/\\s+/).map(w => ctx.measureText(w).width));
    const width = parseFloat(style.width);
    if (!(width + 0.5 >= widest)) squeezed.push([td.dataset.label, style.width, widest]);
  }
  return squeezed;
}"""


@pytest.mark.parametrize("width", [375, 1366])
def test_words_are_not_broken_mid_word_and_tables_keep_their_headers(
    browser: object, live: Seeded, width: int
) -> None:
    context = browser.new_context(base_url=live.base, viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    p: Any = context.new_page()
    try:
        p.goto("/login?lang=de")
        p.locator("#f-email").fill("owner@example.test")
        p.locator("#f-password").fill(PASSWORD)
        p.locator("form[action='/login'] button[type=submit]").click()
        p.locator("main h1").wait_for()
        pages = [
            "/",
            "/orders",
            f"/orders/{live.order_id}",
            "/cases",
            "/customers",
            "/admin/users",
            "/pipeline",
        ]
        for url in pages:
            p.goto(url)
            rows = "main li.opp-card" if url == "/pipeline" else "main td"
            assert p.locator(rows).count() > 0, url  # the checks below look at real rows
            # The board's card names are headings of a kind: its 22-letter German words too.
            assert p.evaluate(_SPLIT_WORDS, 24 if url == "/pipeline" else 16) == [], (url, width)
            if width < 640:
                assert p.evaluate(_SQUEEZED_LABELS) == [], (url, width)
            overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (url, overflow)
        if width > 1000:  # the by-partner table fits its card: no header cut off
            p.goto("/")
            wrap = p.locator("section[aria-labelledby=h-partners] .table-wrap")
            assert wrap.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    finally:
        context.close()


def test_the_active_badge_on_a_phone_is_a_small_pill_beside_the_deactivate_button(
    browser: object, live: Seeded
) -> None:
    context = browser.new_context(base_url=live.base, viewport={"width": 375, "height": 812})  # type: ignore[attr-defined]
    p: Any = context.new_page()
    try:
        p.goto("/login?lang=de")
        p.locator("#f-email").fill("owner@example.test")
        p.locator("#f-password").fill(PASSWORD)
        p.locator("form[action='/login'] button[type=submit]").click()
        p.locator("main h1").wait_for()
        p.goto("/admin/users")
        rows = p.locator("main tr:has(button.link)")
        assert rows.count() > 0
        for n in range(rows.count()):
            badge = rows.nth(n).locator(".badge").bounding_box()
            assert badge is not None and badge["height"] <= 28 and badge["width"] > 1.5 * badge["height"], (
                badge
            )
    finally:
        context.close()


# Typed quantities, read by the new-order form's live totals and by the server (Form.decimal).
NUMBER_CASES = [
    *("1,000", "1.000", "1.000,5", "1.000,50", "1000", "1,5", "1,50", "1,125", "0,125", "00,125"),
    *("10.00", "1.0000", "1.000.000", "12.34.56", "-1,000", "-1.000", ",5", ".5", "5,", "1,2,3"),
    *(" 7 ", "1 000", "1\u00a0000", "1e3", "abc", "1.000,", "01.000", "0,000", "1,000.5", "1.000,25"),
]


def _expected_total(p: Any, lang: str, typed: str, price: Decimal) -> str:
    from starlette.datastructures import FormData

    from portal.errors import InvalidInput
    from portal.web.forms import Form

    try:
        value = Form(FormData([("q", typed)])).decimal("q", locale=lang)
    except InvalidInput:
        value = None
    if value is None:
        return "–"
    amount = str(value * price)
    script = "a => new Intl.NumberFormat(document.documentElement.lang, {style: 'currency', currency: 'EUR'})"
    return str(p.evaluate(script + ".format(Number(a))", amount))


def test_the_live_line_total_reads_a_number_exactly_as_the_server_does(page: object, live: Seeded) -> None:
    """German "1,000" is ambiguous for the server, so the line shows no total (not 1 x price);
    "1.000" is a thousand. And every other typed form: a total iff the server would store it."""
    from playwright.sync_api import expect

    p: Any = page
    _login(p, "dealer-group@example.test")
    for lang in ("de", "en"):
        p.goto(f"/orders/new?lang={lang}")
        expect(p.locator("html")).to_have_attribute("lang", lang)
        product = p.locator('[name="line-1-product"]')
        product.select_option(index=1)
        price = Decimal(product.locator("option:checked").get_attribute("data-price"))
        quantity = p.locator('[name="line-1-quantity"]')
        total = p.locator('.line-row[data-line="1"] .line-total')
        if lang == "de":
            quantity.fill("1,000")
            expect(total).to_have_text("–")
            quantity.fill("1.000")
            expect(total).to_have_text(_expected_total(p, "de", "1.000", price))
            assert Decimal(1000) * price == Decimal("12500.00")  # what that text says
            expect(total).to_have_text("12.500,00\u00a0€")
        for typed in NUMBER_CASES:
            quantity.fill(typed)
            expect(total, f"{lang}: {typed!r}").to_have_text(_expected_total(p, lang, typed, price))


def test_a_pipeline_card_offers_the_next_stage_first(browser: object, live: Seeded) -> None:
    """Moving a card is usually one step forward: its select starts on the next stage."""
    context = browser.new_context(base_url=live.base, viewport={"width": 375, "height": 812})  # type: ignore[attr-defined]
    p: Any = context.new_page()
    try:
        p.goto("/login?lang=en")
        p.locator("#f-email").fill("owner@example.test")
        p.locator("#f-password").fill(PASSWORD)
        p.locator("form[action='/login'] button[type=submit]").click()
        p.locator("main h1").wait_for()
        p.goto("/pipeline")
        chosen = {
            stage: p.locator(f"section[aria-labelledby=stage-{stage}] li.opp-card select").first.input_value()
            for stage in ("qualification", "proposal", "negotiation")
        }
        assert chosen == {"qualification": "proposal", "proposal": "negotiation", "negotiation": "won"}
    finally:
        context.close()
