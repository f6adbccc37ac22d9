"""The goods receipt end to end in Chromium (issue #17.3): the owner's staff record a receipt with a
shortfall on a shipped order, a bad line first (a damaged quantity without a reason, named at the
field), and the supplier sees the receipt on the order page; in German at desktop width and in
English on the phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, translator

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize(("lang", "viewport"), [("de", DESKTOP), ("en", PHONE)])
def test_owner_records_a_shortfall_and_the_supplier_sees_it(
    browsing: Browsing, live: Live, lang: str, viewport: dict[str, int]
) -> None:
    t = translator(lang)
    supplier = browsing.open("supplier", lang=lang, viewport=viewport)
    supplier.goto("/orders?status=shipped&sort=created_at&dir=desc")
    link = supplier.locator("table.list tbody tr a").first
    _expect()(link).to_be_visible()
    link.click()
    supplier.wait_for_url(re.compile(r"/orders/\d+$"))
    url = supplier.url
    _expect()(supplier.locator("#receive-form")).to_have_count(0)  # the supplier ships, others count

    owner = browsing.open("owner_sales", lang=lang, viewport=viewport)
    owner.goto(url)
    form = owner.locator("#receive-form")
    _expect()(form).to_be_visible()
    first = form.locator("input[name$='-received']").first
    line_no = re.search(r"line-(\d+)-received", first.get_attribute("name") or "")
    assert line_no
    n = line_no.group(1)
    first.fill("1")
    form.locator(f"input[name='line-{n}-damaged']").fill("1")
    form.locator("button[type=submit]").click()  # damaged without a reason: refused at the field
    _expect()(owner.locator(f"#line-{n}-reason-error")).to_be_visible()
    form = owner.locator("#receive-form")
    _expect()(form.locator(f"input[name='line-{n}-received']")).to_have_value("1")  # kept as typed
    # Nothing of the line arrived: a shortfall whatever was counted on it before (both runs of this
    # test, and the journeys and the crawler before them, may count on the newest shipped order; one
    # more piece on a line already counted in full is an excess, not a shortfall).
    form.locator(f"input[name='line-{n}-received']").fill("0")
    form.locator(f"input[name='line-{n}-damaged']").fill("")
    form.locator(f"select[name='line-{n}-reason']").select_option("short")
    form.locator(f"input[name='line-{n}-note']").fill("E2E: Rest fehlt")
    form.locator("button[type=submit]").click()
    _expect()(owner.locator("main [role=status]")).to_contain_text(
        t("The goods receipt has been recorded; the supplier is told of the differences.")
    )

    supplier.goto(url)
    receipts = supplier.locator("#receipts")
    _expect()(receipts).to_contain_text(t("Damages or shortfalls"))
    _expect()(receipts).to_contain_text(t("Short delivery"))
    _expect()(receipts).to_contain_text("E2E: Rest fehlt")
    assert [f for f in browsing.failures if not f.endswith("/favicon.ico")] == [f"400 POST {url}/receipts"]
