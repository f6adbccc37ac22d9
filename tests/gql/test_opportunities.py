"""Opportunities in the API (issue #18.4): the connection, node(id:), the pipeline and forecast,
the mutations (won answers the order), the change feed, and another dealer seeing nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.gql.conftest import Api, gid

SOON = (date.today() + timedelta(days=15)).isoformat()

CREATE = """mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) {
  opportunity { id number name stage amount probability weightedAmount version canWork
                lines { lineNo sku quantity unitPrice netAmount } dealer { name } customer { name } }
  userErrors { field message code } } }"""

MOVE = """mutation($input: MoveOpportunityInput!) { moveOpportunity(input: $input) {
  opportunity { stage probability lostReason order { number } }
  order { id number lines { sku quantityOrdered } dealer { name } }
  userErrors { field message code } } }"""

LIST = """query($filter: OpportunityFilter) { opportunities(first: 10, filter: $filter) {
  totalCount nodes { number name stage } } }"""


def _create(api: Api, as_: str = "dealer-group", **extra: Any) -> dict[str, Any]:
    customer = api.scene.customer(shared_with=("dealer-group",))
    product = api.scene.products[0]
    payload = {
        "customer": gid("Customer", customer.id),
        "name": "Kesseltausch Hallenbad",
        "expectedClose": SOON,
        "lines": [{"product": gid("Product", product.id), "quantity": "4"}],
        **extra,
    }
    data = api.ok(CREATE, {"input": payload}, as_=as_)["createOpportunity"]
    assert data["userErrors"] == [], data
    return dict(data["opportunity"])


def test_a_dealer_creates_lists_and_wins_an_opportunity(api: Api) -> None:
    opp = _create(api)
    assert opp["stage"] == "QUALIFICATION" and opp["amount"] == "50"
    assert opp["weightedAmount"] == "5.00" and opp["canWork"] is True
    assert opp["dealer"]["name"] == "Dealer Group"
    listed = api.ok(LIST, {"filter": {"stage": ["QUALIFICATION"]}}, as_="dealer-group")["opportunities"]
    assert listed["totalCount"] == 1 and listed["nodes"][0]["number"] == opp["number"]
    won = api.ok(
        MOVE,
        {"input": {"id": opp["id"], "stage": "WON", "expectedVersion": opp["version"]}},
        as_="dealer-group",
    )["moveOpportunity"]
    assert won["userErrors"] == []
    assert won["opportunity"]["stage"] == "WON" and won["opportunity"]["probability"] == 100
    assert won["order"]["lines"] == [{"sku": "P-100", "quantityOrdered": "4"}]
    assert won["order"]["dealer"]["name"] == "Dealer Group"
    assert won["opportunity"]["order"]["number"] == won["order"]["number"]


def test_bad_input_comes_back_as_user_errors_naming_the_field(api: Api) -> None:
    opp = _create(api)
    lost = api.ok(MOVE, {"input": {"id": opp["id"], "stage": "LOST"}}, as_="dealer-group")["moveOpportunity"]
    assert lost["opportunity"] is None
    assert lost["userErrors"][0]["field"] == ["lostReason"]
    stale = api.ok(
        MOVE, {"input": {"id": opp["id"], "stage": "PROPOSAL", "expectedVersion": 99}}, as_="dealer-group"
    )["moveOpportunity"]
    assert stale["userErrors"][0]["code"] == "CONFLICT"


def test_another_dealer_sees_nothing_and_its_moves_answer_not_found(api: Api) -> None:
    opp = _create(api)
    assert api.ok(LIST, as_="dealer-other")["opportunities"]["totalCount"] == 0
    assert (
        api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": opp["id"]}, as_="dealer-other")["node"]
        is None
    )
    moved = api.ok(
        MOVE, {"input": {"id": opp["id"], "stage": "LOST", "lostReason": "x"}}, as_="dealer-other"
    )["moveOpportunity"]
    assert moved["userErrors"][0]["code"] == "NOT_FOUND"
    pipeline = api.ok("{ pipeline { stage count } }", as_="dealer-other")["pipeline"]
    assert all(stage["count"] == 0 for stage in pipeline)
    forecast = api.ok("{ opportunityForecast(months: 2) { count amount } }", as_="dealer-other")
    assert all(m["count"] == 0 for m in forecast["opportunityForecast"])
    feed = api.feed(
        '{ changes(first: 100, entities: ["opportunity"]) { changes { entityId } } }', as_="dealer-other"
    )
    assert feed["changes"]["changes"] == []
    assert api.ok(LIST, as_="supplier-a")["opportunities"]["totalCount"] == 0


def test_node_pipeline_forecast_and_feed_for_the_seller(api: Api) -> None:
    opp = _create(api, probability=50)
    node = api.ok(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { number lines { id } } } }",
        {"id": opp["id"]},
        as_="dealer-group",
    )["node"]
    assert node["number"] == opp["number"] and len(node["lines"]) == 1
    pipeline = {
        s["stage"]: s
        for s in api.ok("{ pipeline { stage count amount weightedAmount } }", as_="dealer-group")["pipeline"]
    }
    assert pipeline["QUALIFICATION"]["count"] == 1 and pipeline["QUALIFICATION"]["weightedAmount"] == "25.00"
    months = api.ok("{ opportunityForecast(months: 3) { weightedAmount } }", as_="dealer-group")[
        "opportunityForecast"
    ]
    assert sum(float(m["weightedAmount"]) for m in months) == 25.0
    assert api.errors("{ opportunityForecast(months: 99) { count } }", as_="dealer-group")
    feed = api.feed(
        '{ changes(first: 100, entities: ["opportunity"]) { changes { entityId operation state } } }',
        as_="dealer-group",
    )["changes"]["changes"]
    assert feed and feed[-1]["operation"] == "UPSERT" and feed[-1]["state"]["number"] == opp["number"]


def test_the_forecast_shows_a_win_in_the_month_it_was_won(api: Api) -> None:
    later = (date.today().replace(day=1) + timedelta(days=62)).replace(day=15)  # two months on
    opp = _create(api, expectedClose=later.isoformat())
    won = api.ok(MOVE, {"input": {"id": opp["id"], "stage": "WON"}}, as_="dealer-group")["moveOpportunity"]
    assert won["userErrors"] == []
    months = api.ok("{ opportunityForecast(months: 3) { wonAmount } }", as_="dealer-group")[
        "opportunityForecast"
    ]
    assert [m["wonAmount"] for m in months] == ["50.00", "0.00", "0.00"]
