"""Deal registrations in the API (issue #18.3): register, list, node(id:), conflicts (a neutral hint
to the dealer, both registrations to the owner), approve with the opportunity, the second decider
told, reject with a reason, withdraw, the change feed, and another dealer seeing nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.gql.conftest import Api

SOON = (date.today() + timedelta(days=30)).isoformat()

REGISTER = """mutation($input: RegisterDealInput!) { registerDeal(input: $input) {
  dealRegistration { id number status prospectName amount version canWithdraw canDecide dealer { name } }
  userErrors { field message code } } }"""

CONFLICTS = """query($id: ID!) { node(id: $id) { ... on DealRegistration {
  conflicts { customerHint otherPartner registrations { number dealer { name } } customers { name } } } } }"""

APPROVE = """mutation($input: ApproveDealRegistrationInput!) { approveDealRegistration(input: $input) {
  dealRegistration { status protectedUntil customer { name } opportunity { number stage dealer { name } } }
  opportunity { number amount }
  userErrors { field message code } } }"""

REJECT = """mutation($input: RejectDealRegistrationInput!) { rejectDealRegistration(input: $input) {
  dealRegistration { status reason } userErrors { field message code } } }"""

WITHDRAW = """mutation($input: WithdrawDealRegistrationInput!) { withdrawDealRegistration(input: $input) {
  dealRegistration { status } userErrors { field message code } } }"""

LIST = """query($filter: DealRegistrationFilter) { dealRegistrations(first: 10, filter: $filter) {
  totalCount nodes { number prospectName status } } }"""


def _register(api: Api, as_: str = "dealer-group", **extra: Any) -> dict[str, Any]:
    payload = {
        "prospectName": "Stadtwerke Beispielstadt GmbH",
        "description": "Drei Wärmepumpen",
        "amount": "18000",
        "expectedClose": SOON,
        "postalCode": "60311",
        "city": "Frankfurt",
        **extra,
    }
    data = api.ok(REGISTER, {"input": payload}, as_=as_)["registerDeal"]
    assert data["userErrors"] == [], data
    return dict(data["dealRegistration"])


def test_a_dealer_registers_and_lists_its_registration(api: Api) -> None:
    reg = _register(api)
    assert reg["status"] == "SUBMITTED" and reg["canWithdraw"] is True and reg["canDecide"] is False
    assert reg["dealer"]["name"] == "Dealer Group" and reg["number"].startswith("DR-")
    listed = api.ok(LIST, {"filter": {"status": ["SUBMITTED"]}}, as_="dealer-group")["dealRegistrations"]
    assert listed["totalCount"] == 1 and listed["nodes"][0]["number"] == reg["number"]
    bad = api.ok(
        REGISTER,
        {"input": {"prospectName": " ", "description": "x", "amount": "1", "expectedClose": SOON}},
        as_="dealer-group",
    )["registerDeal"]
    assert bad["dealRegistration"] is None and bad["userErrors"][0]["field"] == ["prospectName"]
    denied = api.ok(
        REGISTER,
        {"input": {"prospectName": "X", "description": "x", "amount": "1", "expectedClose": SOON}},
        as_="owner",
    )["registerDeal"]
    assert denied["userErrors"][0]["code"] == "PERMISSION_DENIED"


def test_register_reports_every_wrong_field_at_once(api: Api) -> None:
    payload = {
        "prospectName": "",
        "vatId": "123456789",
        "contactEmail": "kein@",
        "description": "",
        "amount": "-5",
        "expectedClose": "2025-03-01",
    }
    data = api.ok(REGISTER, {"input": payload}, as_="dealer-group")["registerDeal"]
    assert data["dealRegistration"] is None
    fields = [e["field"] for e in data["userErrors"]]
    assert fields == [
        ["prospectName"],
        ["vatId"],
        ["contactEmail"],
        ["description"],
        ["amount"],
        ["expectedClose"],
    ]


def test_register_checks_postal_code_and_country(api: Api) -> None:
    payload = {"prospectName": "X", "description": "d", "amount": "1", "expectedClose": SOON}
    bad = api.ok(REGISTER, {"input": {**payload, "postalCode": "6031X1"}}, as_="dealer-group")["registerDeal"]
    assert [e["field"] for e in bad["userErrors"]] == [["postalCode"]]
    bad = api.ok(REGISTER, {"input": {**payload, "countryCode": "XX"}}, as_="dealer-group")["registerDeal"]
    assert [e["field"] for e in bad["userErrors"]] == [["countryCode"]]


def test_conflicts_a_neutral_hint_to_the_dealer_both_to_the_owner(api: Api) -> None:
    first = _register(api, as_="dealer-other")
    second = _register(api, prospectName="Stadtwerke Beispielstadt")
    mine = api.ok(CONFLICTS, {"id": second["id"]}, as_="dealer-group")["node"]["conflicts"]
    assert mine == {"customerHint": False, "otherPartner": True, "registrations": [], "customers": []}
    seen = api.ok(CONFLICTS, {"id": second["id"]}, as_="owner")["node"]["conflicts"]
    assert seen["otherPartner"] is False
    assert seen["registrations"] == [{"number": first["number"], "dealer": {"name": "Dealer Other"}}]


def test_approve_opens_the_opportunity_and_the_second_decider_is_told(api: Api) -> None:
    reg = _register(api)
    approved = api.ok(APPROVE, {"input": {"id": reg["id"], "expectedVersion": reg["version"]}}, as_="owner")[
        "approveDealRegistration"
    ]
    assert approved["userErrors"] == []
    got = approved["dealRegistration"]
    assert got["status"] == "APPROVED"
    assert got["protectedUntil"] == (date.today() + timedelta(days=90)).isoformat()
    assert (
        got["opportunity"]["stage"] == "QUALIFICATION"
        and got["opportunity"]["dealer"]["name"] == "Dealer Group"
    )
    assert approved["opportunity"]["amount"] == "18000"
    late = api.ok(
        REJECT, {"input": {"id": reg["id"], "reason": "x", "expectedVersion": reg["version"]}}, as_="owner"
    )["rejectDealRegistration"]
    assert late["userErrors"][0]["code"] == "CONFLICT"


def test_over_protection_needs_confirmation_and_reject_needs_a_reason(api: Api) -> None:
    first = _register(api, as_="dealer-other")
    assert (
        api.ok(APPROVE, {"input": {"id": first["id"]}}, as_="owner")["approveDealRegistration"]["userErrors"]
        == []
    )
    second = _register(api)
    refused = api.ok(APPROVE, {"input": {"id": second["id"]}}, as_="owner")["approveDealRegistration"]
    assert refused["userErrors"][0]["field"] == ["confirmOverProtection"]
    no_reason = api.ok(REJECT, {"input": {"id": second["id"], "reason": ""}}, as_="owner")[
        "rejectDealRegistration"
    ]
    assert no_reason["userErrors"][0]["field"] == ["reason"]
    rejected = api.ok(
        REJECT, {"input": {"id": second["id"], "reason": "Geschützt für einen anderen Partner"}}, as_="owner"
    )["rejectDealRegistration"]
    assert rejected["dealRegistration"] == {
        "status": "REJECTED",
        "reason": "Geschützt für einen anderen Partner",
    }


def test_withdraw_and_the_change_feed(api: Api) -> None:
    reg = _register(api)
    withdrawn = api.ok(WITHDRAW, {"input": {"id": reg["id"]}}, as_="dealer-group")["withdrawDealRegistration"]
    assert withdrawn["dealRegistration"] == {"status": "WITHDRAWN"}
    feed = api.feed(
        '{ changes(first: 100, entities: ["deal_registration"]) { changes { operation state } } }',
        as_="dealer-group",
    )["changes"]["changes"]
    assert feed and feed[-1]["operation"] == "UPSERT" and feed[-1]["state"]["status"] == "withdrawn"


def test_another_dealer_sees_nothing_and_its_actions_answer_not_found(api: Api) -> None:
    reg = _register(api)
    assert api.ok(LIST, as_="dealer-other")["dealRegistrations"]["totalCount"] == 0
    node = api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": reg["id"]}, as_="dealer-other")["node"]
    assert node is None
    withdrawn = api.ok(WITHDRAW, {"input": {"id": reg["id"]}}, as_="dealer-other")["withdrawDealRegistration"]
    assert withdrawn["userErrors"][0]["code"] == "NOT_FOUND"
    feed = api.feed(
        '{ changes(first: 100, entities: ["deal_registration"]) { changes { entityId } } }',
        as_="dealer-other",
    )
    assert feed["changes"]["changes"] == []
    assert api.ok(LIST, as_="supplier-a")["dealRegistrations"]["totalCount"] == 0
