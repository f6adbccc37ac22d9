"""Tasks and the calendar feed end to end, with real processes: `portal serve` and `portal exchange
run` (whose loop runs the notifier) on one demo database, spoken to over HTTP as a browser and a
calendar program would (forms with their CSRF token; the feed by its secret address).

A dealer's user creates a task due today with the new-task form: the worker's reminder arrives in
the inbox (German and English titles). The user schedules an appointment on a customer with the
customer page's form, makes a calendar address on the settings page, and the feed fetched over
HTTP, parsed with icalendar, shows the appointment and the task. SQLite, or PostgreSQL with
PORTAL_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import re
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

import httpx2
import pytest
from icalendar import Calendar

from portal.gql.ids import decode_id
from portal.seed import DEMO_PASSWORD
from portal.web.i18n import TIMEZONE
from tests.e2e.test_exchange_loop import background, gql, portal
from tests.web.live import serve

pytestmark = pytest.mark.slow

DEALER_TOKEN = {"Authorization": "Bearer ptk_demo_haustechnik_dealer"}
DEALER = "team@haustechnik-nord.example"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf(page: httpx2.Response) -> str:
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def log_in(base: str, email: str) -> httpx2.Client:
    client = httpx2.Client(base_url=base, follow_redirects=False, timeout=30)
    page = client.get("/login?lang=de")
    done = client.post(
        "/login", data={"csrf": csrf(page), "email": email, "password": DEMO_PASSWORD, "next": "/"}
    )
    assert done.status_code == 303, done.text[:300]
    return client


def test_a_task_reminder_arrives_and_the_calendar_feed_shows_the_appointment(
    empty_database_url: str, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_DATABASE_URL": empty_database_url,
        "PORTAL_DATA_DIR": str(tmp_path / "var"),
    }
    portal(env, "db", "upgrade")
    portal(env, "seed", "demo", "--scale", "0.02")
    log = tmp_path / "worker.log"
    today = datetime.now(TIMEZONE).date()
    with ExitStack() as stack:
        base = stack.enter_context(serve(empty_database_url))
        client = log_in(base, DEALER)
        stack.callback(client.close)

        # The new-task form, as a browser sends it: due today, for oneself.
        form = client.get("/tasks/new")
        assert form.status_code == 200
        me = re.search(r'<option value="(\d+)" selected>', form.text)
        assert me, "the form preselects the user as the assignee"
        created = client.post(
            "/tasks/new",
            data={"csrf": csrf(form), "subject": "Angebot Heizung nachfassen", "due_on": today.isoformat(),
                  "assignee_id": me.group(1), "notes": "Rückruf zugesagt"},
        )  # fmt: skip
        assert created.status_code == 303, created.text[:500]
        task_path = created.headers["location"]

        # The worker's notifier: the reminder of a task due today arrives in the inbox.
        worker = stack.enter_context(background(env, log, "exchange", "run", "--interval", "0.5"))
        deadline = time.monotonic() + 60
        while "Angebot Heizung nachfassen" not in (inbox := client.get("/notifications?lang=de")).text:
            assert worker.poll() is None, log.read_text()[-3000:]
            if time.monotonic() > deadline:
                pytest.fail(f"no reminder in the inbox\n{log.read_text()[-3000:]}")
            time.sleep(0.3)  # polling the server with a deadline
        assert "Aufgabe heute fällig: Angebot Heizung nachfassen" in inbox.text
        assert f'href="{task_path}"' in inbox.text
        english = client.get("/notifications?lang=en")
        assert "Task due today: Angebot Heizung nachfassen" in english.text

        # My day lists it; an appointment scheduled on a customer's page.
        assert "Angebot Heizung nachfassen" in client.get("/my-day").text
        customer = gql(base, DEALER_TOKEN, "{ customers(first: 1) { nodes { id name } } }")
        customer_pk = decode_id(customer["customers"]["nodes"][0]["id"])[1]  # type: ignore[index]
        page = client.get(f"/customers/{customer_pk}")
        start = (datetime.now(TIMEZONE) + timedelta(days=1)).replace(
            hour=9, minute=30, second=0, microsecond=0
        )
        logged = client.post(
            f"/customers/{customer_pk}/activities",
            data={"csrf": csrf(page), "kind": "appointment", "subject": "Vor-Ort-Termin Wärmepumpe",
                  "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                  "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
        )  # fmt: skip
        assert logged.status_code == 303, logged.text[:500]

        # The settings page makes the secret address; a calendar program fetches it without login.
        settings = client.get("/account/calendar?lang=en")
        made = client.post("/account/calendar", data={"csrf": csrf(settings), "action": "renew"})
        found = re.search(r'id="calendar-address" class="secret">([^<]+)<', made.text)
        assert found, made.text[:1000]
        address = found.group(1)
        assert address.startswith(base + "/calendar/cal_")
        with httpx2.Client(timeout=30) as calendar_program:
            feed = calendar_program.get(address)
            assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
            cal = Calendar.from_ical(feed.content)
            events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
            assert "Vor-Ort-Termin Wärmepumpe" in events
            assert events["Vor-Ort-Termin Wärmepumpe"].decoded("DTSTART") == start
            tasks = [s for s in events if "Angebot Heizung nachfassen" in s]
            assert len(tasks) == 1 and events[tasks[0]].decoded("DTSTART") == today

            # Revoked on the settings page: the address answers 404 from then on.
            revoked = client.post("/account/calendar", data={"csrf": csrf(settings), "action": "revoke"})
            assert revoked.status_code == 303
            assert calendar_program.get(address).status_code == 404
        assert worker.poll() is None, log.read_text()[-3000:]
