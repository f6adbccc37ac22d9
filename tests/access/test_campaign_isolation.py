"""Campaign isolation (issue #18.5): a dealer sees the campaigns that touch its customers or gave it
a lead, with its own figures only: never the budget, the costs, the segment, another dealer's leads,
customers or won revenue; a campaign that touches it not at all answers like a missing one, in the
API, the change feed and the web."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.gql.limits import Limits
from tests.builders import build_scene
from tests.campaigns import CampaignWorld, build_campaign_world
from tests.gql.conftest import Api, gid, make_client

CAMPAIGN = """query($id: ID!) { node(id: $id) { ... on Campaign {
  name budget segmentName segment { name } segmentSize customers(first: 50) { name }
  results { leads opportunities won wonRevenue budget costPerLead costPerWonEuro
            leadsByStatus { status count } } } } }"""

LIST = """{ campaigns(first: 20) { totalCount nodes { name budget results { leads wonRevenue } } } }"""

FEED = """{ changes(first: 500, entities: ["campaign"]) { changes { entity entityId operation state } } }"""


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with make_client(factory, limits=Limits(poll_interval=0.05)) as client:
        yield Api(client, build_scene(factory))


@pytest.fixture
def cw(api: Api) -> CampaignWorld:
    return build_campaign_world(api.scene)


def _node(api: Api, cw: CampaignWorld, who: str) -> Any:
    return api.ok(CAMPAIGN, {"id": gid("Campaign", cw.campaign_id)}, as_=who)["node"]


def test_owner_staff_see_everything(api: Api, cw: CampaignWorld) -> None:
    node = _node(api, cw, "owner")
    assert node["budget"] == "12000.0000" or float(node["budget"]) == 12000
    assert node["segmentName"] == "Rhein-Main" and node["segment"] == {"name": "Rhein-Main"}
    assert node["segmentSize"] == 2
    results = node["results"]
    assert (results["leads"], results["won"]) == (3, 2)
    assert float(results["wonRevenue"]) == 10000 and float(results["costPerLead"]) == 4000


@pytest.mark.parametrize(("dealer", "customer", "leads", "revenue"), [
    ("dealer-group", "Frankfurter Bäder GmbH", 2, 4000),
    ("dealer-other", "Offenbacher Wärme KG", 1, 6000),
])  # fmt: skip
def test_a_dealer_sees_its_own_figures_and_nothing_of_the_other(
    api: Api, cw: CampaignWorld, dealer: str, customer: str, leads: int, revenue: int
) -> None:
    node = _node(api, cw, dealer)
    assert node["name"] == "Frühjahr"
    assert node["budget"] is None and node["segmentName"] is None and node["segment"] is None
    assert node["segmentSize"] == 1 and [c["name"] for c in node["customers"]] == [customer]
    results = node["results"]
    assert results["leads"] == leads and float(results["wonRevenue"]) == revenue
    assert results["budget"] is None and results["costPerLead"] is None and results["costPerWonEuro"] is None
    assert sum(s["count"] for s in results["leadsByStatus"]) == leads
    listed = api.ok(LIST, as_=dealer)["campaigns"]
    assert listed["totalCount"] == 1 and listed["nodes"][0]["budget"] is None


def test_a_dealer_the_campaign_does_not_touch_learns_nothing(api: Api, cw: CampaignWorld) -> None:
    for who in ("partner", "supplier-a"):
        assert _node(api, cw, who) is None
        assert api.ok(LIST, as_=who)["campaigns"] == {"totalCount": 0, "nodes": []}
        assert api.feed(FEED, as_=who)["changes"]["changes"] == []
        assert api.ok("{ segments { name } }", as_=who)["segments"] == []
        assert (
            api.ok(
                "query($id: ID!) { node(id: $id) { id } }", {"id": gid("Segment", cw.segment_id)}, as_=who
            )["node"]
            is None
        )


def test_a_lead_alone_makes_the_campaign_visible(api: Api, cw: CampaignWorld) -> None:
    """The partner gets a lead of the campaign but shares none of its segment's customers."""
    from portal.models import Lead, LeadStatus

    with api.scene.uow() as uow:
        uow.session.add(
            Lead(
                number="LD-partner",
                company="Partnerfirma",
                campaign_id=cw.campaign_id,
                status=LeadStatus.OFFERED,
                dealer_id=api.scene.orgs["partner"].id,
            )
        )
    node = _node(api, cw, "partner")
    assert node["segmentSize"] == 0 and node["customers"] == []
    assert node["results"]["leads"] == 1 and float(node["results"]["wonRevenue"]) == 0


def test_the_change_feed_carries_no_budget(api: Api, cw: CampaignWorld) -> None:
    for who in ("owner", "dealer-group"):
        entries = api.feed(FEED, as_=who)["changes"]["changes"]
        assert [e["entityId"] for e in entries] == [gid("Campaign", cw.campaign_id)]
        assert "budget" not in entries[0]["state"] and "segment_filter" not in entries[0]["state"]
        assert entries[0]["state"]["name"] == "Frühjahr"


def test_a_dealer_cannot_filter_customers_into_another_dealers_campaign_share(
    api: Api, cw: CampaignWorld
) -> None:
    query = """query($c: ID!) { customers(first: 20, filter: {campaign: $c}) { nodes { name } } }"""
    names = [
        n["name"]
        for n in api.ok(query, {"c": gid("Campaign", cw.campaign_id)}, as_="dealer-group")["customers"][
            "nodes"
        ]
    ]
    assert names == ["Frankfurter Bäder GmbH"]


def test_marketing_mutations_are_refused_to_dealers(api: Api, cw: CampaignWorld) -> None:
    mutation = """mutation($input: CampaignInput!) { createCampaign(input: $input) {
      campaign { id } userErrors { code } } }"""
    data = api.ok(
        mutation,
        {"input": {"name": "X", "startsOn": "2026-01-01", "endsOn": "2026-02-01", "channel": "EMAIL"}},
        as_="dealer-group",
    )["createCampaign"]
    assert data["campaign"] is None and data["userErrors"][0]["code"] == "PERMISSION_DENIED"
    delete = """mutation($id: ID!) { deleteSegment(input: {id: $id}) { deletedId userErrors { code } } }"""
    data = api.ok(delete, {"id": gid("Segment", cw.segment_id)}, as_="dealer-group")["deleteSegment"]
    assert data["deletedId"] is None and data["userErrors"][0]["code"] == "NOT_FOUND"


def test_the_leads_campaign_filter_offers_a_dealer_the_campaigns_of_its_own_leads(
    api: Api, cw: CampaignWorld
) -> None:
    """Owner staff choose among every campaign; a dealer among those that gave it leads, which it
    sees by that very rule: a campaign that only touches its customers would filter to nothing."""
    from datetime import date, timedelta

    from portal.access import visible_ids
    from portal.campaigns import service as campaigns
    from portal.leads.queries import filter_choices
    from portal.models import Campaign, Organization

    scene = api.scene
    with scene.uow() as uow:  # touches dealer-group's customer through the segment, gave no lead
        campaigns.create_campaign(
            uow=uow,
            principal=scene.p("owner", "sales"),
            values=campaigns.CampaignFields(
                name="Herbst",
                starts_on=date.today(),
                ends_on=date.today() + timedelta(days=30),
                channel="print",
                budget=None,
                description="",
                segment_id=cw.segment_id,
            ),
        )
    offered = {}
    sellers = {}
    with scene.factory() as session:
        # one after the other in one process: each principal gets statements of its own
        # (portal.access.statements), never the one built for the principal before
        for who in ("owner", "dealer-group", "dealer-other", "partner"):
            principal = scene.p(who, "sales")
            names = [name for _, name in filter_choices(session, principal)["campaign"]]
            ids = {int(i) for i, _ in filter_choices(session, principal)["campaign"]}
            assert ids <= visible_ids(session, principal, Campaign), who
            offered[who] = names
            dealers = {int(i) for i, _ in filter_choices(session, principal)["dealer"]}
            assert dealers <= visible_ids(session, principal, Organization), who
            sellers[who] = dealers
    assert offered == {
        "owner": ["Frühjahr", "Herbst"],
        "dealer-group": ["Frühjahr"],
        "dealer-other": ["Frühjahr"],
        "partner": [],
    }
    assert sellers["dealer-group"] < sellers["owner"]
    assert sellers["dealer-other"] < sellers["owner"]
