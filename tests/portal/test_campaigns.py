"""Campaigns and segments (issue #18.5): segments save the customers list's filter, a campaign takes
its segment's customers, its status follows its period, its results count leads, opportunities and
won revenue with the costs for the owner only, and every field is checked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.campaigns import segments
from portal.campaigns import service as campaigns
from portal.campaigns.members import recount_due_campaigns
from portal.campaigns.queries import CampaignQuery, list_campaigns, results_for, results_table, segment_size
from portal.customers import service as customers
from portal.customers.queries import CustomerQuery, list_customers
from portal.errors import InvalidInput, NotFound, PermissionDenied
from portal.models import Campaign, CampaignMember, CampaignStatus, Event, LeadStatus, campaign_status
from portal.models.base import utcnow
from tests.builders import build_scene
from tests.campaigns import CampaignWorld, build_campaign_world


@pytest.fixture
def world(factory: sessionmaker[Session]) -> CampaignWorld:
    return build_campaign_world(build_scene(factory))


def _fields(**changes: object) -> campaigns.CampaignFields:
    today = date.today()
    values: dict[str, object] = {
        "name": "Herbst",
        "starts_on": today + timedelta(days=5),
        "ends_on": today + timedelta(days=35),
        "channel": "trade_fair",
        "budget": Decimal("5000"),
    }
    values.update(changes)
    return campaigns.CampaignFields(**values)  # type: ignore[arg-type]


def test_a_campaign_takes_the_customers_of_its_segment(world: CampaignWorld) -> None:
    s = world.scene
    with s.factory() as session:
        owner = s.p("owner")
        names = {
            row.name
            for row in list_customers(session, owner, CustomerQuery(campaign_id=world.campaign_id)).items
        }
        assert names == {"Frankfurter Bäder GmbH", "Offenbacher Wärme KG"}
        assert segment_size(session, owner, world.campaign_id) == 2
        # a dealer sees only its own customers of the segment
        assert segment_size(session, s.p("dealer-group"), world.campaign_id) == 1
        assert segment_size(session, s.p("dealer-other"), world.campaign_id) == 1


def test_the_status_follows_the_period() -> None:
    today = date(2026, 5, 1)
    assert campaign_status(date(2026, 5, 2), date(2026, 6, 1), today) is CampaignStatus.PLANNED
    assert campaign_status(date(2026, 5, 1), date(2026, 5, 1), today) is CampaignStatus.RUNNING
    assert campaign_status(date(2026, 4, 1), date(2026, 4, 30), today) is CampaignStatus.ENDED


def test_the_list_filters_by_status_and_channel(world: CampaignWorld) -> None:
    s = world.scene
    with s.uow() as uow:
        campaigns.create_campaign(uow=uow, principal=s.p("owner", "sales"), values=_fields())
    owner = s.p("owner")
    today = date.today()
    with s.factory() as session:

        def names(query: CampaignQuery) -> set[str]:
            return {row.name for row in list_campaigns(session, owner, query).items}

        assert names(CampaignQuery(statuses=frozenset({CampaignStatus.PLANNED}), today=today)) == {"Herbst"}
        assert names(CampaignQuery(statuses=frozenset({CampaignStatus.RUNNING}), today=today)) == {"Frühjahr"}
        assert names(CampaignQuery(statuses=frozenset({CampaignStatus.ENDED}), today=today)) == set()
        from portal.models import CampaignChannel

        assert names(CampaignQuery(channels=frozenset({CampaignChannel.TRADE_FAIR}))) == {"Herbst"}


def test_results_count_leads_opportunities_won_revenue_and_costs_for_the_owner(world: CampaignWorld) -> None:
    s = world.scene
    with s.factory() as session:
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        owner = results_for(session, s.p("owner"), [campaign])[campaign.id]
        assert owner.leads == 3
        assert owner.leads_by_status[LeadStatus.CONVERTED] == 2
        assert owner.leads_by_status[LeadStatus.ACCEPTED] == 1
        assert (owner.opportunities, owner.won) == (2, 2)
        assert owner.won_revenue == Decimal("10000.00")
        assert owner.budget == Decimal("12000.00")
        assert owner.cost_per_lead == Decimal("4000.00")
        assert owner.cost_per_won_euro == Decimal("1.20")


def test_a_dealer_sees_only_its_own_results_and_no_budget(world: CampaignWorld) -> None:
    s = world.scene
    with s.factory() as session:
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        group = results_for(session, s.p("dealer-group"), [campaign])[campaign.id]
        assert (group.leads, group.opportunities, group.won) == (2, 1, 1)
        assert group.won_revenue == Decimal("4000.00")
        assert group.budget is None and group.cost_per_lead is None and group.cost_per_won_euro is None
        other = results_for(session, s.p("dealer-other"), [campaign])[campaign.id]
        assert (other.leads, other.won_revenue) == (1, Decimal("6000.00"))


def test_the_results_table_holds_the_campaigns_of_a_period(world: CampaignWorld) -> None:
    s = world.scene
    with s.uow() as uow:
        campaigns.create_campaign(
            uow=uow,
            principal=s.p("owner", "sales"),
            values=_fields(name="Alt", starts_on=date(2020, 1, 1), ends_on=date(2020, 2, 1)),
        )
    today = date.today()
    with s.factory() as session:
        rows = results_table(
            session, s.p("owner"), start=today - timedelta(days=1), end=today + timedelta(days=1), today=today
        )
        assert [r.campaign.name for r in rows] == ["Frühjahr"]
        assert rows[0].status is CampaignStatus.RUNNING and rows[0].results.leads == 3
        old = results_table(
            session, s.p("owner"), start=date(2020, 1, 1), end=date(2020, 12, 31), today=today
        )
        assert [(r.campaign.name, r.status) for r in old] == [("Alt", CampaignStatus.ENDED)]


def test_every_field_is_checked(world: CampaignWorld) -> None:
    s = world.scene
    sales = s.p("owner", "sales")
    cases: list[tuple[dict[str, object], str]] = [
        ({"name": " "}, "name"),
        ({"channel": "fax"}, "channel"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": date.today()}, "ends_on"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"name": "frühjahr"}, "name"),  # taken, whatever the case
    ]
    for changes, field in cases:
        with s.uow() as uow, pytest.raises(InvalidInput) as caught:
            campaigns.create_campaign(uow=uow, principal=sales, values=_fields(**changes))
        assert caught.value.field == field, changes
    with s.uow() as uow, pytest.raises(InvalidInput) as every:
        campaigns.create_campaign(
            uow=uow, principal=sales, values=_fields(name="frühjahr", channel="fax", budget=Decimal(-1))
        )
    assert [e.field for e in every.value.errors] == ["name", "channel", "budget"]  # type: ignore[attr-defined]


def test_only_marketing_creates_campaigns_and_saves_segments(world: CampaignWorld) -> None:
    s = world.scene
    for principal in (s.p("owner", "support"), s.p("dealer-group"), s.p("owner", "viewer")):
        with s.uow() as uow, pytest.raises(PermissionDenied):
            campaigns.create_campaign(uow=uow, principal=principal, values=_fields())
    with s.uow() as uow, pytest.raises((PermissionDenied, NotFound)):
        campaigns.save_segment(
            uow=uow, principal=s.p("dealer-group"), name="Mine", query=CustomerQuery(country_code="DE")
        )


def test_a_segment_needs_a_filter_and_a_free_name(world: CampaignWorld) -> None:
    s = world.scene
    sales = s.p("owner", "sales")
    with s.uow() as uow, pytest.raises(InvalidInput) as empty:
        campaigns.save_segment(uow=uow, principal=sales, name="Alle", query=CustomerQuery())
    assert empty.value.field == "filter"
    with s.uow() as uow, pytest.raises(InvalidInput) as taken:
        campaigns.save_segment(
            uow=uow, principal=sales, name="rhein-main", query=CustomerQuery(country_code="AT")
        )
    assert taken.value.field == "name"


def test_postal_prefixes_are_read_as_typed_and_checked() -> None:
    assert segments.postal_prefixes("60, 61 65;60") == ("60", "61", "65")
    assert segments.postal_prefixes("1011ab") == ("1011AB",)
    with pytest.raises(InvalidInput):
        segments.postal_prefixes("60%")
    query = CustomerQuery(search="Bau", postal_prefixes=("60",), country_code="DE")
    assert segments.query_of(segments.filter_of(query)) == query


def test_deleting_a_segment_keeps_the_campaigns_target(world: CampaignWorld) -> None:
    s = world.scene
    with s.uow() as uow:
        campaigns.delete_segment(uow=uow, principal=s.p("owner", "sales"), segment_id=world.segment_id)
    with s.factory() as session:
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        assert campaign.segment_id is None and campaign.segment_name == "Rhein-Main"
        assert segment_size(session, s.p("owner"), world.campaign_id) == 2
    with s.uow() as uow:  # saving the campaign unchanged keeps the copied target
        campaigns.update_campaign(
            uow=uow,
            principal=s.p("owner", "sales"),
            campaign_id=world.campaign_id,
            values=_fields(name="Frühjahr"),
            keep_segment=True,
        )
    with s.factory() as session:
        assert segment_size(session, s.p("owner"), world.campaign_id) == 2


def test_a_new_customer_joins_on_the_recount_and_a_stale_version_conflicts(world: CampaignWorld) -> None:
    s = world.scene
    sales = s.p("owner", "sales")
    with s.uow() as uow:
        customers.create_customer(
            uow=uow, principal=sales, name="Hanauer Bad", postal_code="63450", city="Hanau"
        )
    with s.factory() as session:
        assert segment_size(session, sales, world.campaign_id) == 2
    with s.uow() as uow:
        _campaign, members = campaigns.recount_campaign(
            uow=uow, principal=sales, campaign_id=world.campaign_id
        )
    assert members == 3
    from portal.errors import Conflict

    with s.uow() as uow, pytest.raises(Conflict):
        campaigns.update_campaign(
            uow=uow, principal=sales, campaign_id=world.campaign_id, values=_fields(), expected_version=99
        )


def test_the_worker_recounts_running_campaigns_hourly_and_ended_ones_once(world: CampaignWorld) -> None:
    s = world.scene
    with s.uow() as uow:
        customers.create_customer(
            uow=uow, principal=s.p("owner", "sales"), name="Hanauer Bad", postal_code="63450", city="Hanau"
        )
    assert recount_due_campaigns(s.factory) == 0  # counted a moment ago
    later = utcnow() + timedelta(hours=2)
    assert recount_due_campaigns(s.factory, now=later) == 1
    assert recount_due_campaigns(s.factory, now=later) == 0
    with s.factory() as session:
        assert segment_size(session, s.p("owner"), world.campaign_id) == 3
        campaign = session.get(Campaign, world.campaign_id)
        assert campaign is not None
        ended = campaign.ends_on + timedelta(days=3) if campaign.ends_on else date.today()
    after_end = datetime.combine(ended, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
    assert recount_due_campaigns(s.factory, now=after_end) == 1  # once after its last day
    assert recount_due_campaigns(s.factory, now=after_end + timedelta(days=5)) == 0


def test_every_change_is_an_event_of_the_campaign(world: CampaignWorld) -> None:
    s = world.scene
    with s.factory() as session:
        kinds = list(
            session.scalars(
                select(Event.kind).where(Event.entity == "campaign", Event.entity_id == world.campaign_id)
            )
        )
        assert kinds == ["campaign.created"]
        members = session.scalars(
            select(CampaignMember).where(CampaignMember.campaign_id == world.campaign_id)
        )
        assert len(list(members)) == 2


@pytest.mark.parametrize(
    ("first", "second"), [("über Winter", "ÜBER WINTER"), ("Straßenfest", "STRASSENFEST"), ("Été", "été")]
)
def test_names_are_the_same_in_any_case_beyond_ascii(world: CampaignWorld, first: str, second: str) -> None:
    """SQLite's ``lower()`` folds only ASCII letters: the names are compared by Unicode case folding."""
    s = world.scene
    sales = s.p("owner", "sales")
    with s.uow() as uow:
        campaigns.create_campaign(uow=uow, principal=sales, values=_fields(name=first))
        campaigns.save_segment(uow=uow, principal=sales, name=first, query=CustomerQuery(country_code="AT"))
    with s.uow() as uow, pytest.raises(InvalidInput) as campaign_taken:
        campaigns.create_campaign(uow=uow, principal=sales, values=_fields(name=second))
    assert campaign_taken.value.field == "name"
    with s.uow() as uow, pytest.raises(InvalidInput) as segment_taken:
        campaigns.save_segment(uow=uow, principal=sales, name=second, query=CustomerQuery(country_code="CH"))
    assert segment_taken.value.field == "name"
    with s.uow() as uow:  # another name still goes
        campaigns.create_campaign(uow=uow, principal=sales, values=_fields(name=f"{first} 2"))
