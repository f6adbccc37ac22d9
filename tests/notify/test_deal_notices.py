"""Deal registration notifications (issue #18.3): a submission tells the owner's sales staff; a
decision, the end of protection coming and its expiry tell the registering dealer (and the group
above it); never another dealer, never the actor. The expiry is marked once however often the
worker runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.deals import service as deals
from portal.models import DealRegistration, DealStatus, Event
from portal.notify.notifier import notify_once
from portal.notify.rules import title
from tests.builders import Scene, build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_notifier import inbox as full_inbox


def inbox(factory: sessionmaker[Session], user_id: int) -> list[tuple[str, str, int]]:
    return [entry for entry in full_inbox(factory, user_id) if entry[1] == "deal_registration"]


def _register(scene: Scene, user_id: int, name: str) -> int:
    with scene.uow() as uow:
        return deals.register_deal(
            uow=uow,
            principal=as_user(scene, user_id),
            prospect=deals.Prospect(prospect_name=name, description="Wärmepumpe", postal_code="60311"),
            amount=Decimal(9000),
            expected_close=date.today() + timedelta(days=40),
        ).id


def test_submission_and_decision_tell_the_right_people(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    seller = add_user(scene, "dealer-branch", "member")
    colleague = add_user(scene, "dealer-branch", "member")
    group = add_user(scene, "dealer-group", "member")
    other_dealer = add_user(scene, "dealer-other", "admin")
    sales = add_user(scene, "owner", "sales")
    other_sales = add_user(scene, "owner", "sales")
    support = add_user(scene, "owner", "support")
    approved = _register(scene, seller, "Stadtwerke Beispielstadt")
    rejected = _register(scene, seller, "Bäckerei Korn")
    notify_once(factory)
    submitted = ("deal_registration_submitted", "deal_registration", approved)
    assert submitted in inbox(factory, sales) and inbox(factory, support) == []
    assert inbox(factory, seller) == [] and inbox(factory, other_dealer) == []
    with scene.uow() as uow:
        deals.approve_registration(uow=uow, principal=as_user(scene, sales), registration_id=approved)
    with scene.uow() as uow:
        deals.reject_registration(
            uow=uow, principal=as_user(scene, sales), registration_id=rejected, reason="Bestandskunde"
        )
    notify_once(factory)
    decided = {
        ("deal_registration_decided", "deal_registration", approved),
        ("deal_registration_decided", "deal_registration", rejected),
    }
    assert decided <= set(inbox(factory, seller))
    assert decided <= set(inbox(factory, colleague)) and decided <= set(inbox(factory, group))
    assert inbox(factory, other_dealer) == []
    assert not decided & set(inbox(factory, other_sales))  # decisions go to the dealer, not the staff


def test_expiry_is_marked_once_and_told_to_the_dealer_after_the_warning(
    factory: sessionmaker[Session],
) -> None:
    scene = build_scene(factory)
    seller = add_user(scene, "dealer-branch", "member")
    other_dealer = add_user(scene, "dealer-other", "admin")
    sales = add_user(scene, "owner", "sales")
    ident = _register(scene, seller, "Stadtwerke Beispielstadt")
    with scene.uow() as uow:
        deals.approve_registration(
            uow=uow,
            principal=as_user(scene, sales),
            registration_id=ident,
            protected_until=date.today() + timedelta(days=20),
        )
    expiring = ("deal_registration_expiring", "deal_registration", ident)
    expired = ("deal_registration_expired", "deal_registration", ident)
    notify_once(factory)  # 20 days ahead: no warning yet
    assert expiring not in inbox(factory, seller)
    in_a_week = datetime.now(UTC) + timedelta(days=7)
    notify_once(factory, now=in_a_week)
    notify_once(factory, now=in_a_week)
    assert inbox(factory, seller).count(expiring) == 1
    later = datetime.now(UTC) + timedelta(days=22)
    notify_once(factory, now=later)
    notify_once(factory, now=later)
    assert inbox(factory, seller).count(expired) == 1
    assert inbox(factory, other_dealer) == []
    with factory() as session:
        assert session.get(DealRegistration, ident).status is DealStatus.EXPIRED  # type: ignore[union-attr]
        events = session.scalar(select(func.count()).where(Event.kind == "deal_registration.expired"))
        assert events == 1


def test_the_titles_say_what_happened() -> None:
    decided = title("deal_registration_decided", {"number": "DR-000007", "status": "approved"}, lambda s: s)
    assert decided == "Deal registration DR-000007: Approved"
    ending = title("deal_registration_expiring", {"number": "DR-000007", "day": "2026-07-01"}, lambda s: s)
    assert ending == "The protection of deal registration DR-000007 ends on 2026-07-01"
