"""The notifier step: outbox events -> inbox rows, once, for the users who may read the object."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.customers import service as customers
from portal.models import LineResponse, Notification
from portal.models.base import utcnow
from portal.notify import notifier
from portal.notify.notifier import notify_once
from portal.orders import service as orders
from tests.builders import build_scene
from tests.notify.people import add_user, as_user


def inbox(factory: sessionmaker[Session], user_id: int) -> list[tuple[str, str, int]]:
    with factory() as session:
        return [
            (n.kind, n.entity, n.entity_id)
            for n in session.scalars(
                select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
            )
        ]


def test_routed_order_reaches_the_supplier_once(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    other_supplier = add_user(scene, "supplier-b", "admin")
    owner_admin = add_user(scene, "owner", "admin")
    customer = scene.customer()
    order = scene.order(customer, supplier="supplier-a")

    added = notify_once(factory)
    assert added >= 1
    assert ("order_routed", "order", order.id) in inbox(factory, supplier)
    assert inbox(factory, other_supplier) == []
    assert inbox(factory, owner_admin) == []  # routed by the owner: not about the owner's staff
    assert notify_once(factory) == 0  # a second pass adds nothing
    assert inbox(factory, supplier).count(("order_routed", "order", order.id)) == 1


def test_line_change_reaches_owner_sales_and_the_dealer_not_the_actor(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    dealer = add_user(scene, "dealer-branch", "member")
    group = add_user(scene, "dealer-group", "member")
    other_dealer = add_user(scene, "dealer-other", "member")
    sales = add_user(scene, "owner", "sales")
    support = add_user(scene, "owner", "support")
    customer = scene.customer(shared_with=("dealer-branch",))
    order = scene.order(customer, dealer="dealer-branch", supplier="supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            answers=[
                orders.LineAnswer(line_no=1, action=LineResponse.REJECTED, reason="out of stock"),
                orders.LineAnswer(line_no=2, action=LineResponse.ACCEPTED),
            ],
        )
    notify_once(factory)
    changed = ("order_lines_changed", "order", order.id)
    assert changed in inbox(factory, dealer)
    assert changed in inbox(factory, group)  # the group sees its branch's orders
    assert changed in inbox(factory, sales)
    assert changed not in inbox(factory, support)
    assert inbox(factory, other_dealer) == []
    assert changed not in inbox(factory, supplier)  # the actor is not told of its own change


def test_accepting_every_line_tells_nobody(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    sales = add_user(scene, "owner", "sales")
    order = scene.order(scene.customer(), supplier="supplier-a")
    with scene.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=as_user(scene, supplier),
            order_id=order.id,
            answers=[orders.LineAnswer(line_no=n, action=LineResponse.ACCEPTED) for n in (1, 2)],
        )
    notify_once(factory)
    assert [k for k, _e, _i in inbox(factory, sales)] == []


def test_customer_shared_tells_that_organization(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    dealer = add_user(scene, "dealer-other", "member")
    branch = add_user(scene, "dealer-branch", "member")
    customer = scene.customer()
    with scene.uow() as uow:
        customers.share_customer(
            uow=uow,
            principal=scene.p("owner"),
            customer_id=customer.id,
            organization_id=scene.orgs["dealer-other"].id,
        )
    notify_once(factory)
    assert inbox(factory, dealer) == [("customer_shared", "customer", customer.id)]
    assert inbox(factory, branch) == []


def test_deactivated_user_and_inbox_off_get_nothing(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    gone = add_user(scene, "supplier-a", "member", active=False)
    quiet = add_user(scene, "supplier-a", "member")
    told = add_user(scene, "supplier-a", "admin")
    from portal.notify import service
    from portal.notify.rules import Choice

    with scene.uow() as uow:
        service.set_preferences(uow, as_user(scene, quiet), {"order_routed": Choice(inbox=False)})
    order = scene.order(scene.customer(), supplier="supplier-a")
    notify_once(factory)
    assert inbox(factory, gone) == []
    assert inbox(factory, quiet) == []
    assert inbox(factory, told) == [("order_routed", "order", order.id)]


@pytest.mark.parametrize("step", ["delivered", "cursor"])
def test_killed_mid_batch_delivers_exactly_once_after_restart(
    factory: sessionmaker[Session], step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    customer = scene.customer()
    first = scene.order(customer, supplier="supplier-a")
    second = scene.order(customer, supplier="supplier-a")
    monkeypatch.setattr(notifier, "CRASH_AT", {step})
    with pytest.raises(notifier.Crash):
        notify_once(factory)
    assert inbox(factory, supplier) == []  # the whole batch rolled back with the cursor
    monkeypatch.setattr(notifier, "CRASH_AT", set())
    notify_once(factory)
    notify_once(factory)
    assert inbox(factory, supplier) == [
        ("order_routed", "order", first.id),
        ("order_routed", "order", second.id),
    ]


def test_settled_events_move_the_cursor_and_young_ones_are_read_again(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    supplier = add_user(scene, "supplier-a", "member")
    scene.order(scene.customer(), supplier="supplier-a")
    notify_once(factory)
    with factory() as session:
        from portal.models import Counter, Event

        cursor = session.get(Counter, notifier.CURSOR)
        assert cursor is not None and cursor.value == 0  # young events stay after the cursor
        session.execute(
            Event.__table__.update().values(occurred_at=utcnow() - notifier.SETTLE - timedelta(seconds=1))
        )
        session.commit()
    assert notify_once(factory) == 0
    with factory() as session:
        last = session.scalar(select(func.max(Event.id)))
        assert session.get(Counter, notifier.CURSOR).value == last  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(Notification)) == 1
    assert len(inbox(factory, supplier)) == 1
