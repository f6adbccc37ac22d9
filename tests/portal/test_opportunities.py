"""Opportunities and the pipeline (issue #18.4): the service, the board's totals and the forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.models import Event, OpportunityStage, Order, OrderLine
from portal.opportunities import service as opportunities
from portal.opportunities.queries import OpportunityQuery, forecast, list_opportunities, stage_totals
from tests.builders import Scene, build_scene

SOON = date.today() + timedelta(days=20)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def _open(scene: Scene, by: str = "dealer-branch", **kwargs: object) -> int:
    customer = scene.customer(shared_with=("dealer-branch",))
    with scene.uow() as uow:
        options: dict[str, object] = {
            "customer_id": customer.id,
            "name": "Heizungstausch Schule",
            "expected_close": SOON,
            "lines": [opportunities.NewOpportunityLine(product_id=scene.products[0].id, quantity=Decimal(4))],
        }
        options.update(kwargs)
        opp = opportunities.create_opportunity(uow=uow, principal=scene.p(by), **options)  # type: ignore[arg-type]
        return opp.id


def test_dealer_opens_opportunity_in_its_own_name_with_amount_of_its_lines(scene: Scene) -> None:
    ident = _open(scene)
    with scene.uow() as uow:
        opp = opportunities.load_opportunity(uow, scene.p("dealer-branch"), ident)
        assert opp.dealer_id == scene.orgs["dealer-branch"].id
        assert opp.amount == Decimal("50.00")  # 4 x 12.50
        assert opp.stage is OpportunityStage.QUALIFICATION and opp.probability == 10
        assert opp.number.startswith("OP-")
        uow.flush()
        kinds = list(uow.session.scalars(select(Event.kind).where(Event.entity == "opportunity")))
        assert kinds == ["opportunity.created"]


def test_other_dealer_cannot_see_or_move_the_opportunity(scene: Scene) -> None:
    ident = _open(scene)
    with scene.uow() as uow, pytest.raises(NotFound) as hidden:
        opportunities.move_stage(
            uow=uow, principal=scene.p("dealer-other"), opportunity_id=ident, stage=OpportunityStage.PROPOSAL
        )
    assert hidden.value.message == f"opportunity {ident} not found"
    with scene.uow() as uow:  # the group above the branch sees it
        assert opportunities.load_opportunity(uow, scene.p("dealer-group"), ident).id == ident


def test_owner_cannot_give_a_dealer_an_opportunity_on_a_customer_not_shared_with_it(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-branch",))
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        opportunities.create_opportunity(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            name="x",
            expected_close=SOON,
            dealer_id=scene.orgs["dealer-other"].id,
        )
    assert bad.value.field == "customer"


def test_supplier_and_viewer_may_not_open_opportunities(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-branch",))
    for principal in (scene.p("supplier-a"), scene.p("dealer-branch", "viewer")):
        with scene.uow() as uow, pytest.raises(PermissionDenied):
            opportunities.create_opportunity(
                uow=uow, principal=principal, customer_id=customer.id, name="x", expected_close=SOON
            )


def test_bad_fields_are_named(scene: Scene) -> None:
    customer = scene.customer(shared_with=("dealer-branch",))
    cases: list[tuple[dict[str, object], str]] = [
        ({"name": "  "}, "name"),
        ({"probability": 101}, "probability"),
        ({"amount": Decimal(-1)}, "amount"),
        ({"stage": OpportunityStage.WON}, "stage"),
        ({"lines": [opportunities.NewOpportunityLine(sku="NOPE", quantity=Decimal(1))]}, "lines[1].product"),
        (
            {"lines": [opportunities.NewOpportunityLine(sku="P-100", quantity=Decimal("1.5"))]},
            "lines[1].quantity",
        ),
        (
            {
                "lines": [
                    opportunities.NewOpportunityLine(sku="P-100", quantity=Decimal(1), unit_price=Decimal(1))
                ]
            },
            "lines[1].unit_price",
        ),
    ]
    for change, field in cases:
        options: dict[str, object] = {"customer_id": customer.id, "name": "Deal", "expected_close": SOON}
        options.update(change)
        with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
            opportunities.create_opportunity(uow=uow, principal=scene.p("dealer-branch"), **options)  # type: ignore[arg-type]
        assert bad.value.field == field, change


def test_stages_set_probability_and_lost_needs_a_reason(scene: Scene) -> None:
    ident = _open(scene)
    p = scene.p("dealer-branch")
    with scene.uow() as uow:
        opp = opportunities.move_stage(
            uow=uow, principal=p, opportunity_id=ident, stage=OpportunityStage.NEGOTIATION
        )
        assert opp.probability == 70
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        opportunities.move_stage(
            uow=uow, principal=p, opportunity_id=ident, stage=OpportunityStage.LOST, lost_reason=" "
        )
    assert bad.value.field == "lost_reason"
    with scene.uow() as uow:
        opp = opportunities.move_stage(
            uow=uow,
            principal=p,
            opportunity_id=ident,
            stage=OpportunityStage.LOST,
            lost_reason="Preis zu hoch",
        )
        assert (opp.stage, opp.probability, opp.lost_reason) == (OpportunityStage.LOST, 0, "Preis zu hoch")
        assert opp.closed_at is not None
    with scene.uow() as uow, pytest.raises(InvalidState):
        opportunities.move_stage(uow=uow, principal=p, opportunity_id=ident, stage=OpportunityStage.PROPOSAL)


def test_won_becomes_an_order_with_its_lines_in_the_dealers_name(scene: Scene) -> None:
    ident = _open(scene)
    with scene.uow() as uow:
        opportunities.add_line(
            uow=uow,
            principal=scene.p("dealer-branch"),
            opportunity_id=ident,
            line=opportunities.NewOpportunityLine(sku="P-300", quantity=Decimal(2)),
        )
    with scene.uow() as uow:
        opp = opportunities.move_stage(
            uow=uow, principal=scene.p("dealer-branch"), opportunity_id=ident, stage=OpportunityStage.WON
        )
        assert opp.order_id is not None and opp.probability == 100
        order = uow.session.get(Order, opp.order_id)
        assert order is not None
        assert order.dealer_id == scene.orgs["dealer-branch"].id
        assert order.customer_reference == opp.number
        lines = list(
            uow.session.scalars(
                select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
            )
        )
        assert [(line.sku, line.quantity_ordered) for line in lines] == [("P-100", 4), ("P-300", 2)]
        assert opp.amount == Decimal("50.00") + 2 * Decimal("37.50")
        uow.flush()
        won = uow.session.scalars(select(Event).where(Event.kind == "opportunity.won")).one()
        assert won.payload["order_number"] == order.number


def test_won_without_lines_is_refused_and_nothing_is_kept(scene: Scene) -> None:
    ident = _open(scene, lines=[], amount=Decimal(1000))
    with scene.uow() as uow, pytest.raises(InvalidInput) as bad:
        opportunities.move_stage(
            uow=uow, principal=scene.p("dealer-branch"), opportunity_id=ident, stage=OpportunityStage.WON
        )
    assert bad.value.field == "lines"
    with scene.uow() as uow:
        opp = opportunities.load_opportunity(uow, scene.p("owner"), ident)
        assert opp.stage is OpportunityStage.QUALIFICATION and opp.order_id is None


def test_two_people_moving_at_once_the_second_is_told(scene: Scene) -> None:
    ident = _open(scene)
    with scene.uow() as uow:
        seen = opportunities.load_opportunity(uow, scene.p("owner"), ident).version
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow,
            principal=scene.p("owner"),
            opportunity_id=ident,
            stage=OpportunityStage.PROPOSAL,
            expected_version=seen,
        )
    with scene.uow() as uow, pytest.raises(Conflict) as late:
        opportunities.move_stage(
            uow=uow,
            principal=scene.p("dealer-branch"),
            opportunity_id=ident,
            stage=OpportunityStage.LOST,
            lost_reason="x",
            expected_version=seen,
        )
    assert "changed meanwhile" in late.value.message


def test_board_totals_and_forecast_weight_by_probability(scene: Scene) -> None:
    _open(scene, lines=[], amount=Decimal(1000), probability=50)
    _open(scene, lines=[], amount=Decimal(200), stage=OpportunityStage.NEGOTIATION)
    _open(scene, by="owner", lines=[], amount=Decimal(999))  # the owner's own: no dealer sees it
    with scene.factory() as session:
        mine = stage_totals(session, scene.p("dealer-branch"))
        assert mine[OpportunityStage.QUALIFICATION].count == 1
        assert mine[OpportunityStage.QUALIFICATION].weighted == Decimal("500.00")
        assert mine[OpportunityStage.NEGOTIATION].amount == Decimal("200.00")
        months = forecast(session, scene.p("dealer-branch"), start=date.today(), months=3)
        assert sum(m.count for m in months) == 2
        assert sum(m.weighted for m in months) == Decimal("640.00")  # 500 + 70% of 200
        everyone = forecast(session, scene.p("owner"), start=date.today(), months=3)
        assert sum(m.amount for m in everyone) == Decimal("2199.00")
        page = list_opportunities(session, scene.p("dealer-other"), OpportunityQuery())
        assert page.items == []


def test_the_forecast_counts_a_win_in_the_month_it_was_won_not_its_expected_close(scene: Scene) -> None:
    today = date.today()
    later = (today.replace(day=1) + timedelta(days=62)).replace(day=15)  # two months on
    ident = _open(scene, expected_close=later)
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow, principal=scene.p("dealer-branch"), opportunity_id=ident, stage=OpportunityStage.WON
        )
    with scene.factory() as session:
        months = forecast(session, scene.p("dealer-branch"), start=today, months=3)
    assert [m.won for m in months] == [Decimal("50.00"), Decimal("0.00"), Decimal("0.00")]


def test_a_win_late_in_the_evening_counts_on_its_berlin_day() -> None:
    from datetime import UTC, datetime

    from portal.models.opportunity_tallies import OpportunityFigures

    evening = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    won = OpportunityFigures(None, "won", date(2027, 2, 15), Decimal(1), 100, evening)
    assert won.month() == date(2026, 12, 1)  # 00:30 on 1 December in Berlin
    still_open = won._replace(stage="proposal")
    assert still_open.month() == date(2027, 2, 1)
