"""The buyer's change of a routed order, end to end in Chromium (issue #17, part 2): the owner's
sales staff change a line on the order page, the supplier sees the new version and confirms the
changed line again; in German at desktop width and in English on the phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, translator

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
QUANTITY = {"de": "37", "en": "41"}  # each run changes the line to a quantity of its own


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize(("lang", "viewport"), [("de", DESKTOP), ("en", PHONE)])
def test_owner_changes_a_routed_order_and_the_supplier_confirms_it_again(
    browsing: Browsing, live: Live, lang: str, viewport: dict[str, int]
) -> None:
    t = translator(lang)
    supplier = browsing.open("supplier", lang=lang, viewport=viewport)
    supplier.goto("/orders?status=awaiting_confirmation&sort=created_at&dir=desc")
    link = supplier.locator("table.list tbody tr a").first
    _expect()(link).to_be_visible()
    link.click()
    supplier.wait_for_url(re.compile(r"/orders/\d+$"))
    url = supplier.url
    path = url[url.index("/orders/") :]

    owner = browsing.open("owner_sales", lang=lang, viewport=viewport)
    owner.goto(path)
    form = owner.locator("#change-form")
    quantity = form.locator("input[name$='-quantity']").first
    line_no = re.search(r"line-(\d+)-quantity", quantity.get_attribute("name") or "")
    assert line_no
    n = line_no.group(1)
    quantity.fill(QUANTITY[lang])
    form.locator("input[name='note']").fill("E2E: Kunde braucht mehr")
    form.locator("button[type=submit]").last.click()
    _expect()(owner.locator("main [role=status]")).to_contain_text(
        t("The order has been changed; the supplier is asked to confirm the changed lines.")
    )
    _expect()(owner.locator("#versions")).to_contain_text(t("Changed by the buyer"))

    supplier.goto(path)
    versions = supplier.locator("#versions")
    _expect()(versions).to_contain_text("E2E: Kunde braucht mehr")
    _expect()(versions).to_contain_text(QUANTITY[lang])
    _expect()(supplier.locator("#change-form")).to_have_count(0)
    answer = supplier.locator(f"#respond-form select[name='line-{n}-action']")
    _expect()(answer).to_be_visible()  # the changed line waits for the supplier's answer again
    answer.select_option("accepted")
    supplier.locator("#respond-form button[type=submit]:not([name])").click()
    _expect()(supplier.locator("main [role=status]")).to_contain_text(t("Your answer has been saved."))
    row = supplier.locator("table.lines tbody tr").nth(int(n) - 1)
    _expect()(row).to_contain_text(QUANTITY[lang])
    assert [f for f in browsing.failures if not f.endswith("/favicon.ico")] == []
