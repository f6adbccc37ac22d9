"""Details a person meets on the way through their journey, each checked on its own against the live
server (httpx with a logged-in session, or Chromium where only a browser shows it). Each was a bug of
issue #10 (each test names the item it guards).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin

import httpx2
import pytest
from lxml import html as lxml_html

from tests.e2e.conftest import CSRF, Browsing, Live, http_client

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _doc(response: httpx2.Response) -> Any:
    return lxml_html.fromstring(response.text)


def _csrf(response: httpx2.Response) -> str:
    match = CSRF.search(response.text)
    assert match, response.text[:300]
    return match.group(1)


def _all_rows(client: httpx2.Client, url: str) -> list[Any]:
    """Every row of a list, following its pages."""
    rows: list[Any] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        doc = _doc(response)
        rows += doc.xpath("//table[contains(@class,'list')]/tbody/tr[not(td[contains(@class,'empty')])]")
        following = doc.xpath("//a[@rel='next']/@href")
        url = urljoin(url, str(following[0])) if following else ""
    return rows


def _first_link(client: httpx2.Client, url: str, pattern: str) -> str:
    hrefs = [str(h) for h in _doc(client.get(url)).xpath("//table//a/@href") if re.fullmatch(pattern, str(h))]
    assert hrefs, f"{url} lists nothing matching {pattern}"
    return hrefs[0]


@contextmanager
def _as(live: Live, who: str, lang: str = "en") -> Iterator[httpx2.Client]:
    with http_client(live, who, lang=lang) as client:
        yield client


def test_the_new_order_form_finds_every_customer_of_a_dealer_group(live: Live) -> None:
    """The picker shows a page of matches; without JavaScript its Search button finds the rest."""
    with _as(live, "dealer_group_admin") as client:
        customers = _all_rows(client, "/customers")
        assert len(customers) > 100  # the seed gives the group more than one picker's worth
        last = customers[-1]
        customer_id = str(last.xpath(".//a/@href")[0]).rsplit("/", 1)[1]
        name = last.xpath("string(.//a)").strip()
        form = client.get("/orders/new")
        found = client.post(
            "/orders/new", data={"csrf": _csrf(form), "pick": "customer_id", "customer_id-q": name}
        )
    assert found.status_code == 200, found.text[:300]
    assert customer_id in _doc(found).xpath("//select[@name='customer_id']/option/@value"), name


def test_a_case_opened_from_a_customer_page_keeps_the_customer(live: Live) -> None:
    with _as(live, "dealer_group_admin") as client:
        # the last customer by name: beyond the first 100 the form's picker offers
        customer = _all_rows(client, "/customers")[-1].xpath(".//a/@href")[0]
        customer_id = str(customer).rsplit("/", 1)[1]
        page = _doc(client.get(f"/customers/{customer_id}"))
        link = next(str(h) for h in page.xpath("//main//a/@href") if str(h).startswith("/cases/new"))
        form = _doc(client.get(link))
    chosen = form.xpath(
        f"//select[@name='customer_id']/option[@selected][@value='{customer_id}']"
        f"|//input[@name='customer_id'][@value='{customer_id}']"
    )
    assert chosen, f"{link} does not carry customer {customer_id}"


@pytest.mark.parametrize(("lang", "typed"), [("de", "1.000"), ("en", "1,000")])
def test_a_quantity_typed_in_the_user_s_language_is_stored_as_meant(
    live: Live, lang: str, typed: str
) -> None:
    with _as(live, "dealer", lang) as client:
        form = client.get("/orders/new")
        doc = _doc(form)
        customer = next(o for o in doc.xpath("//select[@name='customer_id']/option/@value") if o)
        product = next(o for o in doc.xpath("//select[@name='line-1-product']/option/@value") if o)
        created = client.post(
            "/orders/new",
            data={
                "csrf": _csrf(form),
                "customer_id": customer,
                "line-1-product": product,
                "line-1-quantity": typed,
            },
        )
        assert created.status_code == 303, created.text[:500]
        order = _doc(client.get(created.headers["location"]))
    ordered = order.xpath("//table[contains(@class,'lines')]/tbody/tr[1]/td[3]")[0].text_content().strip()
    assert ordered == typed


def test_reloading_after_issuing_a_token_issues_no_second_one(live: Live) -> None:
    with _as(live, "owner_admin") as client:
        form = client.get("/admin/tokens")
        role = _doc(form).xpath("//select[@name='roles']/option[@selected]/@value")[0]
        data = {"csrf": _csrf(form), "name": "Reload-Test", "expires_in_days": "30", "roles": str(role)}
        issued = client.post("/admin/tokens", data=data)
        assert issued.status_code == 303, "the answer to the POST is a page: reloading it posts again"
        shown = client.get(issued.headers["location"])
        assert "ptk_" in shown.text
        again = client.get(issued.headers["location"])  # the reload
        assert "ptk_" not in _doc(again).xpath("string(//*[@id='new-token'])")
        names = [r.text_content() for r in _doc(again).xpath("//table[contains(@class,'list')]/tbody/tr")]
    assert sum("Reload-Test" in n for n in names) == 1


def test_the_viewer_sees_no_write_control(live: Live) -> None:
    with _as(live, "owner_viewer") as client:
        pages = ["/orders", "/cases", "/customers"]
        pages.append(_first_link(client, "/orders?status=draft", r"/orders/\d+"))
        pages.append(_first_link(client, "/cases?status=open", r"/cases/\d+"))
        pages.append(_first_link(client, "/customers", r"/customers/\d+"))
        found = []
        for url in pages:
            doc = _doc(client.get(url))
            for href in doc.xpath("//main//a/@href"):
                if str(href).startswith(("/orders/new", "/cases/new")):
                    found.append(f"{url}: link {href}")
            for action in doc.xpath("//main//form[translate(@method,'POST','post')='post']/@action"):
                found.append(f"{url}: form {action}")
    assert found == []


def test_an_upload_over_the_limit_shows_the_case_with_its_menu_and_the_error(live: Live) -> None:
    with _as(live, "dealer") as client:
        case = _first_link(client, "/cases?status=open", r"/cases/\d+")
        page = client.get(case)
        big = b"0" * (10 * 1024 * 1024 + 1024)
        answer = client.post(
            f"{case}/attachments",
            data={"csrf": _csrf(page), "comment": "Prüfprotokoll anbei"},
            files={"file": ("gross.pdf", big, "application/pdf")},
        )
    assert answer.status_code in (400, 413)
    doc = _doc(answer)
    assert doc.xpath("//nav[contains(@class,'main-nav')]"), "the error page has no menu"
    assert doc.xpath(f"//form[@action='{case}/attachments']"), "the answer is not the case page"
    assert doc.xpath("//*[contains(@class,'field-error')]"), "the upload field says nothing"
    assert "Prüfprotokoll anbei" in answer.text, "the comment typed was lost"


def test_a_45_byte_attachment_does_not_show_as_0_kb(live: Live) -> None:
    with _as(live, "dealer") as client:
        case = _first_link(client, "/cases?status=open", r"/cases/\d+")
        page = client.get(case)
        done = client.post(
            f"{case}/attachments",
            data={"csrf": _csrf(page)},
            files={"file": ("klein-45.txt", b"x" * 45, "text/plain")},
        )
        assert done.status_code == 303, done.text[:300]
        entry = _doc(client.get(case)).xpath("//ul[@id='attachments']/li[a[text()='klein-45.txt']]")
    assert entry
    assert not re.search(r"\b0([.,]0)? KB", entry[0].text_content())


def test_the_german_csv_export_opens_in_german_excel(live: Live) -> None:
    with _as(live, "owner_sales", "de") as client:
        export = client.get("/invoices.csv")
    assert export.status_code == 200
    header, first = export.text.lstrip("\ufeff").splitlines()[:2]
    assert header.count(";") >= 3, header
    assert re.search(r"\d,\d\d(;|$)", first), first


def test_a_from_date_after_the_to_date_is_explained(live: Live) -> None:
    with _as(live, "owner_sales") as client:
        response = client.get(f"/orders?from={live.today.year}-12-31&to={live.today.year}-01-01")
    doc = _doc(response)
    assert doc.xpath("//*[@role='alert'] | //*[contains(@class,'field-error')]"), "no message says why"


def test_demo_appointments_are_in_working_hours(live: Live) -> None:
    with _as(live, "owner_sales", "de") as client:
        rows = _all_rows(client, "/activities?kind=appointment")
    hours = [int(m.group(1)) for r in rows for m in re.finditer(r"\b(\d{1,2}):\d\d\b", r.text_content())]
    assert len(hours) > 20
    assert [h for h in hours if not 7 <= h <= 19] == []


def test_the_page_icon_is_served(live: Live) -> None:
    """Browsers ask every page for its icon: a 404 on each page view fills the logs."""
    with _as(live, "dealer") as client:
        icons = _doc(client.get("/")).xpath("//link[contains(concat(' ', @rel, ' '), ' icon ')]/@href")
        response = client.get(str(icons[0]) if icons else "/favicon.ico")
    assert response.status_code == 200


def test_the_order_history_names_the_person_and_organization_that_acted(live: Live) -> None:
    with _as(live, "supplier") as client:
        order = _first_link(client, "/orders?status=awaiting_confirmation", r"/orders/\d+")
        page = client.get(order)
        doc = _doc(page)
        data = {
            "csrf": _csrf(page),
            "version": doc.xpath("string(//form[@id='respond-form']//*[@name='version']/@value)"),
        }
        for select in doc.xpath("//form[@id='respond-form']//select/@name"):
            data[str(select)] = "accepted"
        answered = client.post(f"{order}/respond", data=data)
        assert answered.status_code == 303, answered.text[:300]
    with _as(live, "owner_sales") as client:
        entries = [li.text_content() for li in _doc(client.get(order)).xpath("//ol[@id='timeline']/li")]
    assert entries
    # The answer names the person and the organization, not "the system" or a database id.
    assert re.search(r"\S+ \S+ \(NordTec Pumpen GmbH\) answered", entries[-1]), entries[-1]


def test_every_error_of_a_form_is_reported(live: Live) -> None:
    with _as(live, "dealer") as client:
        form = client.get("/orders/new")
        product = next(o for o in _doc(form).xpath("//select[@name='line-1-product']/option/@value") if o)
        answer = client.post(
            "/orders/new",
            data={
                "csrf": _csrf(form),
                "customer_id": "",
                "line-1-product": product,
                "line-1-quantity": "viele",
            },
        )
    assert answer.status_code == 400
    messages = _doc(answer).xpath("//*[contains(@class,'field-error')]")
    assert len(messages) >= 2, [m.text_content() for m in messages]


def test_the_owner_admin_sees_each_user_s_organization_and_finds_the_exchange_settings(live: Live) -> None:
    with _as(live, "owner_admin") as client:
        users = _doc(client.get("/admin/users"))
        headers = [h.text_content().strip() for h in users.xpath("//table//th")]
        links = set(map(str, users.xpath("//a/@href"))) | set(
            map(str, _doc(client.get("/")).xpath("//a/@href"))
        )
    assert "Organization" in headers, headers
    assert "/admin/exchange" in links


def test_resolving_a_case_asks_for_confirmation(browsing: Browsing, live: Live) -> None:
    from playwright.sync_api import expect

    page = browsing.open("owner_sales", lang="en")
    page.goto("/cases?status=in_progress")
    page.locator("table.list tbody tr a").first.click()
    case_url = page.url
    status = page.locator("#case-status").inner_text()
    resolve = page.locator("form[action$='/status'] button[value=resolve]")
    expect(resolve).to_be_hidden()  # behind a first step that asks
    page.locator("details:has(button[value=resolve]) > summary").click()  # the one click
    expect(resolve).to_be_visible()
    page.goto(case_url)
    expect(page.locator("#case-status")).to_have_text(status)


def test_a_supplier_gives_a_reason_when_rejecting_a_line(live: Live) -> None:
    with _as(live, "supplier") as client:
        order = _first_link(client, "/orders?status=awaiting_confirmation", r"/orders/\d+")
        form = _doc(client.get(order)).xpath("//form[@id='respond-form']")
    assert form
    assert form[0].xpath(".//*[contains(@name, 'reason')]"), "the answer form has no field for a reason"


def test_demo_contact_e_mails_match_the_contact_s_name(live: Live) -> None:
    def plain(name: str) -> str:
        return name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")

    with _as(live, "owner_sales") as client:
        rows = _doc(client.get("/contacts")).xpath("//table[contains(@class,'list')]/tbody/tr")
    pairs = [(r.xpath("string(td[1])").strip(), r.xpath("string(td[4])").strip()) for r in rows]
    # Leave out what this run's crawler and journeys added (E2E names, example.test addresses).
    pairs = [
        (name, mail) for name, mail in pairs if mail and "E2E" not in name and "example.test" not in mail
    ]
    assert len(pairs) > 10
    wrong = [(n, m) for n, m in pairs if plain(n.split(",")[0].split()[-1]) not in m.split("@")[0]]
    assert wrong == []


def test_not_every_open_demo_case_is_overdue(live: Live) -> None:
    with _as(live, "owner_sales", "de") as client:
        rows = _all_rows(client, "/cases?status=open")
    due = []
    for row in rows:
        if re.search(r"E2E|<i>", row.xpath("string(td[2])")):
            continue  # opened by the crawler in this run, not demo data
        sla_due = row.xpath("string(td[@data-label='SLA-Ende'])")  # by its column, wherever it stands
        found = re.search(r"(\d{2})\.(\d{2})\.(\d{2,4})", sla_due)
        if found:
            day, month, year = (int(g) for g in found.groups())
            due.append((2000 + year if year < 100 else year, month, day))
    assert len(due) > 10
    today = (live.today.year, live.today.month, live.today.day)
    assert [d for d in due if d >= today], "every open case is past its SLA"
