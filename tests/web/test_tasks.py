"""The task pages: a new task (fields checked, what was typed kept), my day, the week, done and
open again with plain forms, the tasks list and its CSV, the calendar settings page; German and
English; no other organization's task through any of them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from portal.models import Task
from portal.tasks import service as tasks
from portal.web.i18n import TIMEZONE
from tests.notify.people import as_user
from tests.web.conftest import WebWorld, csrf_of, post_form

TODAY = datetime.now(TIMEZONE).date()


def _task(world: WebWorld, who: str, subject: str, due_on: date, customer_id: int | None = None) -> int:
    with world.scene.uow() as uow:
        p = as_user(world.scene, world.users[who].id)
        return tasks.create_task(
            uow=uow, principal=p, subject=subject, due_on=due_on, customer_id=customer_id
        ).id


def test_new_task_form_keeps_what_was_typed_and_names_each_bad_field(world: WebWorld) -> None:
    client = world.client("dealer-other")
    response = post_form(
        client,
        "/tasks/new",
        "/tasks/new",
        {
            "subject": "",
            "due_on": "31.12.2026",
            "assignee_id": str(world.users["dealer-other"].id),
            "notes": "Notiz bleibt",
        },
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert 'id="subject-error"' in html and 'id="due_on-error"' in html
    assert "Notiz bleibt" in html and 'value="31.12.2026"' in html
    with world.scene.factory() as session:
        assert session.query(Task).count() == 0


def test_a_task_of_another_organizations_user_is_refused_at_its_field(world: WebWorld) -> None:
    client = world.client("dealer-other")
    response = post_form(
        client,
        "/tasks/new",
        "/tasks/new",
        {"subject": "X", "due_on": TODAY.isoformat(), "assignee_id": str(world.users["dealer-group"].id)},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'id="assignee_id-error"' in response.text  # type: ignore[attr-defined]


def test_create_then_my_day_shows_it_and_done_takes_it_off(world: WebWorld) -> None:
    customer = world.scene.customer("Bäckerei Korn", shared_with=("dealer-other",))
    client = world.client("dealer-other")
    response = post_form(
        client,
        f"/tasks/new?customer_id={customer.id}",
        "/tasks/new",
        {
            "subject": "Angebot nachfassen",
            "due_on": TODAY.isoformat(),
            "assignee_id": str(world.users["dealer-other"].id),
            "customer_id": str(customer.id),
        },
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    ident = int(response.headers["location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    _task(world, "dealer-other", "Alte Sache", TODAY - timedelta(days=3))
    _task(world, "dealer-other", "Nächste Woche", TODAY + timedelta(days=7))
    day = client.get("/my-day?lang=de")
    assert day.status_code == 200
    assert "Angebot nachfassen" in day.text and "Bäckerei Korn" in day.text
    assert "Alte Sache" in day.text and "Überfällig seit" in day.text
    assert "Nächste Woche" not in day.text
    done = client.post(
        f"/tasks/{ident}/done", data={"csrf": csrf_of(day.text), "next": "/my-day"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/my-day"
    assert "Angebot nachfassen" not in client.get("/my-day").text
    page = client.get(f"/tasks/{ident}?lang=en")
    assert "Open again" in page.text
    again = client.post(f"/tasks/{ident}/reopen", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert again.status_code == 303
    assert "Angebot nachfassen" in client.get("/my-day").text


def test_week_lists_each_day_and_moves_by_weeks(world: WebWorld) -> None:
    monday = TODAY - timedelta(days=TODAY.weekday())
    _task(world, "owner", "Montagsrunde", monday)
    _task(world, "owner", "Freitagsbericht", monday + timedelta(days=4))
    _task(world, "owner", "Später", monday + timedelta(days=8))
    client = world.client("owner")
    week = client.get("/tasks/week?lang=en")
    assert week.status_code == 200
    text = week.text
    assert text.index("Montagsrunde") < text.index("Freitagsbericht") and "Später" not in text
    following = client.get(f"/tasks/week?week={(monday + timedelta(days=7)).isoformat()}")
    assert "Später" in following.text and "Montagsrunde" not in following.text
    assert client.get("/tasks/week?week=gestern").status_code == 400


def test_another_organizations_task_is_missing_on_every_page(world: WebWorld) -> None:
    ident = _task(world, "dealer-group", "Geheim", TODAY)
    client = world.client("dealer-other")
    assert client.get(f"/tasks/{ident}").status_code == 404
    page = client.get("/my-day")
    for action in ("done", "reopen"):
        assert client.post(f"/tasks/{ident}/{action}", data={"csrf": csrf_of(page.text)}).status_code == 404
    assert "Geheim" not in client.get("/tasks").text
    assert "Geheim" not in client.get("/tasks.csv").text
    assert "Geheim" in world.client("dealer-group").get("/tasks").text


def test_owner_staff_see_a_dealers_task_without_controls(world: WebWorld) -> None:
    ident = _task(world, "dealer-other", "Händleraufgabe", TODAY)
    page = world.client("owner").get(f"/tasks/{ident}")
    assert page.status_code == 200 and "Händleraufgabe" in page.text
    assert 'id="task-form"' not in page.text and f"/tasks/{ident}/done" not in page.text


def test_tasks_list_filters_mine_and_state_and_exports_csv(world: WebWorld) -> None:
    _task(world, "owner", "Offen", TODAY)
    done = _task(world, "owner", "Fertig", TODAY)
    with world.scene.uow() as uow:
        tasks.complete_task(uow=uow, principal=as_user(world.scene, world.users["owner"].id), task_id=done)
    client = world.client("owner")
    open_only = client.get("/tasks?assignee=me&state=open&lang=de")
    assert "Offen" in open_only.text and "Fertig" not in open_only.text
    csv = client.get("/tasks.csv?state=done&lang=de")
    assert csv.status_code == 200 and "Fertig" in csv.text and "Offen" not in csv.text
    assert client.get("/tasks?state=maybe").status_code == 400


def test_calendar_settings_make_show_once_renew_and_revoke(world: WebWorld) -> None:
    client = world.client("partner")
    page = client.get("/account/calendar?lang=de")
    assert "Sie haben keine Kalenderadresse" in page.text
    made = client.post("/account/calendar", data={"csrf": csrf_of(page.text), "action": "renew"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    address = made.text.split('id="calendar-address" class="secret">')[1].split("<")[0]
    path = address.split("testserver", 1)[1]
    assert world.client().get(path).status_code == 200
    assert address not in client.get("/account/calendar").text  # shown once
    renewed = client.post("/account/calendar", data={"csrf": csrf_of(page.text), "action": "renew"})
    assert world.client().get(path).status_code == 404  # the old address stops working
    new_path = (
        renewed.text.split('id="calendar-address" class="secret">')[1].split("<")[0].split("testserver", 1)[1]
    )
    revoked = client.post(
        "/account/calendar", data={"csrf": csrf_of(page.text), "action": "revoke"}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert world.client().get(new_path).status_code == 404
