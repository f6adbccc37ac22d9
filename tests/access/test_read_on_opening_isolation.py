"""Opening an object marks read only the opener's own notifications about that object: not a
colleague's, not another organization's, not those about another object; a token has no inbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.models import Notification
from portal.notify import service
from portal.notify.notifier import notify_once
from tests.builders import build_scene
from tests.notify.people import add_user, as_user


def unread_by_user(factory: sessionmaker[Session]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    with factory() as session:
        for n in session.scalars(select(Notification).where(Notification.read_at.is_(None))):
            found.setdefault(n.user_id, set()).add(n.entity_id)
    return found


def test_opening_reads_only_the_openers_notices_about_that_object(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    opener = add_user(scene, "supplier-a", "member")
    colleague = add_user(scene, "supplier-a", "member")
    customer = scene.customer()
    first = scene.order(customer, supplier="supplier-a")
    second = scene.order(customer, supplier="supplier-a")
    notify_once(factory)
    before = unread_by_user(factory)
    assert before[opener] == {first.id, second.id} == before[colleague]

    with scene.uow() as uow:
        assert service.mark_read_on_opening(uow, as_user(scene, opener), "order", first.id) == 1
    with scene.uow() as uow:  # a principal without a user (a token) has no inbox: nothing happens
        assert service.mark_read_on_opening(uow, scene.p("supplier-a"), "order", second.id) == 0
    after = unread_by_user(factory)
    assert after[opener] == {second.id}
    assert {u: ids for u, ids in after.items() if u != opener} == {
        u: ids for u, ids in before.items() if u != opener
    }
