"""axe-core (vendored, tests/e2e/vendor/axe-core) on every kind of page each role reaches, and touch
targets on the phone.

The pages are found by a link-only crawl per role (one URL per path pattern); Chromium opens each at
1366 px and runs axe-core: no serious or critical violation. At 375 px every a, button, input, select
and summary in the layout is at least 44 x 44 px (as docs promise) and nothing is wider than the screen.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, ROLES, Browsing, Live, http_client, run_axe, small_targets
from tests.e2e.crawler import Crawl, pattern_of

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

_PAGES: dict[str, list[str]] = {}
# The pages people open on the phone: the start page, a list, and the detail pages and forms.
PHONE_PAGES = {"/", "/orders", "/orders/{id}", "/cases/{id}", "/customers/{id}", "/orders/new", "/cases/new"}


def _pages(live: Live, who: str) -> list[str]:
    if who not in _PAGES:
        with http_client(live, who, lang=live.full_lang) as client:
            _PAGES[who] = Crawl(client, live.full_lang, live.today).run(forms=False).page_kinds()
    return _PAGES[who]


def test_the_login_page_has_no_serious_accessibility_violation(browsing: Browsing, live: Live) -> None:
    page = browsing.open("", lang=live.full_lang, axe=True)
    found = run_axe(page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("who", list(ROLES))
def test_no_page_of_the_role_has_a_serious_accessibility_violation(
    browsing: Browsing, live: Live, who: str
) -> None:
    pages = _pages(live, who)
    assert len(pages) >= 8, pages
    page = browsing.open(who, lang=live.full_lang, viewport=DESKTOP, axe=True)
    found = []
    for url in pages:
        page.goto(url)
        found += [f"{url}: {v}" for v in run_axe(page)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("who", list(ROLES))
def test_on_the_phone_every_touch_target_is_44_px_and_nothing_is_wider_than_the_screen(
    browsing: Browsing, live: Live, who: str
) -> None:
    pages = [u for u in _pages(live, who) if pattern_of(u) in PHONE_PAGES]
    page = browsing.open(who, lang=live.phone_lang, viewport=PHONE)
    found = []
    for url in pages:
        page.goto(url)
        found += [f"{url}: {t}" for t in small_targets(page)[:5]]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            found.append(f"{url}: {overflow} px wider than the screen")
    assert not found, "\n".join(found)
