"""The buyer's review of a supplier's change, end to end in Chromium (issue #17): the supplier cuts
a line on the order page, the owner's sales staff find it in the review inbox and reject it with a
reason, the supplier sees the outcome; in German at desktop width and in English on the phone."""

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
def test_supplier_changes_owner_rejects_supplier_sees_the_outcome(
    browsing: Browsing, live: Live, lang: str, viewport: dict[str, int]
) -> None:
    t = translator(lang)
    supplier = browsing.open("supplier", lang=lang, viewport=viewport)
    supplier.goto("/orders?status=awaiting_confirmation&sort=created_at&dir=asc")
    link = supplier.locator("table.list tbody tr a").first
    _expect()(link).to_be_visible()
    link.click()
    supplier.wait_for_url(re.compile(r"/orders/\d+$"))
    url = supplier.url
    number = re.search(r"SO-[\d-]+", supplier.locator("main h1").inner_text())
    assert number
    form = supplier.locator("#respond-form")
    first = form.locator("select[name$='-action']").first
    line_no = re.search(r"line-(\d+)-action", first.get_attribute("name") or "")
    assert line_no
    n = line_no.group(1)
    first.select_option("rejected")
    form.locator(f"input[name='line-{n}-reason']").fill("E2E: nicht lieferbar")
    form.locator("button[type=submit]:not([name])").click()
    _expect()(supplier.locator("main [role=status]")).to_contain_text(t("Your answer has been saved."))
    _expect()(supplier.locator(f"#proposal-{n}")).to_contain_text(t("Awaiting the buyer's review"))

    owner = browsing.open("owner_sales", lang=lang, viewport=viewport)
    owner.goto("/")
    owner.locator("#tile-review").click()
    owner.wait_for_url(re.compile(r"/orders\?review=awaiting"))
    row = owner.locator("table.list tbody tr", has_text=number.group(0))
    _expect()(row).to_be_visible()
    row.locator("a").first.click()
    owner.wait_for_url(url)
    review = owner.locator("#review-form")
    review.locator(f"input[name='review-{n}-decision'][value='reject']").check()
    review.locator("button[type=submit]").click()  # no reason: refused, named at the field
    _expect()(owner.locator(f"#review-{n}-reason-error")).to_be_visible()
    owner.locator("#review-form").locator(f"input[name='review-{n}-reason']").fill(
        "E2E: wir brauchen die Ware"
    )
    owner.locator("#review-form button[type=submit]").click()
    _expect()(owner.locator("main [role=status]")).to_contain_text(
        t("Your decision has been saved; the supplier is told.")
    )
    _expect()(owner.locator("#review-form")).to_have_count(0)

    supplier.goto(url)
    outcome = supplier.locator(f"#outcome-{n}")
    _expect()(outcome).to_contain_text(t("The buyer rejected the change."))
    _expect()(outcome).to_contain_text("E2E: wir brauchen die Ware")
    # the line waits for the supplier's answer again
    _expect()(supplier.locator(f"#respond-form select[name='line-{n}-action']")).to_be_visible()
    # the one refused request: the decision without a reason (400, the form shown again)
    assert [f for f in browsing.failures if not f.endswith("/favicon.ico")] == [f"400 POST {url}/review"]
