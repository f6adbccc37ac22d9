"""Procure-to-pay pages in Chromium against a live `portal serve` (issue #17 walk): the buyer's review
form (a small radio beside its label) and the invoice's lines at phone width (stacked cards)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine, make_sessionmaker
from portal.exchange import upload as uploads
from portal.models import Base, Invoice, LineResponse
from portal.orders import service as orders
from tests.builders import Scene, build_scene
from tests.web.conftest import PASSWORD, add_users
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, private_schema, require_chromium, serve

pytestmark = pytest.mark.browser

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@dataclass(frozen=True)
class Seeded:
    base: str
    review_order_id: int
    invoice_id: int
    einvoice_id: int | None  # KoSIT's comprehensive CII test file, uploaded (None without ../shared)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    require_chromium()
    stack = ExitStack()
    if PG_URL:
        url = stack.enter_context(private_schema(PG_URL, "p2pbrowser"))
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('p2pbrowser')) / 'portal.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    scene = build_scene(factory)
    add_users(factory, scene)
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(10, 5))
    with scene.uow() as uow:  # line 1 cut, line 2 rejected: both wait for the buyer's review
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[
                orders.LineAnswer(1, LineResponse.CHANGED, quantity=Decimal(2)),
                orders.LineAnswer(2, LineResponse.REJECTED, reason="discontinued"),
            ],
        )
    billed = scene.order(scene.customer(), supplier="supplier-a")
    scene.fulfil(billed, "supplier-a")
    with factory() as session:
        invoice_id = session.scalars(select(Invoice.id).where(Invoice.order_id == billed.id)).one()
    einvoice_id = _uploaded_kosit(scene, factory)
    engine.dispose()
    try:
        with serve(url) as base:
            yield Seeded(base, order.id, invoice_id, einvoice_id)
    finally:
        stack.close()


def _uploaded_kosit(scene: Scene, factory: sessionmaker[Session]) -> int | None:
    """A confirmed order of supplier-a billed by KoSIT's test file 01.04 (its notes carry subject
    codes, its VAT breakdown long German words)."""
    from tests.edi.corpus import CONFORMANCE

    source = CONFORMANCE / "kosit-xrechnung-testsuite" / "01.04_comprehensive_test_uncefact.xml"
    if not source.is_file():
        return None
    order = scene.order(scene.customer(), supplier="supplier-a", quantities=(30, 42))
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=scene.p("supplier-a"),
            order_id=order.id,
            answers=[orders.LineAnswer(n, LineResponse.ACCEPTED) for n in (1, 2)],
        )
    text = (
        source.read_text(encoding="utf-8")
        .replace(
            "<ram:IssuerAssignedID>65002278</ram:IssuerAssignedID>",
            f"<ram:IssuerAssignedID>{order.number}</ram:IssuerAssignedID>",
        )
        .replace(  # a second note, with its own subject code
            "</ram:IncludedNote>\n    </rsm:ExchangedDocument>",
            "</ram:IncludedNote><ram:IncludedNote><ram:Content>Invoice Note Description 2</ram:Content>"
            "<ram:SubjectCode>AAC</ram:SubjectCode></ram:IncludedNote>\n    </rsm:ExchangedDocument>",
        )
    )
    assert "Invoice Note Description 2" in text
    with scene.uow() as uow:
        uploads.upload_invoice(
            uow=uow,
            principal=scene.p("supplier-a"),
            filename="01.04.xml",
            data=text.encode(),
            order_id=order.id,
        )
    with factory() as session:
        return session.scalars(select(Invoice.id).where(Invoice.order_id == order.id)).one()


@pytest.fixture(scope="module")
def browser(live: Seeded) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser: object, live: Seeded, width: int, lang: str) -> object:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=live.base, viewport={"width": width, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def _login(page: object, email: str, lang: str) -> None:
    page.goto(f"/login?lang={lang}")  # type: ignore[attr-defined]
    page.locator("input[name=email]").fill(email)  # type: ignore[attr-defined]
    page.locator("input[name=password]").fill(PASSWORD)  # type: ignore[attr-defined]
    page.locator("form[action='/login'] button[type=submit]").click()  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


# Per radio button of the review form: its box, its label's box and the next field's label.
_RADIOS = """() => [...document.querySelectorAll('#review-form input[type=radio]')].map(r => {
  const box = r.getBoundingClientRect(); const label = r.closest('label').getBoundingClientRect();
  return {w: box.width, h: box.height, left: box.left, top: box.top, bottom: box.bottom,
          labelLeft: label.left, labelTop: label.top, labelBottom: label.bottom, labelHeight: label.height,
          text: r.closest('label').innerText.trim()}; })"""


@pytest.mark.parametrize(("width", "lang"), [(375, "de"), (1366, "en"), (375, "en"), (1366, "de")])
def test_the_review_form_shows_a_small_radio_beside_its_label(
    browser: object, live: Seeded, width: int, lang: str
) -> None:
    page = _page(browser, live, width, lang)
    try:
        _login(page, "owner@example.test", lang)
        page.goto(f"/orders/{live.review_order_id}")  # type: ignore[attr-defined]
        radios = page.evaluate(_RADIOS)  # type: ignore[attr-defined]
        assert len(radios) == 4
        words = {"en": {"Accept", "Reject"}, "de": {"Annehmen", "Ablehnen"}}[lang]
        assert {r["text"] for r in radios} == words
        for r in radios:
            assert r["w"] <= 32 and r["h"] <= 32, r  # a box, not a full-width circle
            # beside its label's text on the same line, and the label a 44 px target
            assert r["top"] >= r["labelTop"] - 1 and r["bottom"] <= r["labelBottom"] + 1, r
            assert r["labelHeight"] >= 44, r
        accept, reject = radios[0], radios[1]
        assert accept["top"] == reject["top"]  # "Accept" and "Reject" side by side
        reason = page.locator("#review-form label[for=rr-1]").bounding_box()  # type: ignore[attr-defined]
        assert reason["y"] >= reject["labelBottom"] - 1  # the reason's label on a line of its own
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0
    finally:
        page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_invoice_lines_stack_into_labelled_cards_on_a_phone(
    browser: object, live: Seeded, lang: str
) -> None:
    page = _page(browser, live, 375, lang)
    try:
        _login(page, "owner@example.test", lang)
        page.goto(f"/invoices/{live.invoice_id}")  # type: ignore[attr-defined]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0
        cells = page.locator("#invoice-lines tbody td")  # type: ignore[attr-defined]
        assert cells.count() >= 8
        for i in range(cells.count()):
            cell = cells.nth(i)
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, i
            label = cell.evaluate("e => getComputedStyle(e, '::before').content")
            assert label not in ("none", '""', "normal"), i  # every value names its column
        match = page.locator("#invoice-lines td[data-label]").nth(7)  # type: ignore[attr-defined]
        assert match.is_visible()
        scrolls = page.evaluate(  # type: ignore[attr-defined]
            "() => { const w = document.querySelector('#invoice-lines').closest('.table-wrap');"
            " return w ? w.scrollWidth - w.clientWidth : 0; }"
        )
        assert scrolls <= 0  # nothing hidden in a sideways scroll box
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_the_invoice_actions_are_separate_groups_and_the_lines_a_styled_table_on_a_desktop(
    browser: object, live: Seeded
) -> None:
    page = _page(browser, live, 1366, "en")
    try:
        _login(page, "owner@example.test", "en")
        page.goto(f"/invoices/{live.invoice_id}")  # type: ignore[attr-defined]
        approve = page.locator("#approve-form").bounding_box()  # type: ignore[attr-defined]
        dispute = page.locator("#dispute-form").bounding_box()  # type: ignore[attr-defined]
        assert dispute["y"] >= approve["y"] + approve["height"] + 12  # spaced apart, not run together
        border = page.locator("#dispute-form").evaluate("e => getComputedStyle(e).borderTopStyle")  # type: ignore[attr-defined]
        assert border == "solid"
        header = page.locator("#invoice-lines th").first  # type: ignore[attr-defined]
        assert header.evaluate("e => getComputedStyle(e).textAlign") in ("left", "start")
        table = page.locator("#invoice-lines")  # type: ignore[attr-defined]
        assert table.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"  # a card like the lists
    finally:
        page.context.close()  # type: ignore[attr-defined]


def test_the_review_inbox_filter_is_not_cut_on_a_phone(browser: object, live: Seeded) -> None:
    page = _page(browser, live, 375, "de")
    try:
        _login(page, "owner@example.test", "de")
        page.goto("/orders?review=awaiting")  # type: ignore[attr-defined]
        assert page.locator("h1").inner_text() == "Zu prüfende Änderungen"  # type: ignore[attr-defined]
        select = page.locator("select[name=review]")  # type: ignore[attr-defined]
        width = select.evaluate("e => e.getBoundingClientRect().width")
        text = select.evaluate(  # the chosen option's text, measured in the select's font
            "e => { const c = document.createElement('canvas').getContext('2d');"
            " c.font = getComputedStyle(e).font;"
            " return c.measureText(e.options[e.selectedIndex].text).width; }"
        )
        assert width >= text + 40, (width, text)  # the text and the arrow fit
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0
    finally:
        page.context.close()  # type: ignore[attr-defined]


# Per cell of the VAT breakdown: the words of its value split over two lines, and whether its
# column name sits beside the value (floated) instead of above it.
_VAT_CELLS = r"""() => [...document.querySelectorAll('table.einvoice-tax td')].map(td => {
  const split = [];
  const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /\S+/g; let m;
    while ((m = re.exec(node.textContent))) {
      const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
      if (tops.size > 1) split.push(m[0]);
    }
  }
  return {split, float: getComputedStyle(td, '::before').float, text: td.innerText}; })"""


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_readable_einvoice_on_a_phone_keeps_words_whole_and_drops_subject_codes(
    browser: object, live: Seeded, lang: str
) -> None:
    if live.einvoice_id is None:
        pytest.skip("../shared/conformance is not present")
    page = _page(browser, live, 375, lang)
    try:
        _login(page, "supplier-a@example.test", lang)
        page.goto(f"/invoices/{live.einvoice_id}")  # type: ignore[attr-defined]
        cells = page.evaluate(_VAT_CELLS)  # type: ignore[attr-defined]
        assert cells
        for cell in cells:
            assert cell["split"] == [], cell  # no word broken mid-word
            assert cell["float"] == "none", cell  # the column name above its value, never over it
        main = page.locator("main").inner_text()  # type: ignore[attr-defined]
        assert "Invoice Note Description 2" in main and "#AAC#" not in main and "#ADU#" not in main
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")  # type: ignore[attr-defined]
        assert overflow <= 0
    finally:
        page.context.close()  # type: ignore[attr-defined]
