"""The calendar feed as a calendar program reads it (parsed with icalendar): appointments as timed
events in UTC, open tasks as all-day events on their due day that do not block time, texts in the
user's language, links back to the portal; fetched over HTTP with its content type."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar

from portal.activities import service as activities
from portal.models import User
from portal.tasks import calendar
from portal.tasks import service as tasks
from portal.web.i18n import TIMEZONE
from tests.notify.people import as_user
from tests.web.conftest import WebWorld
from tests.web.conftest import world as world

TODAY = datetime.now(TIMEZONE).date()


def _setup(world: WebWorld, locale: str) -> tuple[str, int, int]:
    customer = world.scene.customer("Müller; Söhne, GmbH", shared_with=("dealer-other",))
    user_id = world.users["dealer-other"].id
    start = (datetime.now(TIMEZONE) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    with world.scene.uow() as uow:
        uow.session.get_one(User, user_id).locale = locale
    with world.scene.uow() as uow:
        p = as_user(world.scene, user_id)
        appointment = activities.schedule_appointment(
            uow=uow, principal=p, customer_id=customer.id, subject="Wartung, Heizung; Keller",
            starts_at=start, ends_at=start + timedelta(hours=2), body="Schlüssel beim Hausmeister",
        ).id  # fmt: skip
        task = tasks.create_task(
            uow=uow, principal=p, subject="Angebot senden", due_on=TODAY + timedelta(days=2),
            customer_id=customer.id, notes="mit Rabatt",
        ).id  # fmt: skip
        done = tasks.create_task(uow=uow, principal=p, subject="Schon erledigt", due_on=TODAY).id
        tasks.complete_task(uow=uow, principal=p, task_id=done)
        token = calendar.renew_feed(uow=uow, principal=p)
    return token, appointment, task


def test_the_feed_over_http_is_what_outlook_and_google_read(world: WebWorld) -> None:
    token, appointment, task = _setup(world, "de")
    response = world.client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert str(cal["X-WR-CALNAME"]) == "Portal: Dealer-Other User"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"activity-{appointment}@testserver", f"task-{task}@testserver"}

    meeting = events[f"activity-{appointment}@testserver"]
    assert str(meeting["SUMMARY"]) == "Wartung, Heizung; Keller"  # escaped and read back whole
    starts = meeting.decoded("DTSTART")
    assert isinstance(starts, datetime) and starts.utcoffset() == timedelta(0)
    assert starts.astimezone(TIMEZONE).hour == 10
    assert meeting.decoded("DTEND") - starts == timedelta(hours=2)
    assert "Kunde: Müller; Söhne, GmbH" in str(meeting["DESCRIPTION"])
    assert "Schlüssel beim Hausmeister" in str(meeting["DESCRIPTION"])

    todo = events[f"task-{task}@testserver"]
    assert str(todo["SUMMARY"]) == "Aufgabe: Angebot senden"  # the user's language
    due = todo.decoded("DTSTART")
    assert type(due) is date and due == TODAY + timedelta(days=2)  # all day: a DATE, not a time
    assert todo.decoded("DTEND") == due + timedelta(days=1)
    assert str(todo["TRANSP"]) == "TRANSPARENT"
    assert str(todo["URL"]) == f"http://testserver/tasks/{task}"
    assert "mit Rabatt" in str(todo["DESCRIPTION"])


def test_english_users_read_english_and_done_tasks_leave_the_feed(world: WebWorld) -> None:
    token, _, task = _setup(world, "en")
    cal = Calendar.from_ical(world.client().get(f"/calendar/{token}.ics").content)
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert summaries == ["Task: Angebot senden", "Wartung, Heizung; Keller"]
    with world.scene.uow() as uow:
        tasks.complete_task(
            uow=uow, principal=as_user(world.scene, world.users["dealer-other"].id), task_id=task
        )
    cal = Calendar.from_ical(world.client().get(f"/calendar/{token}.ics").content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Wartung, Heizung; Keller"]


def test_a_wrong_address_is_404_without_a_calendar(world: WebWorld) -> None:
    response = world.client().get("/calendar/cal_nothing-here.ics")
    assert response.status_code == 404 and "BEGIN:VCALENDAR" not in response.text
