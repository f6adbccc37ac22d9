"""The sales pipeline end to end in Chromium against a real `portal serve` (issue #18.4): a dealer
opens an opportunity with a product through the form (a bad first try keeps what was typed), finds
it on the pipeline board, moves it there without JavaScript's help, wins it on its page and follows
the link to the order it became; in both languages, at desktop and phone width."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, translator

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize(("lang", "viewport"), [("de", DESKTOP), ("en", PHONE)])
def test_dealer_opens_moves_and_wins_an_opportunity_which_becomes_an_order(
    browsing: Browsing, live: Live, lang: str, viewport: dict[str, int]
) -> None:
    t = translator(lang)
    name = f"E2E Kesseltausch {lang}"
    dealer = browsing.open("dealer", lang=lang, viewport=viewport)
    dealer.goto("/opportunities/new")
    form = dealer.locator("#opportunity-form")
    form.locator("#f-name").fill(name)
    form.locator("#f-amount").fill("viel")
    form.locator("button.primary").click()  # no close date, a word for an amount: both named
    _expect()(dealer.locator("#expected_close-error")).to_be_visible()
    _expect()(dealer.locator("#amount-error")).to_be_visible()
    form = dealer.locator("#opportunity-form")
    _expect()(form.locator("#f-name")).to_have_value(name)  # what was typed is kept
    form.locator("#f-amount").fill("")
    form.locator("#f-expected_close").fill((live.today + timedelta(days=21)).isoformat())
    form.locator("#f-line-1-product").select_option(index=1)
    form.locator("#f-line-1-quantity").fill("2")
    form.locator("button.primary").click()
    dealer.wait_for_url(re.compile(r"/opportunities/\d+$"))
    url = dealer.url
    _expect()(dealer.locator("main [role=status]")).to_contain_text(
        t("Opportunity %(number)s has been opened.").split("%")[0]
    )
    _expect()(dealer.locator("#opportunity-lines tbody tr")).to_have_count(1)

    dealer.goto("/pipeline")
    card = dealer.locator("#stage-qualification").locator("xpath=..").locator(".opp-card", has_text=name)
    _expect()(card).to_be_visible()
    card.locator("select[name=stage]").select_option("negotiation")
    card.locator("button[type=submit]").click()
    dealer.wait_for_url(re.compile(r"/pipeline$"))
    moved = dealer.locator("#stage-negotiation").locator("xpath=..").locator(".opp-card", has_text=name)
    _expect()(moved).to_be_visible()
    _expect()(dealer.locator("#forecast tbody tr")).to_have_count(6)

    dealer.goto(url)
    stage = dealer.locator("#stage-form")
    stage.locator("#s-stage").select_option("won")
    stage.locator("button[type=submit]").click()
    _expect()(dealer.locator("main [role=status]")).to_contain_text(
        t("Won: order %(number)s has been created.").split("%")[0]
    )
    _expect()(dealer.locator("#opportunity-stage")).to_contain_text(t("Won"))
    dealer.locator("#opportunity-order").click()
    dealer.wait_for_url(re.compile(r"/orders/\d+$"))
    _expect()(dealer.locator("main h1")).to_contain_text("SO-")
    # the one refused request: the first, bad try of the form (400, shown again)
    assert [f for f in browsing.failures if not f.endswith("/favicon.ico")] == [
        f"400 POST {live.base}/opportunities/new"
    ]
