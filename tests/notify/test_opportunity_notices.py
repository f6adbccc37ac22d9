"""Opportunity notifications (issue #18.4): the user an opportunity is given to, and, when it is
won, its dealer and the owner's sales staff; never the actor, never another dealer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from portal.models import OpportunityStage
from portal.notify.notifier import notify_once
from portal.notify.rules import title
from portal.opportunities import service as opportunities
from tests.builders import build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_notifier import inbox as full_inbox


def inbox(factory: sessionmaker[Session], user_id: int) -> list[tuple[str, str, int]]:
    return [entry for entry in full_inbox(factory, user_id) if entry[1] == "opportunity"]


def test_given_and_won_opportunities_tell_the_right_people(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    seller = add_user(scene, "dealer-branch", "member")
    colleague = add_user(scene, "dealer-branch", "member")
    group = add_user(scene, "dealer-group", "member")
    other_dealer = add_user(scene, "dealer-other", "admin")
    sales = add_user(scene, "owner", "sales")
    support = add_user(scene, "owner", "support")
    customer = scene.customer(shared_with=("dealer-branch",))
    with scene.uow() as uow:
        opp = opportunities.create_opportunity(
            uow=uow,
            principal=as_user(scene, seller),
            customer_id=customer.id,
            name="Heizung Turnhalle",
            expected_close=date.today() + timedelta(days=30),
            lines=[opportunities.NewOpportunityLine(product_id=scene.products[0].id, quantity=Decimal(2))],
        )
        ident = opp.id
    with scene.uow() as uow:  # the seller gives it to a colleague
        opportunities.update_opportunity(
            uow=uow,
            principal=as_user(scene, seller),
            opportunity_id=ident,
            changes=opportunities.OpportunityChanges(owner_user_id=colleague),
        )
    with scene.uow() as uow:
        opportunities.move_stage(
            uow=uow, principal=as_user(scene, colleague), opportunity_id=ident, stage=OpportunityStage.WON
        )
    notify_once(factory)
    assigned = ("opportunity_assigned", "opportunity", ident)
    won = ("opportunity_won", "opportunity", ident)
    assert inbox(factory, seller) == [won]  # created for itself: not told of that; told of the win
    assert inbox(factory, colleague) == [assigned]  # it won it itself: not told of its own win
    assert inbox(factory, group) == [won]  # the group sees its branch's pipeline
    assert won in inbox(factory, sales) and inbox(factory, support) == []
    assert inbox(factory, other_dealer) == []


def test_the_won_title_names_the_order() -> None:
    text = title("opportunity_won", {"number": "OP-000007", "order": "SO-2026-000042"}, lambda s: s)
    assert text == "Opportunity OP-000007 was won: order SO-2026-000042"
