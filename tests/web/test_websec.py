"""Web hardening: attachment names, HEAD requests, caching and transport headers, the e-mail
check of /admin/users, CSV formula cells (issue #12: 7 and the web Low items)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

import pytest

from portal.cases import service as cases
from portal.web.views.lists import _csv_cell
from tests.web.conftest import PASSWORD, WebWorld, csrf_of, login, post_form


def test_an_attachment_with_a_non_latin1_name_downloads_under_its_name(world: WebWorld) -> None:
    with world.scene.uow() as uow:
        case = cases.open_case(
            uow=uow, principal=world.scene.p("dealer-group"), subject="Pumpe", description="Leckt"
        )
    client = world.client("dealer-group")
    url = f"/cases/{case.id}"
    name = "Łódź-€-测试.pdf"
    response = client.post(
        f"{url}/attachments",
        data={"csrf": csrf_of(client.get(url).text)},
        files={"file": (name, b"%PDF-1.4 test", "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    link = re.search(rf'href="({url}/attachments/\d+)"', client.get(url).text)
    assert link
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 test"
    disposition = download.headers["content-disposition"]
    disposition.encode("ascii")  # nothing but ASCII in the header
    assert disposition.startswith("inline; ")
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback and fallback.group(1) == "odz--.pdf"
    star = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert star and unquote(star.group(1)) == name


def test_head_on_a_get_and_post_route_is_a_get_without_body(world: WebWorld) -> None:
    client = world.client("dealer-group")
    get = client.get("/account/password")
    head = client.head("/account/password")  # no CSRF token: the POST branch must not run
    assert get.status_code == 200
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


def test_logged_in_pages_and_exports_are_not_cached_but_static_files_are(world: WebWorld) -> None:
    client = world.client("owner")
    for url in ("/", "/orders", "/orders.csv", "/account/password"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["cache-control"], url
    assert "no-store" not in client.get("/static/portal.css").headers.get("cache-control", "")
    assert "cache-control" not in world.client().get("/login").headers  # an anonymous form page


def test_hsts_only_over_https(world: WebWorld) -> None:
    https = world.client(base_url="https://testserver").get("/login")
    assert https.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in world.client().get("/login").headers


@pytest.mark.parametrize(
    "text",
    ["=1+1", '  =HYPERLINK("http://x")', "\t=cmd", "\r@SUM(A1)", " +1", "-2+3", "\n=x", "＝1+1", "\u3000@x"],
)
def test_a_csv_cell_that_a_spreadsheet_would_read_as_a_formula_stays_text(text: str) -> None:
    assert _csv_cell(text, lambda s: s) == "'" + text


@pytest.mark.parametrize("text", ["Müller GmbH", "a=b", "x-1", "mail@example.com"])
def test_other_csv_cells_are_kept(text: str) -> None:
    assert _csv_cell(text, lambda s: s) == text


def test_an_exported_customer_name_with_a_formula_is_quoted(world: WebWorld) -> None:
    """The guard is wired into the export (names are stripped: leading blanks are tested above)."""
    world.scene.customer('=HYPERLINK("http://evil.example","x")', shared_with=("dealer-group",))
    export = world.client("dealer-group").get("/customers.csv", params={"lang": "en"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell]
    assert cells == ['\'=HYPERLINK("http://evil.example","x")']


def test_a_known_device_gets_past_a_flooded_address_but_an_unknown_browser_does_not(world: WebWorld) -> None:
    """All test clients share one address: a flood of wrong logins blocks it (20 per 10 minutes);
    the browser that logged in to the account before still gets in with the right password."""
    known = world.client()
    login(known, "supplier-b@example.test")
    assert "portal_device" in known.cookies
    post_form(known, "/", "/logout", {})
    flooder = world.client()
    statuses = []
    for n in range(21):
        page = flooder.get("/login")
        response = flooder.post(
            "/login",
            data={"email": f"guess{n}@example.test", "password": "guess", "csrf": csrf_of(page.text)},
        )
        statuses.append(response.status_code)
    assert statuses[:20] == [400] * 20 and statuses[20] == 429
    stranger = world.client()
    page = stranger.get("/login")
    refused = stranger.post(
        "/login", data={"email": "supplier-b@example.test", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    assert refused.status_code == 429
    login(known, "supplier-b@example.test")  # 303: the device cookie passes the address block
