"""Time-based notifications: the scheduler step of the notifier (run by `notify_once` in the worker).

Each pass looks for items that are due at ``now`` (an SLA about to pass or passed, an order late
against its requested date, an appointment about to start, a failed EDI file, an acknowledgement
overdue, an API token about to expire, a task due today) and tells about each once: the
notification's ``occasion`` names the item, what happened and the moment it is about
("case:7:sla_breached:2026-12-06T10:00"), and is unique per user and channel. A pass may run
twice, or in two workers at once: the second adds nothing. A due time that moves (a case's
priority changes its SLA) is a new occasion.

State that lapses with time is changed here too, before the outbox is read: an approved deal
registration whose protection has passed is marked expired (:func:`expire_once`, idempotent), and
its event tells the dealer in the same pass.

Only recent items are looked at (:data:`LOOKBACK`): a database that has run without a worker for a
while does not flood the inbox with history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import unit_of_work
from portal.deals.queries import EXPIRING_DAYS
from portal.deals.service import expire_registrations
from portal.models import (
    Activity,
    ActivityKind,
    ApiToken,
    Case,
    CaseStatus,
    DealRegistration,
    DealStatus,
    Direction,
    ExchangeRecord,
    Order,
    RecordState,
    Task,
)
from portal.notify.delivery import deliver
from portal.notify.notice import OWNER_CASE_STAFF, OWNER_ORDER_STAFF, Notice
from portal.notify.rules import LEAD_CHOICES, Kind
from portal.orders.queries import late_conditions

SLA_NEAR = timedelta(hours=2)  # "near breach": this long before the SLA due time
LOOKBACK = timedelta(days=2)  # items due longer ago than this are history
TOKEN_WARNING = timedelta(days=7)
OPEN_CASE = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)
TASK_ZONE = ZoneInfo("Europe/Berlin")  # a task is due on a day of the portal's calendar
MAX_PER_PASS = 5000  # items of one kind per pass; the rest comes next pass


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def due_notices(session: Session, now: datetime) -> list[Notice]:
    notices: list[Notice] = []
    cases = session.execute(
        select(Case.id, Case.number, Case.sla_due_at, Case.routed_to_id, Case.opened_by_org_id)
        .where(
            Case.status.in_(OPEN_CASE),
            Case.sla_due_at > now - LOOKBACK,
            Case.sla_due_at <= now + SLA_NEAR,
        )
        .order_by(Case.id)
        .limit(MAX_PER_PASS)
    )
    for ident, number, due, routed_to, opened_by in cases:
        kind = Kind.CASE_SLA_BREACHED if due <= now else Kind.CASE_SLA_NEAR
        notices.append(
            Notice(kind, "case", ident, (Case, ident), {"number": number},
                   occasion=f"case:{ident}:{kind.value}:{_at(due)}",
                   orgs=(routed_to, opened_by), owner_roles=OWNER_CASE_STAFF)
        )  # fmt: skip
    today = now.date()
    # Late as the dashboard, the late list and `lateOn` count it (`late_conditions`: the stored
    # earliest open due day, an index range): told once per due day that passed.
    orders = session.execute(
        select(Order.id, Order.number, Order.earliest_open_due, Order.dealer_id, Order.supplier_id)
        .where(*late_conditions(today), Order.earliest_open_due >= today - LOOKBACK)
        .order_by(Order.earliest_open_due, Order.id)
        .limit(MAX_PER_PASS)
    )
    for ident, number, due_day, dealer, supplier in orders:
        assert due_day is not None  # the query asked for a due day
        notices.append(
            Notice(Kind.ORDER_LATE, "order", ident, (Order, ident), {"number": number},
                   occasion=f"order:{ident}:late:{due_day.isoformat()}",
                   orgs=(dealer, supplier), owner_roles=OWNER_ORDER_STAFF)
        )  # fmt: skip
    longest = timedelta(minutes=max(LEAD_CHOICES))
    appointments = session.execute(
        select(Activity.id, Activity.customer_id, Activity.subject, Activity.starts_at, Activity.user_id)
        .where(
            Activity.kind.in_((ActivityKind.APPOINTMENT, ActivityKind.MEETING)),
            Activity.done_at.is_(None),
            Activity.user_id.is_not(None),
            Activity.starts_at > now,
            Activity.starts_at <= now + longest,
        )
        .order_by(Activity.id)
        .limit(MAX_PER_PASS)
    )
    for ident, customer_id, subject, starts_at, user_id in appointments:
        assert starts_at is not None
        notices.append(
            Notice(Kind.APPOINTMENT_REMINDER, "customer", customer_id, (Activity, ident),
                   {"subject": subject, "starts_at": starts_at.isoformat()},
                   occasion=f"activity:{ident}:reminder:{_at(starts_at)}", users=(user_id,),
                   starts_at=starts_at)
        )  # fmt: skip
    # A task is due on a day: its reminder comes once, on that day (from midnight, Berlin time),
    # to the assignee, while the task is open and the assignee may see it.
    due_today = now.astimezone(TASK_ZONE).date()
    tasks = session.execute(
        select(Task.id, Task.subject, Task.assignee_id)
        .where(Task.due_on == due_today, Task.done_at.is_(None))
        .order_by(Task.id)
        .limit(MAX_PER_PASS)
    )
    for ident, subject, assignee_id in tasks:
        notices.append(
            Notice(Kind.TASK_DUE, "task", ident, (Task, ident), {"subject": subject},
                   occasion=f"task:{ident}:due:{due_today.isoformat()}", users=(assignee_id,))
        )  # fmt: skip
    failed = session.execute(
        select(ExchangeRecord.id, ExchangeRecord.filename, ExchangeRecord.organization_id)
        .where(ExchangeRecord.state == RecordState.FAILED, ExchangeRecord.updated_at > now - LOOKBACK)
        .order_by(ExchangeRecord.id)
        .limit(MAX_PER_PASS)
    )
    for ident, filename, org_id in failed:
        notices.append(
            Notice(Kind.EXCHANGE_FAILED, "exchange_record", ident, (ExchangeRecord, ident),
                   {"filename": filename}, occasion=f"exchange_record:{ident}:failed",
                   orgs=(org_id,), admins_only=True, owner_roles=frozenset({"admin"}))
        )  # fmt: skip
    overdue = session.execute(
        select(
            ExchangeRecord.id,
            ExchangeRecord.filename,
            ExchangeRecord.organization_id,
            ExchangeRecord.ack_due_at,
        )
        .where(
            ExchangeRecord.direction == Direction.OUTBOUND,
            ExchangeRecord.state == RecordState.SENT,
            ExchangeRecord.ack_record_id.is_(None),
            ExchangeRecord.ack_due_at <= now,
            ExchangeRecord.ack_due_at > now - LOOKBACK,
        )
        .order_by(ExchangeRecord.id)
        .limit(MAX_PER_PASS)
    )
    for ident, filename, org_id, ack_due in overdue:
        assert ack_due is not None
        notices.append(
            Notice(Kind.ACK_OVERDUE, "exchange_record", ident, (ExchangeRecord, ident),
                   {"filename": filename}, occasion=f"exchange_record:{ident}:ack_overdue:{_at(ack_due)}",
                   orgs=(org_id,), admins_only=True, owner_roles=frozenset({"admin"}))
        )  # fmt: skip
    tokens = session.execute(
        select(ApiToken.id, ApiToken.name, ApiToken.organization_id, ApiToken.expires_at)
        .where(
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            ApiToken.expires_at <= now + TOKEN_WARNING,
        )
        .order_by(ApiToken.id)
        .limit(MAX_PER_PASS)
    )
    for ident, name, org_id, expires in tokens:
        assert expires is not None
        notices.append(
            Notice(Kind.TOKEN_EXPIRING, "api_token", ident, (ApiToken, ident), {"name": name},
                   occasion=f"api_token:{ident}:expiring:{_at(expires)}", orgs=(org_id,), admins_only=True)
        )  # fmt: skip
    # A deal registration's protection ends: its dealer is told once, EXPIRING_DAYS before (or at
    # once, when it was approved for a shorter time), Berlin's calendar day.
    registrations = session.execute(
        select(
            DealRegistration.id,
            DealRegistration.number,
            DealRegistration.dealer_id,
            DealRegistration.protected_until,
        )
        .where(
            DealRegistration.status == DealStatus.APPROVED,
            DealRegistration.protected_until >= due_today,
            DealRegistration.protected_until <= due_today + timedelta(days=EXPIRING_DAYS),
        )
        .order_by(DealRegistration.id)
        .limit(MAX_PER_PASS)
    )
    for ident, number, dealer_id, until in registrations:
        assert until is not None  # the query asked for a protection day
        notices.append(
            Notice(Kind.DEAL_REGISTRATION_EXPIRING, "deal_registration", ident, (DealRegistration, ident),
                   {"number": number, "day": until.isoformat()},
                   occasion=f"deal_registration:{ident}:expiring:{until.isoformat()}", orgs=(dealer_id,))
        )  # fmt: skip
    return notices


def expire_once(factory: sessionmaker[Session], *, now: datetime) -> int:
    """Mark lapsed deal protections expired (Berlin's calendar day), in a transaction of its own."""
    with unit_of_work(factory) as uow:
        return len(expire_registrations(uow, today=now.astimezone(TASK_ZONE).date()))


def schedule_once(factory: sessionmaker[Session], *, now: datetime) -> int:
    """One scheduler pass in one transaction; returns the rows added."""
    with unit_of_work(factory) as uow:
        return deliver(uow.session, due_notices(uow.session, now), now)
