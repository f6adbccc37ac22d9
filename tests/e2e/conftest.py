"""The end-to-end suite's fixtures: one real `portal serve` for the package on the demo world, Debian's
Chromium through Playwright, and logged-in httpx clients for the crawler.

The database is SQLite in a temporary folder, or, when PORTAL_TEST_DATABASE_URL is set, a private
PostgreSQL schema made for this run and dropped after it. The demo seed at ``SCALE`` gives the dealer
group (two branches) more than 100 customers, enough to find pickers that stop at 100.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from portal.db import make_engine
from portal.migrate import upgrade
from portal.seed import DEMO_PASSWORD, seed_demo
from portal.web.i18n import TIMEZONE, load_translations
from tests.web.live import CHROMIUM, CHROMIUM_ARGS, private_schema, require_chromium, serve

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
SCALE = 0.4
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# One demo account per role (portal/seed/plan.py): the person whose day each journey walks.
ROLES: dict[str, str] = {
    "owner_admin": "admin@waermewerk.example",
    "owner_sales": "vertrieb@waermewerk.example",
    "owner_viewer": "leser@waermewerk.example",
    "dealer": "team@haustechnik-nord.example",
    "dealer_group_admin": "admin@haustechnik-gruppe.example",
    "partner": "team@servicepartner-west.example",
    "supplier": "team@nordtec.example",
}
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}


@dataclass(frozen=True)
class Live:
    base: str
    database: str  # "sqlite" or "postgresql"
    today: date
    url: str = ""  # the database's URL, for a worker process of a journey

    @property
    def full_lang(self) -> str:
        """The language of the full journeys at 1366 px; the phone paths use the other one.
        SQLite runs English on the desktop, PostgreSQL German, so CI covers both on both sizes."""
        return "en" if self.database == "sqlite" else "de"

    @property
    def phone_lang(self) -> str:
        return "de" if self.full_lang == "en" else "en"


# Package scope, not session: the server and Playwright's event loop (which the sync API keeps running
# in the main thread) end with tests/e2e, before the rest of the suite calls asyncio.run().
@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    require_chromium()
    # The portal's calendar day (Berlin): between 23:00 and 24:00 UTC it is already tomorrow there,
    # and the dashboard's "today" tiles count by that day. The seed's "now" is the moment of seeding
    # (no anchor: with one, "now" is 10:00 that day, and before 10:00 Berlin the seeded history would
    # lie in the future, after what the tests do).
    today = datetime.now(TIMEZONE).date()
    with ExitStack() as stack:
        if PG_URL:
            url = stack.enter_context(private_schema(PG_URL, "e2e"))
        else:
            url = f"sqlite:///{Path(tmp_path_factory.mktemp('e2e')) / 'portal.sqlite3'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            seed_demo(engine, scale=SCALE)
        finally:
            engine.dispose()
        with serve(url, secret_key="e2e-test-secret-key-0123456789abcdef") as base:
            yield Live(base, "postgresql" if PG_URL else "sqlite", today, url)


@pytest.fixture(scope="package")
def browser(live: Live) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def translator(lang: str) -> Callable[[str], str]:
    """The portal's own catalog: journeys expect exactly the text the portal means to show."""
    return load_translations(lang).ugettext  # type: ignore[no-any-return]


@dataclass
class Browsing:
    """Opens logged-in browser pages; records every same-origin response of 400 and above."""

    browser: Any
    live: Live
    contexts: list[Any] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def open(self, who: str, *, lang: str, viewport: dict[str, int] = DESKTOP, axe: bool = False) -> Any:
        context = self.browser.new_context(
            base_url=self.live.base,
            viewport=viewport,
            locale="de-DE" if lang == "de" else "en-GB",
            timezone_id="Europe/Berlin",
            bypass_csp=axe,  # axe-core is injected as an inline script, which our CSP forbids
        )
        if axe:
            context.add_init_script(path=str(AXE))  # in every page before its own scripts
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("response", self._record)
        page.goto(f"/login?lang={lang}")
        if who:
            login(page, ROLES[who])
        return page

    def _record(self, response: Any) -> None:
        if response.url.startswith(self.live.base) and response.status >= 400:
            self.failures.append(f"{response.status} {response.request.method} {response.url}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def login(page: Any, email: str) -> None:
    from playwright.sync_api import expect

    page.locator("#f-email").fill(email)
    page.locator("#f-password").fill(DEMO_PASSWORD)
    page.locator("form[action='/login'] button[type=submit]").click()
    expect(page.locator("main h1")).to_have_count(1)
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture
def browsing(browser: Any, live: Live) -> Iterator[Browsing]:
    b = Browsing(browser, live)
    try:
        yield b
    finally:
        b.close()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def http_client(live: Live, who: str, *, lang: str) -> Iterator[httpx2.Client]:
    """A client logged in through the login form, in ``lang`` (the language cookie)."""
    with httpx2.Client(base_url=live.base, follow_redirects=False, timeout=30) as client:
        page = client.get(f"/login?lang={lang}")
        match = CSRF.search(page.text)
        assert match, page.text[:500]
        response = client.post(
            "/login",
            data={"csrf": match.group(1), "email": ROLES[who], "password": DEMO_PASSWORD, "next": "/"},
        )
        assert response.status_code == 303, (who, response.status_code, response.text[:300])
        yield client


def run_axe(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now, one line each (the page's
    context was opened with ``axe=True``)."""
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}) at {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def small_targets(page: Any) -> list[str]:
    """Touch targets (a, button, input, select, summary) smaller than 44 x 44 CSS pixels in the
    visible layout. Links inside running text are exempt (WCAG 2.5.5), as are visually hidden ones;
    a checkbox or radio button counts with the label that wraps it (pressing the label ticks it)."""
    return list(
        page.evaluate(
            """() => {
            const out = [];
            for (const el of document.querySelectorAll('a, button, input, select, summary, textarea')) {
                if (el.type === 'hidden') continue;
                // A checkbox or radio button is pressed through its label too: the label is the target.
                const box = (el.type === 'checkbox' || el.type === 'radio')
                    && (el.closest('label') || (el.labels && el.labels.length && el.closest('.check')));
                const r = (box || el).getBoundingClientRect();
                const s = getComputedStyle(el);
                if (r.width <= 1 || r.height <= 1) continue;
                if (s.visibility === 'hidden' || s.display === 'none') continue;
                if (r.right <= 0 || r.bottom <= 0) continue;
                if (el.tagName === 'A' && el.closest('p') && el.closest('p').textContent.trim()
                    !== el.textContent.trim()) continue;
                if (r.width < 44 || r.height < 44) {
                    const label = (el.textContent || el.name || el.id || '').trim().slice(0, 30);
                    const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
                    out.push(`${el.tagName.toLowerCase()} "${label}" ${size}`);
                }
            }
            return out;
        }"""
        )
    )
