"""Deal registration end to end, with real processes: `portal serve` and `portal exchange run` (its
loop runs the notifier and the expiry) on one database, Chromium for the portal (issue #18.3).

A partner registers a prospect; a dealer registers the same prospect through the form (a bad first
try keeps what was typed) and is told only that another partner registered it; the owner's sales
staff see both registrations with links, approve the dealer's and reject the partner's with the
conflict shown and a reason the partner reads; the dealer sees its protection until a date and the
opportunity, and the worker tells it of the decision. German at desktop width,
English on a 375 px phone (no horizontal overflow, 44 px targets on the dealer's page)."""

from __future__ import annotations

import os
import re
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from portal.seed import DEMO_PASSWORD
from portal.web.i18n import Formatter
from tests.e2e.conftest import DESKTOP, PHONE, small_targets, translator
from tests.e2e.test_exchange_loop import background, portal
from tests.web.live import serve

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _open(
    browser: Any, base: str, email: str, lang: str, viewport: dict[str, int], failures: list[str]
) -> Any:
    context = browser.new_context(
        base_url=base,
        viewport=viewport,
        locale="de-DE" if lang == "de" else "en-GB",
        timezone_id="Europe/Berlin",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"/login?lang={lang}")
    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def _register(page: Any, prospect: str, close: str, amount: str = "48000") -> None:
    form = page.locator("#deal-form")
    form.locator("#f-prospect_name").fill(prospect)
    form.locator("#f-postal_code").fill("60313")
    form.locator("#f-city").fill("Frankfurt am Main")
    form.locator("#f-description").fill("Wärmepumpen für drei Häuser")
    form.locator("#f-amount").fill(amount)
    form.locator("#f-expected_close").fill(close)
    form.locator("button.primary").click()


@pytest.mark.parametrize(("lang", "viewport"), [("de", DESKTOP), ("en", PHONE)])
def test_a_dealer_registers_a_conflicting_deal_owner_sales_approve_it_and_reject_the_other(
    empty_database_url: str, tmp_path: Path, browser: Any, lang: str, viewport: dict[str, int]
) -> None:
    from datetime import datetime

    from portal.web.i18n import TIMEZONE

    t = translator(lang)
    today = datetime.now(TIMEZONE).date()
    close = (today + timedelta(days=40)).isoformat()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
    }
    portal(env, "db", "upgrade")
    portal(env, "seed", "demo", "--scale", "0.02")
    log = tmp_path / "worker.log"
    failures: list[str] = []
    with ExitStack() as stack:
        base = stack.enter_context(serve(empty_database_url))
        worker = stack.enter_context(background(env, log, "exchange", "run", "--interval", "0.5"))

        partner = _open(browser, base, "team@servicepartner-west.example", lang, DESKTOP, failures)
        partner.goto("/deals/new")
        _register(partner, "Klinikum Nordend GmbH", close)
        partner.wait_for_url(re.compile(r"/deals/\d+$"))
        theirs = partner.url.removeprefix(base)

        dealer = _open(browser, base, "team@haustechnik-nord.example", lang, viewport, failures)
        dealer.goto("/deals/new")
        _register(dealer, "Klinikum Nordend", close, amount="viel")  # a word for an amount: named
        _expect()(dealer.locator("#amount-error")).to_be_visible()
        _expect()(dealer.locator("#f-prospect_name")).to_have_value("Klinikum Nordend")  # kept
        dealer.locator("#f-amount").fill("52000")
        dealer.locator("#deal-form button.primary").click()
        dealer.wait_for_url(re.compile(r"/deals/\d+$"))
        mine = dealer.url.removeprefix(base)
        number = re.search(r"DR-\d+", dealer.locator(".page-head").inner_text()).group(0)  # type: ignore[union-attr]
        _expect()(dealer.locator("main [role=status]")).to_contain_text(
            t("Deal registration %(number)s has been submitted.").split("%")[0]
        )
        _expect()(dealer.locator("#hint-partner")).to_contain_text(
            t("Another partner has registered this prospect; the owner's sales staff will decide.")
        )
        text = dealer.locator("main").inner_text()
        assert "Servicepartner" not in text and theirs not in dealer.content()  # the partner is not named
        if viewport is PHONE:
            assert dealer.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            assert small_targets(dealer) == []

        sales = _open(browser, base, "vertrieb@waermewerk.example", lang, DESKTOP, failures)
        sales.goto("/deals?status=submitted")
        sales.locator(f"table.list a[href='{mine}']").click()
        sales.wait_for_url(re.compile(re.escape(mine) + "$"))
        conflicts = sales.locator("#deal-conflicts")
        _expect()(conflicts.locator(f"a[href='{theirs}']")).to_be_visible()  # both, with links
        _expect()(conflicts).to_contain_text("Servicepartner West")
        approve = sales.locator("#approve-form")
        until = today + timedelta(days=90)
        _expect()(approve.locator("#a-protected_until")).to_have_value(until.isoformat())
        approve.locator("button.primary").click()
        _expect()(sales.locator("main [role=status]")).to_contain_text(
            t("Registration %(number)s approved: an opportunity has been opened for the dealer.").split("%")[
                0
            ]
        )

        # The partner's registration of the same prospect: the conflict with the dealer's, now
        # protected, is shown; owner sales reject it with a reason the partner reads.
        sales.goto(theirs)
        _expect()(sales.locator("#deal-conflicts").locator(f"a[href='{mine}']")).to_be_visible()
        reject = sales.locator("#reject-form")
        reject.locator("#r-reason").fill("Bereits für Haustechnik Nord geschützt")
        reject.locator("button[type=submit]").click()
        _expect()(sales.locator("main [role=status]")).to_contain_text(
            t("Registration %(number)s rejected.").split("%")[0]
        )
        partner.goto(theirs)
        _expect()(partner.locator("#deal-status")).to_contain_text(t("Rejected"))
        _expect()(partner.locator("#deal-reason")).to_contain_text("Bereits für Haustechnik Nord geschützt")

        dealer.goto(mine)
        day = Formatter(lang).date(until)
        _expect()(dealer.locator("#deal-protection")).to_contain_text(
            t("protected until %(day)s") % {"day": day}
        )
        _expect()(dealer.locator("#deal-status")).to_contain_text(t("Approved"))
        dealer.locator("#deal-opportunity").click()
        dealer.wait_for_url(re.compile(r"/opportunities/\d+$"))
        _expect()(dealer.locator("#opportunity-stage")).to_contain_text(t("Qualification"))
        dealer.goto("/deals")
        _expect()(dealer.locator("table.list tbody")).to_contain_text(day)

        deadline = time.monotonic() + 60  # the worker tells the dealer of the decision
        dealer.goto("/notifications")
        while number not in dealer.locator("main").inner_text():
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)  # polling the server with a deadline
            dealer.goto("/notifications")
        assert [f for f in failures if not f.endswith("/favicon.ico")] == [f"400 POST {base}/deals/new"]
