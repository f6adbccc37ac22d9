"""Opening an object's page reads the viewer's unread notifications about it, and nobody else's;
other pages (lists, other objects) leave them unread."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Notification
from portal.notify.notifier import notify_once
from portal.notify.rules import object_at
from tests.notify.people import add_user
from tests.web.conftest import WebWorld


def unread(world: WebWorld, user_id: int) -> set[tuple[str, int]]:
    with world.scene.factory() as session:
        return {
            (n.entity, n.entity_id)
            for n in session.scalars(
                select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
            )
        }


def test_opening_an_order_reads_the_viewers_notices_about_it_only(world: WebWorld) -> None:
    colleague = add_user(world.scene, "supplier-a", "member")
    customer = world.scene.customer()
    first = world.scene.order(customer, supplier="supplier-a")
    second = world.scene.order(customer, supplier="supplier-a")
    notify_once(world.scene.factory)
    viewer = world.users["supplier-a"].id
    assert unread(world, viewer) == {("order", first.id), ("order", second.id)}
    assert unread(world, colleague) == {("order", first.id), ("order", second.id)}

    client = world.client("supplier-a")
    client.get("/orders")  # a list: nothing opened
    client.get(f"/orders/{first.id}/nothing-here")
    assert unread(world, viewer) == {("order", first.id), ("order", second.id)}
    page = client.get(f"/orders/{first.id}")
    assert page.status_code == 200
    assert '<span class="count" data-unread>1</span>' in page.text  # the bell counts what is left
    assert unread(world, viewer) == {("order", second.id)}
    assert unread(world, colleague) == {("order", first.id), ("order", second.id)}


def test_pages_of_objects_are_recognised_and_others_are_not() -> None:
    assert object_at("/orders/7") == ("order", 7)
    assert object_at("/cases/12") == ("case", 12)
    assert object_at("/customers/3") == ("customer", 3)
    assert object_at("/invoices/4") == ("invoice", 4)
    assert object_at("/opportunities/5") == ("opportunity", 5)
    for other in ("/orders", "/orders/7/respond", "/orders/x", "/notifications", "/", "/orders/"):
        assert object_at(other) is None, other
