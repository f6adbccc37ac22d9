"""Texts, layout and dead ends of the sales pages (leads, deals, campaigns, opportunities) found in the
walk of issue #18: what a user reads, in German and English, and the buttons that lead on."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from starlette.testclient import TestClient

from portal.campaigns import service as campaigns
from portal.leads import importing
from portal.leads import service as leads
from portal.models import OrgKind
from portal.web import labels
from portal.web.i18n import load_translations
from tests.campaigns import build_campaign_world
from tests.leads import give_territory, new_lead
from tests.web.conftest import WebWorld, csrf_of


def _options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert select, f"no {name} select"
    return [
        (v, t.strip())
        for v, t in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    ]


# -- the leads list ----------------------------------------------------------------------------------
def test_marketing_distributes_its_queue_again_from_the_leads_list(world: WebWorld) -> None:
    ident = new_lead(world)  # nobody covers 21073 yet: it waits in the queue
    client = world.client("owner")
    queue = client.get("/leads", params={"status": "unassigned", "lang": "de"})
    assert 'id="distribute-form"' in queue.text and "Warteschlange neu verteilen" in queue.text
    give_territory(world)  # now a territory covers it
    response = client.post("/leads/distribute", data={"csrf": csrf_of(queue.text)}, follow_redirects=False)
    assert response.status_code == 303
    after = client.get(response.headers["location"], params={"lang": "de"})
    assert "Neu verteilt. An Händler angeboten: 1; weiter in der Warteschlange: 0." in after.text
    assert world.client("dealer-group").get(f"/leads/{ident}").status_code == 200
    dealer = world.client("dealer-group").get("/leads").text
    assert 'id="distribute-form"' not in dealer


def test_a_dealer_filters_its_leads_only_by_the_statuses_they_can_have(world: WebWorld) -> None:
    dealer = _options(world.client("dealer-group").get("/leads", params={"lang": "de"}).text, "status")
    assert [v for v, _t in dealer] == ["", "offered", "accepted", "converted"]
    owner = _options(world.client("owner").get("/leads", params={"lang": "de"}).text, "status")
    values = [v for v, _t in owner]
    assert {"unassigned", "new", "declined", "disqualified"} <= set(values)
    names = [t for v, t in owner if v]
    assert len(names) == len(set(names))
    queue, new = dict(owner)["unassigned"], dict(owner)["new"]
    assert not queue.startswith(new) and "Warteschlange" in queue, (queue, new)


# -- campaigns ---------------------------------------------------------------------------------------
def test_the_budget_hint_writes_numbers_as_the_page_language_does(world: WebWorld) -> None:
    client = world.client("owner")
    english = client.get("/campaigns/new", params={"lang": "en"}).text
    assert "E.g. 12000 or 12,000.50" in english and "12.000,50" not in english
    german = client.get("/campaigns/new", params={"lang": "de"}).text
    assert "Z. B. 12000 oder 12.000,50" in german


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no version field"
    return found.group(1)


# -- opportunities -----------------------------------------------------------------------------------
def _converted(world: WebWorld, notes: str, company: str = "Hafen Kälte GmbH") -> tuple[TestClient, str]:
    """A lead with ``notes`` that dealer-group accepts and converts on its pages: the client and the
    opportunity's address."""
    give_territory(world)
    with world.scene.uow() as uow:
        ident = leads.create_lead(
            uow=uow,
            principal=world.scene.p("owner", "sales"),
            values=leads.LeadFields(company=company, postal_code="21073", notes=notes),
        ).id
    client = world.client("dealer-group")
    page = client.get(f"/leads/{ident}")
    client.post(f"/leads/{ident}/accept", data={"csrf": csrf_of(page.text), "version": "2"})
    response = client.post(
        f"/leads/{ident}/convert",
        data={
            "csrf": csrf_of(page.text),
            "version": "3",
            "target": "new",
            "opportunity_name": "Kälteanlage",
            "expected_close": (date.today() + timedelta(days=40)).isoformat(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client, response.headers["location"]


def test_a_converted_opportunity_names_its_lead_in_a_fact_not_in_its_note(world: WebWorld) -> None:
    client, url = _converted(world, "Rückruf am Montag")
    page = client.get(url, params={"lang": "de"}).text
    assert 'id="opportunity-lead"' in page
    assert '<p class="pre">Rückruf am Montag</p>' in page  # what marketing wrote, without "LD-…: "
    _client, bare = _converted(world, "", "Werft Süd AG")
    assert '<p class="pre">' not in client.get(bare).text  # no note of only the lead's number


def test_the_opportunity_owner_is_the_person_responsible_in_german(world: WebWorld) -> None:
    client, url = _converted(world, "")
    german = client.get(url, params={"lang": "de"}).text
    assert "<dt>Verantwortlich</dt><dd>Dealer-Group User</dd>" in german and "Betreiber" not in german
    english = client.get(url, params={"lang": "en"}).text
    assert "<dt>Owner</dt><dd>Dealer-Group User</dd>" in english
    # the owner organisation keeps its German name
    assert load_translations("de").ugettext(labels.ORG_KIND[OrgKind.OWNER]) == "Betreiber"


def test_a_final_opportunity_no_longer_asks_for_products(world: WebWorld) -> None:
    client, url = _converted(world, "")
    hint = "Noch keine Produkte: Fügen Sie hinzu"
    assert hint in client.get(url, params={"lang": "de"}).text  # open: it asks
    page = client.get(url)
    lost = client.post(
        f"{url}/stage",
        data={
            "csrf": csrf_of(page.text),
            "version": _version(page.text),
            "stage": "lost",
            "lost_reason": "Zu teuer",
        },
        follow_redirects=False,
    )
    assert lost.status_code == 303, lost.text
    final = client.get(url, params={"lang": "de"}).text
    assert hint not in final and "Es wurden keine Produkte erfasst." in final


# -- the lists of errors name each field as its label does ------------------------------------------
def _summary_names(page: str) -> list[str]:
    found = re.search(r'<ul class="error-list">(.*?)</ul>', page, re.S)
    assert found, "no list of errors"
    return [item.split(": ")[0].strip() for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def _labels(page: str) -> set[str]:
    return {
        re.sub(r"<span.*", "", text, flags=re.S).strip()
        for text in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)
    }


def _assert_summary_uses_labels(page: str, *expected: str) -> None:
    names = _summary_names(page)
    assert set(expected) <= set(names), names
    assert set(names) <= _labels(page), (names, _labels(page))


def test_the_lead_form_names_the_e_mail_field_as_its_label(world: WebWorld) -> None:
    client = world.client("owner")
    page = client.get("/leads/new", params={"lang": "de"})
    response = client.post(
        "/leads/new",
        data={
            "csrf": csrf_of(page.text),
            "company": "Kühlhaus Nord",
            "email": "kein-mail",
            "country_code": "DE",
        },
    )
    assert response.status_code == 400
    _assert_summary_uses_labels(response.text, "E-Mail-Adresse")


def test_the_reasons_of_a_lead_are_named_as_their_fields(world: WebWorld) -> None:
    give_territory(world)
    ident = new_lead(world)
    dealer = world.client("dealer-group")
    page = dealer.get(f"/leads/{ident}", params={"lang": "de"})
    declined = dealer.post(f"/leads/{ident}/decline", data={"csrf": csrf_of(page.text), "reason": ""})
    assert declined.status_code == 400
    _assert_summary_uses_labels(declined.text, "Grund der Ablehnung")
    owner = world.client("owner")
    page = owner.get(f"/leads/{ident}", params={"lang": "de"})
    refused = owner.post(f"/leads/{ident}/disqualify", data={"csrf": csrf_of(page.text), "reason": ""})
    assert refused.status_code == 400
    _assert_summary_uses_labels(refused.text, "Grund der Disqualifizierung")


def test_the_deal_registration_names_the_amount_as_its_label(world: WebWorld) -> None:
    client = world.client("dealer-group")
    page = client.get("/deals/new", params={"lang": "de"})
    response = client.post(
        "/deals/new",
        data={
            "csrf": csrf_of(page.text),
            "prospect_name": "Werft Süd AG",
            "description": "",
            "amount": "zwölf",
        },
    )
    assert response.status_code == 400
    _assert_summary_uses_labels(response.text, "Erwarteter Betrag (EUR)", "Beschreibung und Produkte")


# -- a lead's page -------------------------------------------------------------------------------------
def test_each_reason_of_a_lead_sits_with_its_own_action(world: WebWorld) -> None:
    give_territory(world)
    ident = new_lead(world)
    page = world.client("dealer-group").get(f"/leads/{ident}", params={"lang": "de"}).text
    accept = re.search(r'<section class="action-box"[^>]*>(.*?)</section>', page, re.S)
    assert accept and 'id="accept-form"' in accept.group(1) and "textarea" not in accept.group(1)
    decline = page[page.index('id="decline-title"') :]
    assert decline.index("Grund der Ablehnung") < decline.index("Lead ablehnen")
    owner = world.client("owner").get(f"/leads/{ident}", params={"lang": "de"}).text
    assign = owner[owner.index('id="lead-reassign"') : owner.index('id="lead-disqualify"')]
    assert "Grund der Disqualifizierung" not in assign and "Nach Gebiet verteilen" in assign
    disqualify = owner[owner.index('id="lead-disqualify"') :]
    assert disqualify.index("Grund der Disqualifizierung") < disqualify.index(">Disqualifizieren</button>")


def test_giving_a_lead_by_hand_starts_without_a_dealer_and_refuses_none(world: WebWorld) -> None:
    ident = new_lead(world, postal_code="50667")  # nobody covers it: it waits in the queue
    client = world.client("owner")
    page = client.get(f"/leads/{ident}", params={"lang": "de"})
    dealers = _options(page.text, "dealer_id")
    assert dealers[0] == ("", "Händler wählen")
    assert "selected" not in re.search(r'<select[^>]*name="dealer_id".*?</select>', page.text, re.S).group(0)  # type: ignore[union-attr]
    response = client.post(
        f"/leads/{ident}/reassign",
        data={"csrf": csrf_of(page.text), "version": "1", "dealer_id": "", "how": "hand"},
    )
    assert response.status_code == 400 and 'id="dealer_id-error"' in response.text
    assert "wählen Sie einen Händler" in response.text
    _assert_summary_uses_labels(response.text, "An Händler geben")


# -- the import -----------------------------------------------------------------------------------------
def test_the_import_page_writes_its_limit_as_a_number_and_never_breaks_a_column_name(world: WebWorld) -> None:
    client = world.client("owner")
    german = client.get("/leads/import", params={"lang": "de"}).text
    assert "höchstens 5.000 Zeilen" in german
    assert "at most 5,000 rows" in client.get("/leads/import", params={"lang": "en"}).text
    example = re.search(r'<code class="csv-header" id="import-example">(.*?)</code>', german, re.S)
    assert example, "no example header"
    names = re.findall(r"<span>([^<]*)</span>", example.group(1))
    assert "".join(names) == importing.EXAMPLE_HEADER and "E-Mail;" in names  # each name one piece
    assert ".csv-header span { white-space: nowrap; }" in client.get("/static/portal.css").text


def test_the_import_check_counts_lines_of_the_file_in_german(world: WebWorld) -> None:
    client = world.client("owner")
    page = client.get("/leads/import", params={"lang": "de"})
    checked = client.post(
        "/leads/import",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("leads.csv", b"Firma;E-Mail\nAlpha GmbH;a@alpha.example\n;b@x\n", "text/csv")},
    )
    assert checked.status_code == 200, checked.text
    assert '<th scope="col">Zeile</th>' in checked.text and "Pos." not in checked.text


# -- lists and tables ----------------------------------------------------------------------------------
def test_a_lead_number_stays_on_one_line(world: WebWorld) -> None:
    new_lead(world)
    client = world.client("owner")
    page = client.get("/leads").text
    assert re.search(r'<td data-label="Number" class="k-link k-id"><a href="/leads/\d+">LD-', page), page
    assert "td.k-id { white-space: nowrap; }" in client.get("/static/portal.css").text


def test_the_results_total_row_has_the_costs_of_the_period(world: WebWorld) -> None:
    build_campaign_world(world.scene)  # budget 12,000 EUR, 3 leads, 10,000 EUR won
    today = date.today().isoformat()
    page = (
        world.client("owner")
        .get("/campaigns/results", params={"from": today, "to": today, "lang": "de"})
        .text
    )
    assert 'id="total-cost-per-lead">4.000,00\xa0€<' in page
    assert 'id="total-cost-per-euro">1,20\xa0€<' in page
    assert 'class="list wrap-heads" id="campaign-results-table"' in page  # headings wrap, not cut


def test_the_results_total_leaves_a_cost_empty_without_a_divisor(world: WebWorld) -> None:
    later = date.today() + timedelta(days=100)
    with world.scene.uow() as uow:
        campaigns.create_campaign(
            uow=uow,
            principal=world.scene.p("owner", "sales"),
            values=campaigns.CampaignFields(
                name="Herbst", starts_on=later, ends_on=later, channel="trade_fair", budget=Decimal("500")
            ),
        )
    day = later.isoformat()
    page = world.client("owner").get("/campaigns/results", params={"from": day, "to": day}).text
    assert "Herbst" in page  # a budget, no leads, nothing won
    assert 'id="total-cost-per-lead">–<' in page and 'id="total-cost-per-euro">–<' in page


# -- territories -----------------------------------------------------------------------------------------
def test_territories_say_no_territory_and_what_a_capacity_must_be(world: WebWorld) -> None:
    client = world.client("owner")
    listed = client.get("/admin/territories", params={"lang": "de"}).text
    assert "kein Gebiet" in listed and ">keines<" not in listed
    assert "no territory" in client.get("/admin/territories", params={"lang": "en"}).text
    dealer = world.scene.orgs["dealer-other"].id
    page = client.get(f"/admin/territories/{dealer}", params={"lang": "de"})
    refused = client.post(
        f"/admin/territories/{dealer}",
        data={"csrf": csrf_of(page.text), "postal_ranges": "DE 80000-81999", "regions": "", "capacity": "-5"},
    )
    assert refused.status_code == 400
    assert "muss eine ganze Zahl von 0 bis 10.000 sein" in refused.text
    assert "Dieser Wert wird nicht angenommen" not in refused.text
