"""Chromium registering a webhook endpoint in the portal (German, 375 px), in a process of its own
so that it does not share Playwright with the package's browser. Usage:
``python -m tests.e2e.webhook_browser BASE EMAIL PASSWORD TARGET``; prints a JSON line with the secret
shown once and the page's width."""

from __future__ import annotations

import json
import sys

from playwright.sync_api import expect, sync_playwright

from tests.web.live import CHROMIUM, CHROMIUM_ARGS

PHONE = {"width": 375, "height": 812}


def register(base: str, email: str, password: str, target: str) -> dict[str, object]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base, viewport=PHONE, locale="de-DE")
            page = context.new_page()
            page.set_default_timeout(30000)
            page.goto("/login?lang=de")
            page.locator("#f-email").fill(email)
            page.locator("#f-password").fill(password)
            page.locator("form[action='/login'] button[type=submit]").click()
            page.wait_for_url(f"{base}/")
            page.locator("details.menu summary").click()  # the menu, folded at 375 px
            page.locator(".menu-panel a[href='/admin/users']").click()  # Verwaltung
            assert page.locator("main a[href='/admin/webhooks']").count() >= 1
            page.goto("/admin/webhooks")
            expect(page.locator("main h1")).to_have_text("Webhooks")
            page.locator("#f-url").fill(target)
            page.locator("#f-description").fill("ERP")
            page.get_by_label("Auftrag an einen Lieferanten weitergeleitet").check()
            page.get_by_role("button", name="Endpunkt registrieren").click()
            secret = page.locator("#new-secret").inner_text().strip()
            width = page.evaluate("document.documentElement.scrollWidth")
            page.reload()
            shown_again = page.locator("#new-secret").count()
            return {"secret": secret, "width": width, "shown_again": shown_again}
        finally:
            browser.close()


if __name__ == "__main__":
    print(json.dumps(register(*sys.argv[1:5])), flush=True)
