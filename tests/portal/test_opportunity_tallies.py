"""The opportunity tallies (portal.models.opportunity_tallies) give the pipeline board's column heads
and the forecast exactly what their definitions over the visible opportunity rows give, after every
opportunity service, for every kind of viewer; a rebuild writes what the flushes kept."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.models import Opportunity, OpportunityStage, OpportunityTally
from portal.opportunities import service as opportunities
from portal.opportunities.queries import forecast, forecast_definition, stage_totals, stage_totals_definition
from portal.opportunities.service import OpportunityChanges
from portal.summaries import rebuild_opportunity_tallies
from tests.builders import Scene, build_scene

VIEWERS = ("owner", "dealer-group", "dealer-branch", "dealer-other", "partner", "supplier-a")
TODAY = date.today()


def _assert_figures_match(scene: Scene, step: str) -> None:
    with scene.factory() as session:
        for slug in VIEWERS:
            p = scene.p(slug)
            assert stage_totals(session, p) == stage_totals_definition(session, p), (step, slug)
            for start in (TODAY - timedelta(days=62), TODAY, TODAY + timedelta(days=40)):
                assert forecast(session, p, start=start) == forecast_definition(session, p, start=start), (
                    step,
                    slug,
                    start,
                )


def _tallies(session: Session) -> list[tuple[object, ...]]:
    rows = session.execute(select(OpportunityTally).order_by(*OpportunityTally.__table__.primary_key.columns))
    return [(t.seller_id, t.stage, t.month, t.n, t.amount_units, t.weighted_units) for (t,) in rows if t.n]


def test_every_opportunity_service_keeps_the_board_and_forecast_equal_to_their_definitions(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    branch_customer = scene.customer(shared_with=("dealer-branch",))
    other_customer = scene.customer(shared_with=("dealer-other",))
    line = opportunities.NewOpportunityLine(product_id=scene.products[0].id, quantity=Decimal(3))
    made: dict[str, int] = {}
    with scene.uow() as uow:
        for name, by, customer, close, extra in (
            ("branch", "dealer-branch", branch_customer, TODAY + timedelta(days=20), {"lines": [line]}),
            # won long before its expected close: counted in the month it was won
            ("early", "dealer-branch", branch_customer, TODAY + timedelta(days=100), {"lines": [line]}),
            (
                "overdue",
                "dealer-branch",
                branch_customer,
                TODAY - timedelta(days=45),
                {"amount": Decimal("999.99")},
            ),
            (
                "other",
                "dealer-other",
                other_customer,
                TODAY + timedelta(days=70),
                {"amount": Decimal("12345.6789")},
            ),
            ("owner", "owner", branch_customer, TODAY + timedelta(days=5), {"amount": Decimal("0.01")}),
        ):
            made[name] = opportunities.create_opportunity(
                uow=uow,
                principal=scene.p(by),
                customer_id=customer.id,
                name=name,
                expected_close=close,
                **extra,
            ).id  # type: ignore[arg-type]
    _assert_figures_match(scene, "created")
    assert sum(n for *_, n, _a, _w in _tallies_of(scene)) == 5

    branch = scene.p("dealer-branch")
    with scene.uow() as uow:
        opportunities.add_line(uow=uow, principal=branch, opportunity_id=made["branch"], line=line)
    _assert_figures_match(scene, "line added")
    with scene.uow() as uow:
        opportunities.remove_line(uow=uow, principal=branch, opportunity_id=made["branch"], line_no=1)
    _assert_figures_match(scene, "line removed")
    with scene.uow() as uow:
        opportunities.update_opportunity(
            uow=uow,
            principal=branch,
            opportunity_id=made["overdue"],
            changes=OpportunityChanges(
                amount=Decimal("1500"), probability=35, expected_close=TODAY + timedelta(days=95)
            ),
        )
    _assert_figures_match(scene, "updated")
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow, principal=branch, opportunity_id=made["overdue"], stage=OpportunityStage.NEGOTIATION
        )
    _assert_figures_match(scene, "moved on")
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow, principal=branch, opportunity_id=made["branch"], stage=OpportunityStage.WON
        )
    _assert_figures_match(scene, "won")
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow, principal=branch, opportunity_id=made["early"], stage=OpportunityStage.WON
        )
    _assert_figures_match(scene, "won early")
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow,
            principal=scene.p("dealer-other"),
            opportunity_id=made["other"],
            stage=OpportunityStage.LOST,
            lost_reason="Preis zu hoch",
        )
    _assert_figures_match(scene, "lost")

    kept = _tallies_of(scene)
    with scene.factory() as session, session.begin():
        rebuild_opportunity_tallies(session.connection())
    assert _tallies_of(scene) == kept


def _tallies_of(scene: Scene) -> list[tuple[object, ...]]:
    with scene.factory() as session:
        return _tallies(session)


def test_a_bulk_update_of_opportunities_is_refused(factory: sessionmaker[Session]) -> None:
    with factory() as session, pytest.raises(RuntimeError, match="stats rebuild"):
        session.execute(update(Opportunity).values(probability=50))
