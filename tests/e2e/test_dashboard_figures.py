"""Every dashboard figure equals the number of rows in the list its tile opens, per kind of organization.

The tile is found by its label on the English dashboard, its number and link are read from the page,
and the list is counted by following its pages (``rel=next``) to the end.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import httpx2
import pytest
from lxml import html as lxml_html

from tests.e2e.conftest import Live, http_client

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SLA = "Cases near or past their SLA"
TODAY = "Appointments today"
OPEN = "Open customer orders"
WAITING = "Orders waiting for confirmation"
LATE = "Late shipments"
INVOICES = "Open invoices"


def _case(who: str, tile: str) -> Any:
    return pytest.param(who, tile, id=f"{who}-{tile}")


CASES = [
    _case("owner_sales", OPEN),
    _case("owner_sales", SLA),
    _case("owner_sales", TODAY),
    _case("owner_sales", WAITING),
    _case("owner_sales", LATE),
    _case("owner_sales", INVOICES),
    _case("dealer", OPEN),
    _case("dealer", SLA),
    _case("dealer", TODAY),
    _case("partner", SLA),
    _case("partner", TODAY),
    _case("supplier", WAITING),
    _case("supplier", LATE),
    _case("supplier", INVOICES),
]


def _tiles(client: httpx2.Client) -> dict[str, tuple[int, str]]:
    page = client.get("/?lang=en")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    tiles = {}
    for tile in doc.xpath("//*[contains(concat(' ', @class, ' '), ' tile ')][@href]"):
        number = tile.xpath(".//*[contains(@class, 'num')]")[0].text_content()
        label = " ".join(tile.text_content().replace(number, "", 1).split())
        tiles[label] = (int(re.sub(r"\D", "", number)), str(tile.get("href")))
    return tiles


def _count_rows(client: httpx2.Client, href: str) -> int:
    count, url, pages = 0, href, 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        doc = lxml_html.fromstring(response.text)
        count += len(
            doc.xpath("//table[contains(@class, 'list')]/tbody/tr[not(td[contains(@class, 'empty')])]")
        )
        following = doc.xpath("//a[@rel='next']/@href")
        url = urljoin(url, str(following[0])) if following else ""  # "?after=..." is relative
        pages += 1
        assert pages < 200, f"{href} does not end"
    return count


@pytest.mark.parametrize(("who", "tile"), CASES)
def test_the_tile_s_figure_is_the_row_count_of_the_list_it_opens(live: Live, who: str, tile: str) -> None:
    with http_client(live, who, lang="en") as client:
        tiles = _tiles(client)
        found = [label for label in tiles if label.startswith(tile)]
        assert found, f"{who} has no tile {tile!r}; tiles: {sorted(tiles)}"
        figure, href = tiles[found[0]]
        rows = _count_rows(client, href)
    assert rows > 0 or figure > 0, f"{who}: tile {tile!r} and its list {href} are empty: nothing checked"
    assert figure == rows, f"{who}: tile {tile!r} says {figure}, its list {href} has {rows} rows"


def test_the_owner_s_by_partner_row_agrees_with_the_dealer_s_own_dashboard(live: Live) -> None:
    with http_client(live, "dealer", lang="en") as client:
        own, _ = _tiles(client)[OPEN]
    with http_client(live, "owner_sales", lang="en") as client:
        doc = lxml_html.fromstring(client.get("/?lang=en").text)
    rows = {
        r.xpath("string(td[1])").strip(): int(re.sub(r"\D", "", r.xpath("string(td[2])")) or 0)
        for r in doc.xpath("//section[@aria-labelledby='h-partners']//tbody/tr")
    }
    assert own > 0
    assert rows.get("Haustechnik Rhein-Main Nord") == own, rows
