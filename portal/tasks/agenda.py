"""A user's agenda from the read models: "my day" (open tasks overdue or due today, and today's
appointments) and a week (tasks due and appointments starting on each of seven days).

Both read through the entities' one list function each (tasks: `portal.tasks.queries`,
appointments: `portal.activities.queries`), so what a page shows is what the principal may see.
Appointments are those the user scheduled (``Activity.user_id``), of kind appointment or meeting.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from portal.access import Principal
from portal.activities.queries import ActivityQuery, ActivitySort, list_activities
from portal.models import ActivityKind
from portal.reading import Page, PageRequest, Record
from portal.tasks.queries import TaskQuery, TaskSort, list_tasks

TIMED = frozenset({ActivityKind.APPOINTMENT, ActivityKind.MEETING})
PAGE = 100
MOST = 500  # items of one kind an agenda shows; beyond, it says there are more


@dataclass(slots=True)
class Agenda:
    tasks: list[Record] = field(default_factory=list)
    appointments: list[Record] = field(default_factory=list)
    more: bool = False  # more than MOST of one kind: the page says so and links the list


def _all(fetch: Any) -> Iterator[tuple[list[Record], bool]]:
    after: str | None = None
    seen = 0
    while True:
        page: Page[Record] = fetch(PageRequest(first=PAGE, after=after))
        seen += len(page.items)
        more = page.has_next_page and seen >= MOST
        yield list(page.items), more
        if not page.has_next_page or more:
            return
        after = page.end_cursor


def _read(
    session: Session, principal: Principal, user_id: int, tasks: TaskQuery, starts: tuple[datetime, datetime]
) -> Agenda:
    agenda = Agenda()
    for rows, more in _all(
        lambda page: list_tasks(session, principal, tasks, sort=TaskSort.DUE_ON, page=page)
    ):
        agenda.tasks += rows
        agenda.more |= more
    query = ActivityQuery(kinds=TIMED, user_id=user_id, starts_from=starts[0], starts_before=starts[1])
    for rows, more in _all(
        lambda page: list_activities(
            session, principal, query, sort=ActivitySort.STARTS_AT, descending=False, page=page
        )
    ):
        agenda.appointments += rows
        agenda.more |= more
    return agenda


def day_bounds(day: date, zone: tzinfo, days: int = 1) -> tuple[datetime, datetime]:
    """The moments a local day (or ``days`` days) begins and ends."""
    start = datetime.combine(day, time.min, zone)
    return start, datetime.combine(day + timedelta(days=days), time.min, zone)


def my_day(session: Session, principal: Principal, *, user_id: int, today: date, zone: tzinfo) -> Agenda:
    """The user's open tasks due today or earlier (the oldest first) and today's appointments."""
    tasks = TaskQuery(assignee_id=user_id, done=False, due_before=today + timedelta(days=1))
    return _read(session, principal, user_id, tasks, day_bounds(today, zone))


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO 8601, as German calendars count)."""
    return day - timedelta(days=day.weekday())


def week(session: Session, principal: Principal, *, user_id: int, monday: date, zone: tzinfo) -> Agenda:
    """The user's tasks due (open and done) and appointments starting in the week from ``monday``."""
    tasks = TaskQuery(assignee_id=user_id, due_from=monday, due_before=monday + timedelta(days=7))
    return _read(session, principal, user_id, tasks, day_bounds(monday, zone, 7))


def calendar_window(
    session: Session, principal: Principal, *, user_id: int, first: date, last: date, zone: tzinfo
) -> Agenda:
    """The calendar feed's items: the user's open tasks due from ``first`` until ``last`` and the
    appointments starting in those days."""
    tasks = TaskQuery(assignee_id=user_id, done=False, due_from=first, due_before=last)
    return _read(session, principal, user_id, tasks, day_bounds(first, zone, (last - first).days))
