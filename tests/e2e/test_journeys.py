"""One journey per role through the real UI in Chromium: the role's daily tasks, end to end, and what
the person sees afterwards.

Each journey runs twice: in full at 1366 px in one language, and a shorter path (``full=False``) at
375 px in the other; the languages swap between SQLite and PostgreSQL (``Live.full_lang``), so CI
covers German and English at both sizes. Expected texts come from the portal's own catalogs.
The checks of single bugs of issue #10 are in test_details.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, Browsing, Live, translator

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

T = Callable[[str], str]


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _flash(page: Any, text: str) -> None:
    _expect()(page.locator("main [role=status]")).to_contain_text(text)


def _menu_link(page: Any, href: str) -> Any:
    """A link of the main menu: in the header on a wide screen; on the phone behind "Menu", which
    this opens first (the menu is how people get there)."""
    wide = page.locator(f"nav.main-nav a[href='{href}']")
    if wide.is_visible():
        return wide
    page.locator("details.menu > summary").click()
    return page.locator(f"details.menu nav a[href='{href}']")


def _nav(page: Any, name: str, full: bool) -> None:
    """Open a list from the main menu."""
    _menu_link(page, f"/{name}").click()
    page.wait_for_url(re.compile(rf"/{name}$"))


def _submit(form: Any) -> None:
    """Press the form's own submit button: not a picker's "Search" or "Add a line" (they carry
    formnovalidate and redraw the form), nor a named shortcut such as "Confirm all lines"."""
    form.locator("button[type=submit]:not([formnovalidate]):not([name])").click()


def _first_row_link(page: Any) -> None:
    link = page.locator("table.list tbody tr a").first
    _expect()(link).to_be_visible()
    link.click()


def _no_failed_requests(browsing: Browsing) -> None:
    """No request of the journey failed, apart from the favicon (#10.15, checked on its own)."""
    assert [f for f in browsing.failures if not f.endswith("/favicon.ico")] == []


# -- the journeys ----------------------------------------------------------------------------


def dealer(page: Any, t: T, full: bool) -> None:
    """Creates an order for one of its customers and finds it in the order list."""
    _nav(page, "orders", full)
    page.locator("main a[href='/orders/new']").click()
    _expect()(page.locator("main h1")).to_have_text(t("New order"))
    customer = page.locator("#f-customer_id")
    customer.select_option(index=1)
    customer_name = customer.locator("option:checked").inner_text().strip()
    page.locator("#f-line-1-product").select_option(index=1)
    page.locator("#f-line-1-quantity").fill("3")
    if full:
        page.locator("#f-line-2-product").select_option(index=2)
        page.locator("#f-line-2-quantity").fill("1")
        page.locator("#f-customer_reference").fill("E2E-Bestellung")
    _submit(page.locator("#order-form"))
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    heading = page.locator("main h1").inner_text()
    number = re.search(r"SO-[\d-]+", heading)
    assert number, heading
    _flash(page, t("Order %(number)s has been created.") % {"number": number.group(0)})
    lines = page.locator("table.lines tbody tr")
    _expect()(lines).to_have_count(2 if full else 1)
    _nav(page, "orders", full)
    row = page.locator("table.list tbody tr", has_text=number.group(0))
    _expect()(row).to_be_visible()
    if full:
        _expect()(row).to_contain_text(customer_name.split(" (")[0][:20])
        _expect()(row).to_contain_text("E2E-Bestellung")


def supplier(page: Any, t: T, full: bool) -> None:
    """Confirms an order's lines, records a ship notice and an invoice, and sees the status follow."""
    page.goto("/orders?status=awaiting_confirmation")
    _first_row_link(page)
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    answers = page.locator("#respond-form select[name$='-action']")
    count = answers.count()
    assert count >= 1
    for i in range(count):
        answers.nth(i).select_option("accepted")
    # One line cut to 1 while the others ship as ordered; a one-line order is confirmed as it is
    # (a cut would leave nothing to ship until the buyer's review).
    cut = full and count >= 2
    if cut:
        page.locator("#respond-form input[name$='-quantity']").first.fill("1")
    _submit(page.locator("#respond-form"))
    _flash(page, t("Your answer has been saved."))
    status = page.locator("#order-status")
    if cut:  # a smaller quantity than ordered waits for the buyer's review (issue #17)
        first = page.locator("table.lines tbody tr").first
        ordered = int(re.sub(r"\D", "", first.locator("td").nth(2).inner_text()) or 0)
        if ordered > 1:
            _expect()(first.locator(".proposal")).to_contain_text(t("Awaiting the buyer's review"))
            _expect()(status).to_contain_text(t("Changes awaiting review"))
        else:
            _expect()(status).to_have_text(t("Confirmed"))
    else:
        _expect()(status).to_have_text(t("Confirmed"))
    if not full:
        return
    ship = page.locator("#ship-form")
    ship.locator("#ship-number").fill("LS-E2E-1")
    ship.locator("#ship-carrier").fill("DHL")
    _submit(ship)
    _flash(page, t("The ship notice has been recorded."))
    _expect()(page.locator("main")).to_contain_text("LS-E2E-1")
    invoice = page.locator("#invoice-form")
    invoice.locator("#inv-number").fill("RE-E2E-1")
    _submit(invoice)
    _flash(page, t("The invoice has been submitted."))
    _expect()(page.locator("main")).to_contain_text("RE-E2E-1")
    _expect()(page.locator("#timeline li").last).to_contain_text("RE-E2E-1")  # the history names it


def partner(page: Any, t: T, full: bool) -> None:
    """Answers a case routed to the partner with a comment."""
    _nav(page, "cases", full)
    page.goto("/cases?status=open")
    _first_row_link(page)
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    text = "Techniker ist Dienstag vor Ort" if full else "Rückruf erledigt"
    page.locator("#comment-form textarea[name=body]").fill(text)
    _submit(page.locator("#comment-form"))
    _flash(page, t("Your comment has been added."))
    _expect()(page.locator("#comments")).to_contain_text(text)
    if full:
        page.locator("form[action$='/status'] button[value=start]").click()
        _flash(page, t("The status has been changed."))
        _expect()(page.locator("#case-status")).to_have_text(t("In progress"))


def owner_sales(page: Any, t: T, full: bool) -> None:
    """Routes a draft order to a supplier and shares a customer with a dealer."""
    page.goto("/orders?status=draft")
    _first_row_link(page)
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    route = page.locator("form[action$='/route']")
    supplier_name = route.locator("select option").nth(1).inner_text().strip()
    route.locator("select").select_option(label=supplier_name)
    _submit(route)
    _flash(page, t("The order has been routed to the supplier."))
    _expect()(page.locator(".facts")).to_contain_text(supplier_name)
    if not full:
        return
    _nav(page, "customers", full)
    _first_row_link(page)
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    share = page.locator("form[action$='/share'].row-form")
    dealer_name = share.locator("select option").last.inner_text().strip()
    share.locator("select").select_option(label=dealer_name)
    _submit(share)
    _flash(page, t("The customer has been shared."))
    _expect()(page.locator("section[aria-labelledby=h-shared] ul.rows")).to_contain_text(dealer_name)


def owner_admin(page: Any, t: T, full: bool) -> None:
    """Adds a user and issues an API token, and sees both listed."""
    _menu_link(page, "/admin/users").click()
    _expect()(page.locator("main h1")).to_have_text(t("Users"))
    email = f"neu.{'voll' if full else 'kurz'}.{page.viewport_size['width']}@waermewerk.example"
    form = page.locator("form[action='/admin/users'][method=post]")
    form.locator("#f-name").fill("Nora Neu")
    form.locator("#f-email").fill(email)
    form.locator("#f-password").fill("Sicheres-Passwort-2026")
    form.locator("#f-roles").select_option("sales")
    _submit(form)
    _flash(page, t("%(email)s can log in now.") % {"email": email})
    _expect()(page.locator("table.list")).to_contain_text(email)
    if not full:
        return
    page.locator("main a[href='/admin/tokens']").click()
    form = page.locator("form[action='/admin/tokens'][method=post]")
    form.locator("#f-name").fill("ERP-Anbindung E2E")
    form.locator("#f-expires_in_days").fill("30")
    _submit(form)
    _expect()(page.locator("#new-token")).to_have_text(re.compile(r"^\s*ptk_[A-Za-z0-9_-]{20,}"))
    _expect()(page.locator("table.list")).to_contain_text("ERP-Anbindung E2E")


def owner_viewer(page: Any, t: T, full: bool) -> None:
    """Reads orders, cases and customers."""
    for name in ("orders", "cases", "customers") if full else ("orders",):
        _nav(page, name, full)
        _first_row_link(page)
        page.wait_for_url(re.compile(rf"/{name}/\d+$"))
        _expect()(page.locator("main h1")).not_to_be_empty()


def dealer_group_admin(page: Any, t: T, full: bool) -> None:
    """Sees the customers and orders of both branches and adds a colleague."""
    _nav(page, "customers", full)
    _expect()(page.locator("a[rel=next]")).to_be_visible()  # more than one page of customers
    _nav(page, "orders", full)
    _first_row_link(page)
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    _expect()(page.locator(".facts")).to_contain_text("Haustechnik Rhein-Main")
    if not full:
        return
    _menu_link(page, "/admin/users").click()
    email = "kollegin.e2e@haustechnik-gruppe.example"
    form = page.locator("form[action='/admin/users'][method=post]")
    form.locator("#f-name").fill("Kollegin E2E")
    form.locator("#f-email").fill(email)
    form.locator("#f-password").fill("Sicheres-Passwort-2026")
    _submit(form)
    _flash(page, t("%(email)s can log in now.") % {"email": email})
    _expect()(page.locator("table.list")).to_contain_text(email)


JOURNEYS: dict[str, Callable[[Any, T, bool], None]] = {
    "owner_admin": owner_admin,
    "owner_sales": owner_sales,
    "owner_viewer": owner_viewer,
    "dealer": dealer,
    "dealer_group_admin": dealer_group_admin,
    "partner": partner,
    "supplier": supplier,
}


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("who", list(JOURNEYS))
def test_journey(browsing: Browsing, live: Live, who: str, size: str) -> None:
    full = size == "desktop"
    lang = live.full_lang if full else live.phone_lang
    page = browsing.open(who, lang=lang, viewport=DESKTOP if full else PHONE)
    t = translator(lang)
    _expect()(page.locator("html")).to_have_attribute("lang", lang)
    _expect()(page.locator("main h1")).to_contain_text(t("Good to see you, %(name)s").split("%")[0].strip())
    JOURNEYS[who](page, t, full)
    _no_failed_requests(browsing)
