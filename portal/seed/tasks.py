"""The demo's tasks (issue #18.6): each person's to-do list around the day of the demo, so that
"My day", the week and the calendar feed show work on the first login.

Tasks are their people's, and the demo has the same people at every scale: every user with work to
do (not viewers) gets the same dozen tasks whatever the scale (a few overdue, some today, the rest of
the week, a few done), on a customer that user's organization sees where one fits. A random
generator of its own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from portal.models import OrgKind, Task
from portal.seed.base import Customers, Plan, weekday

SUBJECTS = [
    "Angebot nachfassen",
    "Rückruf wegen Liefertermin",
    "Wartungstermin abstimmen",
    "Unterlagen für Förderantrag prüfen",
    "Aufmaß vor Ort vorbereiten",
    "Reklamation klären",
    "Preisliste an den Kunden senden",
    "Inbetriebnahme einplanen",
]
SUBJECTS_EN = ["Follow up the quote", "Call back about the delivery date", "Plan the commissioning"]
# Days from the demo's today: two overdue, three today, five later this week or next, two done.
DUE = (-3, -1, 0, 0, 0, 1, 2, 3, 6, 8)
DONE = (-6, -2)


def plan_tasks(
    plan: Plan,
    people: list[tuple[int, int, str, OrgKind, bool]],
    customers: Customers,
    today: date,
    now: datetime,
) -> None:
    """``people``: (user id, organization id, organization slug, its kind, English?) of each user
    who works (admins, sales, support, members)."""
    rng = random.Random("demo tasks")
    for user_id, org, slug, kind, english in people:
        mine = _customers_of(customers, slug, kind)
        subjects = SUBJECTS_EN if english else SUBJECTS
        for offset in (*DUE, *DONE):
            due = _working_day(today, offset)
            customer = rng.choice(mine) if mine and rng.random() < 0.7 else None
            created = now - timedelta(days=rng.randint(3, 20))
            plan.add(
                Task,
                {
                    "organization_id": org,
                    "assignee_id": user_id,
                    "customer_id": customer,
                    "created_by_id": user_id,
                    "subject": rng.choice(subjects),
                    "notes": "",
                    "due_on": due,
                    "done_at": now - timedelta(days=-offset, hours=2) if offset in DONE else None,
                    "created_at": created,
                    "updated_at": created,
                },
            )
    plan.flush()


def _working_day(today: date, offset: int) -> date:
    """``offset`` days from today, moved off a weekend away from today (an overdue task stays
    overdue on a Monday); today is today whatever the weekday."""
    day = today + timedelta(days=offset)
    if offset < 0:
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day
    return weekday(day) if offset else today


def _customers_of(customers: Customers, slug: str, kind: OrgKind, wanted: int = 12) -> list[int]:
    """A few customers the organization sees: any for the owner, its own for a dealer, none for
    the others (a partner's or supplier's task stands on its own)."""
    if kind is OrgKind.OWNER:
        return [customers[i].id for i in range(min(wanted, len(customers)))]
    if kind is not OrgKind.DEALER:
        return []
    found: list[int] = []
    for i in range(len(customers)):
        if customers[i].dealer == slug:
            found.append(customers[i].id)
            if len(found) == wanted:
                break
    return found
