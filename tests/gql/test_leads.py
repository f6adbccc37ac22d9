"""Leads in the API (issue #18.2): create and distribute, the connection with its filters, accept,
decline, convert (the duplicate warning), reassign, the import with per-row errors, territories,
node(id:) and the change feed; another dealer sees nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.gql.conftest import Api, gid

SOON = (date.today() + timedelta(days=45)).isoformat()

TERRITORY = """mutation($input: SetTerritoryInput!) { setLeadTerritory(input: $input) {
  territory { postalRanges regions capacity openLeads organization { name } }
  userErrors { field message code } } }"""

CREATE = """mutation($input: CreateLeadInput!) { createLead(input: $input) {
  lead { id number company status version answerDueAt dealer { name } canAnswer canConvert }
  userErrors { field message code } } }"""

ANSWER = """mutation($input: AnswerLeadInput!) { acceptLead(input: $input) {
  lead { status version canConvert offers { outcome dealer { name } } } userErrors { field code } } }"""

DECLINE = """mutation($input: DeclineLeadInput!) { declineLead(input: $input) {
  lead { status } userErrors { field code } } }"""

CONVERT = """mutation($input: ConvertLeadInput!) { convertLead(input: $input) {
  lead { status } customer { name } opportunity { number stage dealer { name } }
  duplicates { id } userErrors { field message code } } }"""

LIST = """query($filter: LeadFilter) { leads(first: 20, filter: $filter) {
  totalCount nodes { number company status dealer { name } } } }"""

IMPORT = """mutation($csv: String!, $mode: LeadImportMode!) { importLeads(csv: $csv, mode: $mode) {
  imported offered badRows rowErrors { line field message } ignoredColumns leads { company status }
  userErrors { field message } } }"""


@pytest.fixture(autouse=True)
def _owner_admin(api: Api) -> None:
    """The owner's calls as an admin (marketing's work and the territories)."""
    api.tokens["owner:"] = api.token("owner", "admin")


def _territory(api: Api, slug: str = "dealer-group", ranges: tuple[str, ...] = ("DE 20000-22999",)) -> None:
    data = api.ok(
        TERRITORY,
        {
            "input": {
                "organization": gid("Organization", api.scene.orgs[slug].id),
                "postalRanges": list(ranges),
            }
        },
    )["setLeadTerritory"]
    assert data["userErrors"] == [], data


def _create(api: Api, postal_code: str = "20095", company: str = "Kühlhaus Nord") -> dict[str, Any]:
    data = api.ok(
        CREATE, {"input": {"lead": {"company": company, "postalCode": postal_code, "city": "Hamburg"}}}
    )["createLead"]
    assert data["userErrors"] == [], data
    return dict(data["lead"])


def test_a_lead_reaches_the_dealer_who_accepts_and_converts_it(api: Api) -> None:
    _territory(api)
    lead = _create(api)
    assert lead["status"] == "OFFERED" and lead["dealer"]["name"] == "Dealer Group" and lead["answerDueAt"]
    assert lead["canAnswer"] is False  # marketing does not answer for the dealer
    listed = api.ok(LIST, as_="dealer-group")["leads"]
    assert listed["totalCount"] == 1 and listed["nodes"][0]["company"] == "Kühlhaus Nord"
    accepted = api.ok(
        ANSWER, {"input": {"id": lead["id"], "expectedVersion": lead["version"]}}, as_="dealer-group"
    )["acceptLead"]
    assert accepted["lead"]["status"] == "ACCEPTED" and accepted["lead"]["canConvert"] is True
    assert accepted["lead"]["offers"] == [{"outcome": "ACCEPTED", "dealer": {"name": "Dealer Group"}}]
    converted = api.ok(
        CONVERT,
        {
            "input": {
                "id": lead["id"],
                "opportunityName": "Kälteanlage",
                "expectedClose": SOON,
                "amount": "9000",
            }
        },
        as_="dealer-group",
    )["convertLead"]
    assert converted["userErrors"] == [], converted
    assert converted["lead"]["status"] == "CONVERTED" and converted["customer"]["name"] == "Kühlhaus Nord"
    assert converted["opportunity"]["stage"] == "QUALIFICATION"
    assert converted["opportunity"]["dealer"]["name"] == "Dealer Group"


def test_conversion_answers_duplicate_with_the_look_alikes(api: Api) -> None:
    existing = api.scene.customer("Kühlhaus Nord", shared_with=("dealer-group",))
    lead = _create(api, postal_code="10115")  # the scene's customers sit at 10115; nobody covers it
    api.ok(
        "mutation($input: ReassignLeadInput!) { reassignLead(input: $input) { userErrors { code } } }",
        {"input": {"id": lead["id"], "dealer": gid("Organization", api.scene.orgs["dealer-group"].id)}},
    )
    api.ok(ANSWER, {"input": {"id": lead["id"]}}, as_="dealer-group")
    refused = api.ok(
        CONVERT,
        {"input": {"id": lead["id"], "opportunityName": "X", "expectedClose": SOON}},
        as_="dealer-group",
    )["convertLead"]
    assert refused["userErrors"][0]["code"] == "DUPLICATE"
    assert refused["duplicates"] == [{"id": gid("Customer", existing.id)}] and refused["lead"] is None


def test_conversion_refuses_a_past_close_and_names_every_wrong_field(api: Api) -> None:
    _territory(api)
    lead = _create(api)
    api.ok(ANSWER, {"input": {"id": lead["id"]}}, as_="dealer-group")
    refused = api.ok(
        CONVERT,
        {"input": {"id": lead["id"], "opportunityName": " ", "expectedClose": "2020-01-01", "amount": "-1"}},
        as_="dealer-group",
    )["convertLead"]
    assert refused["lead"] is None
    assert [(e["field"], e["message"]) for e in refused["userErrors"]] == [
        (["opportunityName"], "must not be empty"),
        (["expectedClose"], "must not be in the past"),
        (["amount"], "must not be negative"),
    ]


def test_another_dealer_sees_nothing_and_its_answers_are_not_found(api: Api) -> None:
    _territory(api)
    lead = _create(api)
    assert api.ok(LIST, as_="dealer-other")["leads"]["totalCount"] == 0
    assert (
        api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": lead["id"]}, as_="dealer-other")["node"]
        is None
    )
    answered = api.ok(ANSWER, {"input": {"id": lead["id"]}}, as_="dealer-other")["acceptLead"]
    assert answered["userErrors"][0]["code"] == "NOT_FOUND"
    feed = api.feed(
        '{ changes(first: 100, entities: ["lead"]) { changes { entityId } } }', as_="dealer-other"
    )
    assert feed["changes"]["changes"] == []
    assert api.ok(LIST, as_="supplier-a")["leads"]["totalCount"] == 0
    assert api.ok("{ leadTerritories { capacity } }", as_="dealer-other")["leadTerritories"] == []


def test_a_decline_removes_the_lead_from_the_dealers_feed(api: Api) -> None:
    _territory(api)
    lead = _create(api)
    seen = api.feed(
        '{ changes(first: 100, entities: ["lead"]) { changes { operation } } }', as_="dealer-group"
    )
    assert {c["operation"] for c in seen["changes"]["changes"]} == {"UPSERT"}
    declined = api.ok(DECLINE, {"input": {"id": lead["id"], "reason": "Zu weit"}}, as_="dealer-group")
    assert declined["declineLead"]["lead"] is None and declined["declineLead"]["userErrors"] == []
    feed = api.feed(
        '{ changes(first: 100, entities: ["lead"]) { changes { operation } } }', as_="dealer-group"
    )
    assert feed["changes"]["changes"][-1]["operation"] == "REMOVE"
    queued = api.ok(LIST, {"filter": {"unassigned": True}})["leads"]
    assert queued["nodes"][0]["status"] == "DECLINED"


def test_import_reports_each_bad_row_and_imports_as_chosen(api: Api) -> None:
    _territory(api)
    csv = (
        "Company,Contact,Postal code,Country,Unknown\n"
        "Alpha,Anna,20095,DE,x\n,Bert,20095,DE,y\nGamma,,80331,XXX,z\n"
    )
    nothing = api.ok(IMPORT, {"csv": csv, "mode": "ALL_OR_NOTHING"})["importLeads"]
    assert nothing["imported"] == 0 and nothing["badRows"] == 2
    assert [(e["line"], e["field"]) for e in nothing["rowErrors"]] == [(3, "company"), (4, "country_code")]
    assert nothing["ignoredColumns"] == ["Unknown"]
    good = api.ok(IMPORT, {"csv": csv, "mode": "GOOD_ROWS"})["importLeads"]
    assert good["imported"] == 1 and good["offered"] == 1
    assert good["leads"] == [{"company": "Alpha", "status": "OFFERED"}]
    refused = api.ok(IMPORT, {"csv": "Name\nX\n", "mode": "GOOD_ROWS"})["importLeads"]
    assert refused["userErrors"][0]["field"] == ["file"]
    dealer = api.ok(IMPORT, {"csv": csv, "mode": "GOOD_ROWS"}, as_="dealer-group")["importLeads"]
    assert dealer["userErrors"] and dealer["imported"] == 0


def test_create_lead_checks_postal_code_and_country(api: Api) -> None:
    data = api.ok(
        CREATE, {"input": {"lead": {"company": "Kühlhaus", "postalCode": "ABCDE", "city": "Hamburg"}}}
    )["createLead"]
    assert [(e["field"], e["message"]) for e in data["userErrors"]] == [
        (["postalCode"], "a German postal code has five digits")
    ]
    data = api.ok(CREATE, {"input": {"lead": {"company": "Kühlhaus", "countryCode": "XX"}}})["createLead"]
    assert [(e["field"], e["message"]) for e in data["userErrors"]] == [
        (["countryCode"], "'XX' is not an ISO 3166 country code")
    ]


def test_territories_are_owner_admins_and_checked(api: Api) -> None:
    bad = api.ok(
        TERRITORY,
        {
            "input": {
                "organization": gid("Organization", api.scene.orgs["dealer-group"].id),
                "postalRanges": ["DE 9-1"],
            }
        },
    )["setLeadTerritory"]
    assert bad["userErrors"][0]["field"] == ["postalRanges"]
    every = api.ok(
        TERRITORY,
        {
            "input": {
                "organization": gid("Organization", api.scene.orgs["dealer-group"].id),
                "postalRanges": ["XY abc", "DE 20000-22999", "1010-"],
                "regions": ["Nord!"],
                "capacity": -1,
            }
        },
    )["setLeadTerritory"]
    assert [(e["field"], e["message"]) for e in every["userErrors"]] == [
        (["postalRanges"], "'XY abc' is not a postal-code range"),
        (["postalRanges"], "'1010-' is not a postal-code range"),
        (["regions"], "'Nord!' is not a region"),
        (["capacity"], "must be between 0 and 10000"),
    ]
    refused = api.ok(
        TERRITORY,
        {
            "input": {
                "organization": gid("Organization", api.scene.orgs["dealer-group"].id),
                "postalRanges": [],
            }
        },
        as_="dealer-group",
    )["setLeadTerritory"]
    assert refused["userErrors"][0]["code"] == "PERMISSION_DENIED"
    _territory(api)
    mine = api.ok("{ leadTerritories { postalRanges openLeads } }", as_="dealer-group")["leadTerritories"]
    assert mine == [{"postalRanges": ["DE 20000-22999"], "openLeads": 0}]
