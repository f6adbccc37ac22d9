"""The customer master in Chromium against a real `portal serve` (issue #18): a dealer creates a
customer, creates it again and is warned of the duplicate, goes on; the owner's admin sees on the
customer's page who created it. At 1366 px in one language and 375 px in the other."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, translator
from tests.e2e.test_journeys import _expect, _flash, _nav, _submit

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DEALER_ORG = "Haustechnik Rhein-Main Nord"  # the demo dealer of team@haustechnik-nord.example


def _create(page: Any, name: str, postal_code: str) -> None:
    page.locator("#f-name").fill(name)
    page.locator("#f-postal_code").fill(postal_code)
    page.locator("#f-city").fill("Kassel")
    _submit(page.locator("#customer-form"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_dealer_creates_a_customer_past_the_duplicate_warning(
    browsing: Browsing, live: Live, size: str
) -> None:
    full = size == "desktop"
    lang = live.full_lang if full else live.phone_lang
    t = translator(lang)
    name, postal_code = f"Kälte Nordhessen {size.title()} GmbH", "34117" if full else "34119"
    page = browsing.open("dealer", lang=lang, viewport=DESKTOP if full else PHONE)
    _nav(page, "customers", full)
    page.locator("main a[href='/customers/new']").click()
    _expect()(page.locator("main h1")).to_have_text(t("New customer"))
    _create(page, name, postal_code)
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    first_url = page.url
    _flash(page, t("Customer %(number)s has been created.").split("%")[0].strip())
    _expect()(page.locator("main h1")).to_have_text(name)

    page.goto("/customers/new")
    _create(page, name.upper().replace(" GMBH", ""), postal_code)  # the same name, as typed by another
    warning = page.locator("#duplicates")
    _expect()(warning).to_contain_text(t("This customer may already exist."))
    existing = warning.locator("a", has_text=name)
    _expect()(existing).to_be_visible()
    assert existing.get_attribute("href") == "/" + first_url.split("/", 3)[3]
    _expect()(page.locator("#f-name")).to_have_value(name.upper().replace(" GMBH", ""))  # kept as typed
    page.locator("#f-confirm_duplicates").check()
    _submit(page.locator("#customer-form"))
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    assert page.url != first_url
    # the warning is the one answer of 400 and above the journey may see (409, the form redrawn)
    failed = [f for f in browsing.failures if not f.endswith("/favicon.ico")]
    assert failed == [f"409 POST {live.base}/customers/new"]

    owner = browsing.open("owner_admin", lang=lang, viewport=DESKTOP if full else PHONE)
    owner.goto(first_url)
    changes = owner.locator("#changes")
    _expect()(changes).to_contain_text(DEALER_ORG)
    created = t("%(who)s created the customer (shared with %(org)s).").split("%(who)s")[1].split("%(org)s")[0]
    _expect()(changes).to_contain_text(created.strip())
    dealer_page = page  # the dealer does not see the change log
    dealer_page.goto(first_url)
    _expect()(dealer_page.locator("#changes")).to_have_count(0)
