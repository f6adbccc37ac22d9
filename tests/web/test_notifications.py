"""The inbox pages: the bell on every page, the list with filters, mark read, preferences."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.models import Notification, NotificationPreference
from portal.notify.notifier import notify_once
from tests.web.conftest import WebWorld, csrf_of, post_form


def bell(html: str) -> int:
    match = re.search(r'<span class="count" data-unread>(\d+)</span>', html)
    assert match, "the page has no bell"
    return int(match.group(1))


def routed(world: WebWorld, count: int = 2) -> list[int]:
    customer = world.scene.customer()
    ids = [world.scene.order(customer, supplier="supplier-a").id for _ in range(count)]
    notify_once(world.scene.factory)
    return ids


def test_bell_list_and_mark_read(world: WebWorld) -> None:
    first, second = routed(world)
    client = world.client("supplier-a")
    home = client.get("/")
    assert home.status_code == 200
    assert bell(home.text) == 2
    assert bell(client.get("/orders").text) == 2  # a list page (a cached shell) too
    page = client.get("/notifications")
    assert page.status_code == 200
    assert f'href="/orders/{second}"' in page.text and f'href="/orders/{first}"' in page.text
    assert "was routed to you" in page.text
    assert client.get(f"/orders/{first}").status_code == 200  # the link opens the order
    with world.scene.factory() as session:
        ids = sorted(session.scalars(select(Notification.id)))
    response = client.post(
        "/notifications/read", data={"csrf": csrf_of(page.text), "id": str(ids[0])}, follow_redirects=False
    )
    assert response.status_code == 303
    assert bell(client.get("/").text) == 1
    unread = client.get("/notifications?unread=1")
    assert f'href="/orders/{first}"' not in unread.text and f'href="/orders/{second}"' in unread.text
    post_form(client, "/notifications", "/notifications/read", {"all": "1"})
    assert bell(client.get("/").text) == 0
    assert "No notifications." in client.get("/notifications?unread=1").text


def test_german_titles_and_others_see_nothing(world: WebWorld) -> None:
    routed(world, 1)
    german = world.client("supplier-a").get("/notifications?lang=de")
    assert "wurde an Sie weitergeleitet" in german.text
    other = world.client("supplier-b")
    assert bell(other.get("/").text) == 0
    assert "No notifications." in other.get("/notifications").text
    owner = world.client("owner")  # the owner's staff see everything, but not others' inboxes
    assert bell(owner.get("/").text) == 0


def test_marking_someone_elses_notification_changes_nothing(world: WebWorld) -> None:
    routed(world, 1)
    with world.scene.factory() as session:
        ident = session.scalars(select(Notification.id)).one()
    response = post_form(
        world.client("supplier-b"), "/notifications", "/notifications/read", {"id": str(ident)}
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    with world.scene.factory() as session:
        assert session.get(Notification, ident).read_at is None  # type: ignore[union-attr]
    assert bell(world.client("supplier-a").get("/").text) == 1


def test_filter_by_kind_and_bad_kind(world: WebWorld) -> None:
    routed(world, 1)
    client = world.client("supplier-a")
    assert "No notifications." in client.get("/notifications?kind=case_routed").text
    assert "No notifications." not in client.get("/notifications?kind=order_routed").text
    assert client.get("/notifications?kind=nonsense").status_code == 400


def test_preferences_are_saved_and_used(world: WebWorld) -> None:
    client = world.client("supplier-a")
    page = client.get("/notifications/preferences")
    assert page.status_code == 200 and "Order routed to you" in page.text
    data = {"csrf": csrf_of(page.text)}
    for kind in re.findall(r'name="([a-z_]+)\.email"', page.text):
        data[f"{kind}.email"] = "off"
        data[f"{kind}.inbox"] = "1"
    data.pop("order_routed.inbox")
    data["order_routed.email"] = "digest"
    data["appointment_reminder.lead"] = "60"
    response = client.post("/notifications/preferences", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    with world.scene.factory() as session:
        pref = session.scalars(
            select(NotificationPreference).where(NotificationPreference.kind == "order_routed")
        ).one()
        assert (pref.inbox, pref.email) == (False, "digest")
    routed(world, 1)
    with world.scene.factory() as session:
        row = session.scalars(select(Notification)).one()
        assert (row.channel, row.email_state) == ("email", "digest")  # not in the inbox, kept for mail
    assert bell(client.get("/").text) == 0
    # A lead time that is not offered is refused (for a user who has appointments: a dealer's).
    dealer = world.client("dealer-group")
    page = dealer.get("/notifications/preferences")
    data = {"csrf": csrf_of(page.text)}
    for kind in re.findall(r'name="([a-z_]+)\.email"', page.text):
        data[f"{kind}.email"] = "off"
    data["appointment_reminder.lead"] = "7"
    assert dealer.post("/notifications/preferences", data=data).status_code == 400
