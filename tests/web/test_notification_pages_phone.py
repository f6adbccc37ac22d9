"""The notification pages and the users page on a 375-pixel phone, in German (the longest words),
in Chromium against a real `portal serve`: nothing cut off or scrolling sideways, the filter row's
checkbox beside its label, buttons apart from labels, the invitation form reached from the top."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import PASSWORD
from tests.web.test_browser import Seeded, browser, live  # noqa: F401 - the module's server and Chromium


@pytest.fixture
def phone(browser: Any, live: Seeded) -> Iterator[Any]:  # noqa: F811
    def log_in(email: str) -> Any:
        context = browser.new_context(base_url=live.base, viewport={"width": 375, "height": 812})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/login?lang=de")
        page.locator("#f-email").fill(email)
        page.locator("#f-password").fill(PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.locator("main h1").wait_for()
        return page

    contexts: list[Any] = []
    yield log_in
    for context in contexts:
        context.close()


CUT_OFF = """() => [...document.querySelectorAll('table.prefs tbody th[scope=row]')].filter(th => {
    const wrap = th.closest('.table-wrap').getBoundingClientRect(); const r = th.getBoundingClientRect();
    return th.scrollWidth > th.clientWidth + 1 || r.right > wrap.right + 0.5; }).map(th => th.innerText)"""


@pytest.mark.parametrize("who", ["dealer-group@example.test", "owner@example.test"])
def test_preferences_fit_a_phone_with_every_kind_name_whole(phone: Any, who: str) -> None:
    page = phone(who)
    page.goto("/notifications/preferences")
    assert page.locator("table.prefs tbody th[scope=row]").count() > 5
    assert page.evaluate(CUT_OFF) == []
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") <= 0  # no sideways scroll in the card
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_inbox_filter_row_keeps_the_checkbox_by_its_label_and_buttons_off_labels(phone: Any) -> None:
    page = phone("dealer-group@example.test")
    page.goto("/notifications")
    box = page.locator("#f-unread").bounding_box()
    label = page.locator("label[for=f-unread]").bounding_box()
    assert box and label
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 8  # one line
    assert label["x"] >= box["x"] + box["width"]  # beside it, on its right
    mark_all = page.locator(".page-head button", has_text="Alle als gelesen markieren").bounding_box()
    kind = page.locator("label[for=f-kind]").bounding_box()
    assert mark_all and kind
    assert kind["y"] - (mark_all["y"] + mark_all["height"]) >= 8  # apart, not touching
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_the_users_page_leads_to_the_invitation_form_from_the_top(phone: Any) -> None:
    page = phone("owner@example.test")
    page.goto("/admin/users")
    first = page.locator(".page-head .actions a").first
    assert first.get_attribute("href") == "#h-invite"
    box = first.bounding_box()
    assert box and box["y"] + box["height"] <= 812 and box["height"] >= 44  # on the first screen
    first.click()
    page.wait_for_function("location.hash === '#h-invite'")
    invite = page.locator("#h-invite").bounding_box()
    assert invite and -1 <= invite["y"] < 812  # the form is now in view
