"""The demo's support cases and activities: a service desk that keeps up with its SLAs, and a diary
of calls, meetings and appointments in working hours."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from portal.models import Activity, ActivityKind, Case, CaseCategory, CaseComment, CasePriority, CaseStatus
from portal.models.cases import OPEN_CASE_STATUSES, SLA
from portal.seed import names
from portal.seed.base import (
    ACTIVITIES,
    CASES,
    FLUSH_EVERY,
    PARTNERS,
    SUPPLIERS,
    WORKDAY,
    Customers,
    Plan,
    count,
    event,
    local_time,
    past_working_time,
    working_time,
)

# Open cases against their SLA, as a support desk that keeps up looks: (upper bound of the draw,
# time left as a share of the SLA (min, max)). Negative: breached.
SLA_MIX = [(0.07, (-3.0, -0.05)), (0.2, (0.02, 0.25)), (1.01, (0.25, 0.98))]
OPEN_STATUSES = OPEN_CASE_STATUSES
# Open cases at any scale: a support team's backlog (scale 1 has about 350). Without a bound, scale
# 2000 had 700,000 open cases, 245,000 of them due today, and the dashboard counted them (#15).
OPEN_CASES = 20_000


def plan_cases(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: Customers,
    scale: float,
    now: datetime,
) -> None:
    owner = org_id["waermewerk"]
    statuses = [
        CaseStatus.OPEN,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING,
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    ]
    open_cases = 0
    for n in range(count(CASES, scale)):
        if n % FLUSH_EVERY == 0:
            plan.flush()
        customer = rng.choice(customers)
        dealer = customer.dealer
        priority = rng.choices(list(CasePriority), weights=[1, 3, 8, 3])[0]
        status = rng.choices(statuses, weights=[3, 3, 1, 4, 5])[0]
        if status in OPEN_STATUSES:
            if open_cases >= OPEN_CASES:  # a larger history, not a larger backlog
                status = rng.choices(statuses[3:], weights=[4, 5])[0]
            else:
                open_cases += 1
        sla = SLA[priority]
        resolved_at = closed_at = None
        if status in OPEN_STATUSES:
            draw = rng.random()
            low, high = next(span for bound, span in SLA_MIX if draw < bound)
            created = now - sla * (1 - rng.uniform(low, high))
        else:
            created = past_working_time(rng, now.date() - timedelta(days=rng.randint(1, 40)), now)
            resolved_at = min(now, created + sla * rng.uniform(0.1, 1.1))
            if status is CaseStatus.CLOSED:
                closed_at = min(now, resolved_at + timedelta(days=rng.randint(1, 5)))
        created = created.replace(second=0, microsecond=0)
        opened_by = org_id[dealer] if dealer and rng.random() < 0.5 else owner
        routed = None
        if rng.random() < 0.6:
            routed = org_id[rng.choice(PARTNERS + SUPPLIERS + ([dealer] if dealer else []))]
        subject, description = rng.choice(names.CASE_SUBJECTS_EN if customer.english else names.CASE_SUBJECTS)
        case_id = plan.add(
            Case,
            {
                "number": f"C-{n + 1:06d}",
                "subject": subject,
                "description": description,
                "customer_id": customer.id,
                "order_id": None,
                "priority": priority,
                # A draw of its own, so that the demo's other data stays as it was before categories.
                "category": random.Random(n).choices(list(CaseCategory), weights=[3, 4, 2, 4, 1])[0],
                "status": status,
                "routed_to_id": routed,
                "opened_by_org_id": opened_by,
                "opened_by_user_id": None,
                "sla_due_at": created + sla,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            },
        )
        event(plan, "case.opened", "case", case_id, opened_by, created, priority=priority.value)
        last = resolved_at or now
        for k in range(rng.randint(0, 4)):
            at = created + (last - created) * (k + 1) / 6
            author = rng.choice([owner, routed or owner, opened_by])
            plan.add(
                CaseComment,
                {
                    "case_id": case_id,
                    "author_org_id": author,
                    "author_user_id": None,
                    "author_name": "Wärmewerk Kundendienst" if author == owner else "Partner",
                    "body": rng.choice(names.COMMENTS_EN if customer.english else names.COMMENTS),
                    "internal": author == owner and rng.random() < 0.3,
                    "created_at": at,
                },
            )


TIMED = (ActivityKind.MEETING, ActivityKind.APPOINTMENT)
TODAY_APPOINTMENTS = 200  # meetings and appointments today at any scale (scale 1 has up to about 170)


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def plan_activities(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: Customers,
    scale: float,
    today: date,
    now: datetime,
) -> None:
    owner = org_id["waermewerk"]
    kinds = list(ActivityKind)
    booked_today = 0
    for n in range(count(ACTIVITIES, scale)):
        if n % FLUSH_EVERY == 0:
            plan.flush()
        customer = rng.choice(customers)
        kind = rng.choice(kinds)
        org = org_id[customer.dealer] if customer.dealer and rng.random() < 0.6 else owner
        # Every 25th activity is an appointment today, so dashboards have something to show, until
        # the day is full: a day's appointments are its people's (the demo has the same people at
        # every scale), so a larger scale adds history, not appointments today.
        today_slot = n % 25 == 0 and booked_today < TODAY_APPOINTMENTS
        if today_slot:
            kind, day = ActivityKind.APPOINTMENT, today
        elif kind in TIMED or kind is ActivityKind.TASK:
            day = today + timedelta(days=rng.randint(-45, 14))  # the diary: past weeks and the next two
        else:
            day = today - timedelta(days=rng.randint(0, 45))  # what happened
        minutes = rng.choice((30, 60, 60, 90, 120)) if kind in TIMED else 0
        if kind in TIMED:
            while day.weekday() >= 5 and not today_slot:
                day += timedelta(days=1)
            if day == today and not today_slot and booked_today >= TODAY_APPOINTMENTS:
                day = _next_weekday(today)  # the day is full: the diary's next free day
            booked_today += day == today
            latest = WORKDAY[1] * 60 - minutes  # ends by 19:00
            begin = rng.randrange(WORKDAY[0] * 60 + 30, latest + 1, 30)
            start = local_time(day, begin // 60, begin % 60)
        else:
            start = working_time(rng, day) if kind is ActivityKind.TASK else past_working_time(rng, day, now)
        subjects = names.ACTIVITY_SUBJECTS_EN if customer.english else names.ACTIVITY_SUBJECTS[kind.value]
        plan.add(
            Activity,
            {
                "customer_id": customer.id,
                "contact_id": rng.choice(customer.contacts)
                if customer.contacts and rng.random() < 0.7
                else None,
                "organization_id": org,
                "user_id": None,
                "kind": kind,
                "subject": rng.choice(subjects),
                "body": "",
                "starts_at": start if kind in TIMED else None,
                "ends_at": start + timedelta(minutes=minutes) if kind in TIMED else None,
                "due_at": start if kind is ActivityKind.TASK else None,
                "done_at": start if kind is ActivityKind.TASK and start < now else None,
                "occurred_at": start,
                "created_at": min(start, now),
            },
        )
