"""Leads end to end in Chromium against a real `portal serve` and `portal exchange run` (issue #18.2):
marketing imports a file with a good and a bad row, sees the bad row's line in the check and
imports only the good one; the lead reaches the dealer whose territory covers it (the worker tells
the dealer in its inbox), who accepts it and converts it into a new customer and an opportunity;
in German on the desktop and in English at phone width."""

from __future__ import annotations

import os
import re
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, translator
from tests.e2e.test_exchange_loop import background

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _no_overflow(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: {scroll} px wide at {width} px"


@pytest.mark.parametrize(("lang", "viewport"), [("de", DESKTOP), ("en", PHONE)])
def test_marketing_imports_leads_and_the_dealer_accepts_and_converts_one(
    browsing: Browsing, live: Live, tmp_path: Path, lang: str, viewport: dict[str, int]
) -> None:
    t = translator(lang)
    company = f"E2E Bäckerei {lang} {uuid.uuid4().hex[:6]}"
    # Oberursel (61440): Haustechnik Rhein-Main Nord's territory alone (portal/seed/leads.py)
    csv = (
        "Firma;Ansprechpartner;E-Mail;PLZ;Ort;Land\n"
        f"{company};Anna Krüger;anna@example.org;61440;Oberursel (Taunus);DE\n"
        ";Ohne Firma;x@example.org;61440;Oberursel;DE\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": live.url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
    }
    log = tmp_path / "worker.log"
    with ExitStack() as stack:
        worker = stack.enter_context(background(env, log, "exchange", "run", "--interval", "0.5"))
        marketing = browsing.open("owner_sales", lang=lang, viewport=viewport)
        marketing.goto("/pipeline")
        marketing.locator("#leads-link").click()
        marketing.wait_for_url(re.compile(r"/leads$"))
        marketing.goto("/leads/import")
        marketing.locator("#f-file").set_input_files(
            {"name": "leads.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + csv).encode("utf-8")}
        )
        marketing.locator("#import-form button.primary").click()
        _expect()(marketing.locator("#import-errors tbody tr")).to_have_count(1)
        _expect()(marketing.locator("#import-errors tbody tr").first).to_contain_text("3")  # its line
        _expect()(marketing.locator("#import-rows")).to_contain_text(company)
        _no_overflow(marketing, viewport["width"])
        marketing.locator("#m-good").check()
        marketing.locator("#confirm-form button.primary").click()
        marketing.wait_for_url(re.compile(r"/leads$"))
        _expect()(marketing.locator("main [role=status]")).to_contain_text(
            t("%(count)s leads have been imported; %(offered)s of them were offered to a dealer.")
            % {"count": 1, "offered": 1}
        )
        marketing.locator("#flt-q").fill(company)
        marketing.locator("form.filters button[type=submit]").click()
        row = marketing.locator("table.list tbody tr", has_text=company)
        _expect()(row).to_contain_text("Haustechnik Rhein-Main Nord")
        number = row.locator("a").first.inner_text().strip()
        assert number.startswith("LD-")

        dealer = browsing.open("dealer", lang=lang, viewport=viewport)
        # the worker tells the dealer: its inbox names the lead
        deadline = time.monotonic() + 60
        while True:
            dealer.goto("/notifications")
            if dealer.locator("main", has_text=number).count():
                break
            assert worker.poll() is None, log.read_text()[-3000:]
            if time.monotonic() > deadline:
                pytest.fail(f"no lead notification\n{log.read_text()[-3000:]}")
            time.sleep(0.3)  # polling the server with a deadline
        dealer.goto("/leads")
        dealer.locator("table.list tbody tr", has_text=company).locator("a").first.click()
        dealer.wait_for_url(re.compile(r"/leads/\d+$"))
        _no_overflow(dealer, viewport["width"])
        dealer.locator("#accept-form button[type=submit]").click()
        _expect()(dealer.locator("main [role=status]")).to_contain_text(
            t("You have accepted the lead. Convert it once you have qualified it.")
        )
        form = dealer.locator("#convert-form")
        form.locator("#c-opportunity_name").fill("")
        form.locator("button.primary").click()  # no name: refused at the field, the rest kept
        _expect()(dealer.locator("#opportunity_name-error")).to_be_visible()
        form = dealer.locator("#convert-form")
        form.locator("#c-opportunity_name").fill(f"{company}: Backstube")
        form.locator("#c-amount").fill("8500")
        form.locator("button.primary").click()
        dealer.wait_for_url(re.compile(r"/opportunities/\d+$"))
        _expect()(dealer.locator("main h1")).to_contain_text(f"{company}: Backstube")
        _expect()(dealer.locator("#opportunity-stage")).to_contain_text(t("Qualification"))
        _no_overflow(dealer, viewport["width"])
        assert worker.poll() is None, log.read_text()[-3000:]
    # the refused requests: the bad first try of the conversion (400, shown again)
    failures = [f for f in browsing.failures if not f.endswith("/favicon.ico")]
    assert all(re.search(r"^400 POST .*/leads/\d+/convert$", f) for f in failures), failures
