"""The sales area (pipeline, opportunities, deal registrations, leads, campaigns, segments,
territories) answers suppliers as missing (404) on every page, list, export and form, like anything
they may not know exists; a dealer reaches it."""

from __future__ import annotations

import pytest

from tests.web.conftest import WebWorld, csrf_of

PAGES = [
    "/pipeline",
    "/opportunities",
    "/opportunities.csv",
    "/opportunities/new",
    "/opportunities/1",
    "/deals",
    "/deals.csv",
    "/deals/new",
    "/deals/1",
    "/leads",
    "/leads.csv",
    "/leads/new",
    "/leads/import",
    "/leads/1",
    "/leads/1/edit",
    "/campaigns",
    "/campaigns.csv",
    "/campaigns/new",
    "/campaigns/results",
    "/campaigns/1",
    "/campaigns/1/edit",
    "/segments",
    "/segments/new",
    "/admin/territories",
    "/admin/territories/1",
]
FORMS = [
    "/deals/new",
    "/leads/new",
    "/leads/distribute",
    "/campaigns/new",
    "/segments/new",
    "/opportunities/new",
    "/admin/territories/1",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_supplier_finds_no_sales_page(world: WebWorld, url: str) -> None:
    response = world.client("supplier-a").get(url)
    assert response.status_code == 404, url


def test_a_suppliers_sales_forms_answer_as_missing(world: WebWorld) -> None:
    client = world.client("supplier-a")
    csrf = csrf_of(client.get("/").text)
    for url in FORMS:
        response = client.post(url, data={"csrf": csrf}, follow_redirects=False)
        assert response.status_code == 404, url


def test_a_dealer_reaches_the_sales_area(world: WebWorld) -> None:
    client = world.client("dealer-group")
    for url in ("/pipeline", "/deals/new", "/leads", "/campaigns", "/deals"):
        assert client.get(url).status_code == 200, url
