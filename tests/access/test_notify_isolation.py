"""Notifications never tell anyone about what it may not read (issue #16).

On random worlds (tests.access.world) with the events the services write, the notifier's inbox rows
are checked against the access policy as each user stands at delivery: no user is notified about an
object it could not read, deactivated users get nothing, and a user who lost access between the
event and the delivery gets nothing either."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.access import get_visible, standing_user
from portal.cases import service as cases
from portal.customers import service as customers
from portal.db import make_sessionmaker
from portal.entities import BY_NAME
from portal.models import (
    Case,
    CaseComment,
    CasePriority,
    CustomerAssignment,
    Event,
    Notification,
    Order,
    Shipment,
    User,
)
from portal.notify.notifier import notify_once
from tests.access.world import WorldSpec, build, worlds
from tests.builders import build_scene
from tests.conftest import wipe
from tests.notify.people import add_user


def _events(session: Session, owner_id: int) -> list[Event]:
    """The events the services write for what the world holds (actor: an organization, no user)."""
    events: list[Event] = []

    def record(kind: str, entity: str, ident: int, actor: int, **payload: Any) -> None:
        events.append(Event(kind=kind, entity=entity, entity_id=ident, actor_org_id=actor, payload=payload))

    for order in session.scalars(select(Order)):
        if order.supplier_id is not None:
            record(
                "order.routed",
                "order",
                order.id,
                owner_id,
                number=order.number,
                supplier_id=order.supplier_id,
            )
            record("order.confirmed", "order", order.id, order.supplier_id, lines=[{"action": "rejected"}])
    for shipment in session.scalars(select(Shipment)):
        record("shipment.created", "shipment", shipment.id, shipment.supplier_id, order_id=shipment.order_id)
    for case in session.scalars(select(Case)):
        record("case.opened", "case", case.id, case.opened_by_org_id, routed_to_id=case.routed_to_id)
        record("case.resolved", "case", case.id, owner_id, status="resolved")
    for comment in session.scalars(select(CaseComment)):
        record("case.commented", "case", comment.case_id, comment.author_org_id, comment_id=comment.id)
    for assignment in session.scalars(select(CustomerAssignment)):
        record(
            "customer.shared",
            "customer",
            assignment.customer_id,
            owner_id,
            organization_id=assignment.organization_id,
        )
    return events


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds())
def test_nobody_is_told_of_what_it_cannot_read(engine: Engine, spec: WorldSpec) -> None:
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            facts = build(session, spec)
            owner_id = min(session.scalars(select(User.organization_id)))
            session.add_all(_events(session, owner_id))
            # Every third organization's user is deactivated before the worker runs.
            gone = {uid for uid, (index,) in facts[User].items() if index % 3 == 2}
            session.execute(update(User).where(User.id.in_(gone)).values(is_active=False))
            routed_to_active = {
                (order.id, uid)
                for order in session.scalars(select(Order).where(Order.supplier_id.is_not(None)))
                for uid, org in session.execute(select(User.id, User.organization_id))
                if org == order.supplier_id and uid not in gone
            }
            session.commit()
        notify_once(factory)
        with factory() as session:
            # The notifier's rows (the world itself gives each user an inbox entry without a source).
            rows = list(
                session.scalars(
                    select(Notification).where(
                        Notification.event_id.is_not(None) | Notification.occasion.is_not(None)
                    )
                )
            )
            assert not {n.user_id for n in rows} & gone, "a deactivated user was notified"
            for n in rows:
                principal = standing_user(session, n.user_id)
                assert principal is not None
                model = BY_NAME[n.entity].model
                get_visible(session, principal, model, n.entity_id)  # raises NotFound if hidden
            told = {(n.entity_id, n.user_id) for n in rows if n.kind == "order_routed"}
            assert routed_to_active <= told  # and those who may read it are told
    finally:
        wipe(engine)


def test_lost_access_between_event_and_delivery_tells_nothing(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    dealer = add_user(scene, "dealer-other", "member")
    partner = add_user(scene, "partner", "member")
    customer = scene.customer()
    with scene.uow() as uow:
        owner = scene.p("owner")
        customers.share_customer(
            uow=uow, principal=owner, customer_id=customer.id, organization_id=scene.orgs["dealer-other"].id
        )
    with scene.uow() as uow:
        customers.unshare_customer(
            uow=uow, principal=owner, customer_id=customer.id, organization_id=scene.orgs["dealer-other"].id
        )
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow,
            principal=owner,
            subject="Leak",
            description="d",
            priority=CasePriority.NORMAL,
            routed_to_id=scene.orgs["partner"].id,
        )
    with scene.uow() as uow:
        cases.route_case(
            uow=uow, principal=owner, case_id=case.id, organization_id=scene.orgs["dealer-other"].id
        )
    notify_once(factory)
    with factory() as session:
        told = {(n.user_id, n.kind, n.entity_id) for n in session.scalars(select(Notification))}
    assert (dealer, "customer_shared", customer.id) not in told  # unshared before delivery
    assert (partner, "case_routed", case.id) not in told  # routed elsewhere before delivery
    assert (dealer, "case_routed", case.id) in told  # the one who may read it now is told


def test_internal_comment_reaches_owner_staff_only(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    partner = add_user(scene, "partner", "member")
    support = add_user(scene, "owner", "support")
    owner = scene.p("owner")
    with scene.uow() as uow:
        case = cases.open_case(
            uow=uow,
            principal=owner,
            subject="S",
            description="d",
            priority=CasePriority.NORMAL,
            routed_to_id=scene.orgs["partner"].id,
        )
    with scene.uow() as uow:
        cases.add_comment(uow=uow, principal=owner, case_id=case.id, body="internal only", internal=True)
    with scene.uow() as uow:
        cases.add_comment(uow=uow, principal=owner, case_id=case.id, body="for everyone")
    notify_once(factory)
    with factory() as session:
        comments = {
            n.user_id: n.event_id
            for n in session.scalars(select(Notification).where(Notification.kind == "case_commented"))
        }
        counts = {
            u: session.query(Notification).filter_by(user_id=u, kind="case_commented").count()
            for u in (partner, support)
        }
    assert counts == {partner: 1, support: 2}
    assert set(comments) == {partner, support}


@pytest.mark.parametrize("who", ["supplier-b", "owner"])
def test_no_inbox_is_readable_by_another_user(factory: sessionmaker[Session], who: str) -> None:
    from portal.notify.queries import list_notifications, unread_count
    from tests.notify.people import as_user

    scene = build_scene(factory)
    add_user(scene, "supplier-a", "member")
    other = add_user(scene, who, "admin")
    scene.order(scene.customer(), supplier="supplier-a")
    notify_once(factory)
    with factory() as session:
        assert session.query(Notification).count() == 1
        principal = as_user(scene, other)
        assert list_notifications(session, principal).items == []
        assert unread_count(session, principal) == 0
        ident = session.scalars(select(Notification.id)).one()
        from portal.errors import NotFound

        with pytest.raises(NotFound):
            get_visible(session, principal, Notification, ident)
