"""Campaign pages (issue #18.5): the customers list's filter saved as a segment, the campaign form
(every wrong field named, what was typed kept), the campaign page for marketing and for a dealer, the
list with its filters and CSV, the results of a period; another dealer's view tells nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.campaigns import CampaignWorld, build_campaign_world
from tests.web.conftest import WebWorld, csrf_of, post_form


@pytest.fixture
def cw(world: WebWorld) -> CampaignWorld:
    return build_campaign_world(world.scene)


def test_the_customers_list_filters_by_postal_prefix_and_country(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    page = client.get("/customers?postal=60,+63&country=DE")
    assert page.status_code == 200
    assert "Frankfurter Bäder" in page.text and "Offenbacher Wärme" in page.text
    assert "Hamburger Kälte" not in page.text and "Mainzer Haustechnik" not in page.text
    assert 'id="save-segment"' in page.text
    assert client.get("/customers?postal=6%25").status_code == 400
    csv = client.get("/customers.csv?postal=20").text
    assert "Hamburger Kälte" in csv and "Frankfurter" not in csv
    assert 'id="save-segment"' not in world.client("dealer-group").get("/customers").text


def test_marketing_saves_the_filter_as_a_segment_and_creates_a_campaign(
    world: WebWorld, cw: CampaignWorld
) -> None:
    client = world.client("owner")
    page = client.get("/segments/new?postal=20&country=DE")
    assert page.status_code == 200 and "Customers matching it now: 1" in page.text
    response = client.post(
        "/segments/new",
        data={
            "csrf": csrf_of(page.text),
            "q": "",
            "postal": "20",
            "country": "DE",
            "name": "Hamburg",
            "next": "campaign",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    assert target.startswith("/campaigns/new?segment=")
    form = client.get(target)
    start = date.today()
    response = client.post(
        "/campaigns/new",
        data={
            "csrf": csrf_of(form.text),
            "name": "Nordlicht",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=10)).isoformat(),
            "channel": "print",
            "budget": "1500.50",
            "segment_id": target.rsplit("=", 1)[1],
            "description": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "Nordlicht" in page.text and 'id="segment-size">1<' in page.text
    assert "Hamburger Kälte" in page.text and "Hamburg" in page.text


def test_a_bad_campaign_form_names_every_wrong_field_and_keeps_what_was_typed(world: WebWorld) -> None:
    client = world.client("owner")
    response = post_form(
        client,
        "/campaigns/new",
        "/campaigns/new",
        {
            "name": "",
            "starts_on": "2026-05-10",
            "ends_on": "2026-05-01",
            "channel": "fax",
            "budget": "zwölf",
            "description": "kept text",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    for field in ("name", "ends_on", "channel", "budget"):
        assert f'id="{field}-error"' in text, field
    assert "kept text" in text and "zwölf" in text


def test_a_taken_name_in_other_case_is_named_with_the_others(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    typed = {
        "name": "frühjahr",  # the campaign world's "Frühjahr"
        "starts_on": "2026-05-10",
        "ends_on": "2026-05-01",
        "channel": "fax",
        "budget": "zwölf",
        "description": "kept text",
    }
    response = post_form(client, "/campaigns/new", "/campaigns/new", typed)
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    for field in ("name", "ends_on", "channel", "budget"):
        assert f'id="{field}-error"' in text, field
    assert "another campaign has this name" in text
    assert 'value="frühjahr"' in text
    # the same on the edit form of another campaign
    other = post_form(
        client,
        "/campaigns/new",
        "/campaigns/new",
        {**typed, "name": "Herbst", "ends_on": "2026-06-01", "channel": "email", "budget": "10"},
    )
    assert other.status_code == 303, other.text  # type: ignore[attr-defined]
    edit = other.headers["location"] + "/edit"  # type: ignore[attr-defined]
    response = post_form(client, edit, edit, {**typed, "version": "1"})
    assert response.status_code == 400  # type: ignore[attr-defined]
    for field in ("name", "ends_on", "channel", "budget"):
        assert f'id="{field}-error"' in response.text, field  # type: ignore[attr-defined]


def test_a_segment_name_is_required_and_kept(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    page = client.get("/segments/new?postal=60")
    response = client.post(
        "/segments/new",
        data={"csrf": csrf_of(page.text), "postal": "60", "name": "rhein-main"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert 'id="name-error"' in response.text and 'value="rhein-main"' in response.text


def test_the_campaign_page_shows_marketing_the_budget_and_costs(world: WebWorld, cw: CampaignWorld) -> None:
    page = world.client("owner").get(f"/campaigns/{cw.campaign_id}")
    assert page.status_code == 200
    assert 'id="campaign-budget"' in page.text and 'id="result-cost-per-lead"' in page.text
    assert 'id="result-leads">3<' in page.text
    assert "Rhein-Main" in page.text


def test_a_dealer_sees_its_customers_and_leads_but_no_budget(world: WebWorld, cw: CampaignWorld) -> None:
    page = world.client("dealer-group").get(f"/campaigns/{cw.campaign_id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="campaign-budget"' not in text and "12.000" not in text and "12,000" not in text
    assert 'id="result-cost-per-lead"' not in text and "Rhein-Main" not in text
    assert 'id="result-leads">2<' in text and 'id="segment-size">1<' in text
    assert "Frankfurter Bäder" in text and "Offenbacher" not in text
    assert "Firma group-won" in text and "Firma other-won" not in text
    assert 'id="campaign-edit"' not in text
    listing = world.client("dealer-group").get("/campaigns")
    assert "Frühjahr" in listing.text
    csv = world.client("dealer-group").get("/campaigns.csv").text
    assert "Frühjahr" in csv and "10000" not in csv and "10.000" not in csv


def test_a_dealer_the_campaign_does_not_touch_gets_404(world: WebWorld, cw: CampaignWorld) -> None:
    partner = world.client("partner")
    assert partner.get(f"/campaigns/{cw.campaign_id}").status_code == 404
    assert "Frühjahr" not in partner.get("/campaigns").text
    assert world.client("supplier-a").get("/campaigns").status_code == 404
    dealer = world.client("dealer-group")
    assert dealer.get(f"/campaigns/{cw.campaign_id}/edit").status_code == 403
    assert dealer.get("/campaigns/results").status_code == 403
    assert dealer.get("/segments").status_code == 403


def test_the_list_filters_by_status_and_channel_and_exports(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    assert "Frühjahr" in client.get("/campaigns?status=running&channel=email").text
    assert "Frühjahr" not in client.get("/campaigns?status=planned").text
    assert "Frühjahr" not in client.get("/campaigns?channel=print").text
    assert client.get("/campaigns?status=forever").status_code == 400
    csv = client.get("/campaigns.csv?status=running").text
    assert "Frühjahr" in csv


def test_the_results_of_a_period_with_totals(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    today = date.today()
    page = client.get(f"/campaigns/results?from={today.isoformat()}&to={today.isoformat()}")
    assert page.status_code == 200
    assert "Frühjahr" in page.text and 'id="results-total"' in page.text
    empty = client.get("/campaigns/results?from=2001-01-01&to=2001-12-31")
    assert "Frühjahr" not in empty.text
    assert client.get("/campaigns/results?from=gestern").status_code == 400


def test_german_pages(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    page = client.get(f"/campaigns/{cw.campaign_id}?lang=de")
    assert "Ergebnisse" in page.text and "Kosten je Lead" in page.text
    assert "Kampagnen" in client.get("/campaigns?lang=de").text


def test_pipeline_board_links_the_campaigns(world: WebWorld) -> None:
    assert 'id="campaigns-link"' in world.client("owner").get("/pipeline").text


def test_marketing_deletes_a_segment(world: WebWorld, cw: CampaignWorld) -> None:
    client = world.client("owner")
    page = client.get("/segments")
    assert "Rhein-Main" in page.text
    response = client.post(
        f"/segments/{cw.segment_id}/delete", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert ">Rhein-Main</a>" not in client.get("/segments").text
    assert "Rhein-Main" in client.get(f"/campaigns/{cw.campaign_id}").text  # kept by the campaign
