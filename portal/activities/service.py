"""Calls, meetings, appointments, e-mails, notes and tasks on a customer."""

from __future__ import annotations

from datetime import datetime

from portal import validation
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState
from portal.events import record
from portal.models import Activity, ActivityKind, Contact, Customer
from portal.models.base import utcnow


def log_activity(
    *,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: int,
    kind: ActivityKind,
    subject: str,
    body: str = "",
    contact_id: int | None = None,
    occurred_at: datetime | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    due_at: datetime | None = None,
) -> Activity:
    may.require(principal, may.can_log_activity(principal), "log activities")
    customer = get_visible(uow.session, principal, Customer, customer_id)
    if contact_id is not None:
        contact = get_visible(uow.session, principal, Contact, contact_id)
        if contact.customer_id != customer.id:
            raise InvalidInput("contact", "belongs to another customer")
    validation.aware("starts_at", starts_at)
    validation.aware("ends_at", ends_at)
    validation.aware("due_at", due_at)
    validation.aware("occurred_at", occurred_at)
    if kind in (ActivityKind.MEETING, ActivityKind.APPOINTMENT):
        if starts_at is None or ends_at is None:
            raise InvalidInput(
                "starts_at" if starts_at is None else "ends_at", f"a {kind.value} needs a start and an end"
            )
        if ends_at <= starts_at:
            raise InvalidInput("ends_at", "must be after starts_at")
    activity = Activity(
        customer_id=customer.id,
        contact_id=contact_id,
        organization_id=principal.org_id,
        user_id=principal.user_id,
        kind=kind,
        subject=validation.required_text("subject", subject),
        body=validation.text("body", body, max_length=20000, required=False) or "",
        starts_at=starts_at,
        ends_at=ends_at,
        due_at=due_at,
        occurred_at=occurred_at or starts_at or utcnow(),
    )
    uow.session.add(activity)
    uow.flush()
    record(
        uow,
        principal,
        f"activity.{kind.value}",
        "activity",
        activity.id,
        customer_id=customer.id,
        subject=activity.subject,
    )
    return activity


def schedule_appointment(
    *,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: int,
    subject: str,
    starts_at: datetime,
    ends_at: datetime,
    contact_id: int | None = None,
    body: str = "",
) -> Activity:
    return log_activity(
        uow=uow,
        principal=principal,
        customer_id=customer_id,
        kind=ActivityKind.APPOINTMENT,
        subject=subject,
        body=body,
        contact_id=contact_id,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def complete_task(*, uow: UnitOfWork, principal: Principal, activity_id: int) -> Activity:
    activity = get_visible(uow.session, principal, Activity, activity_id)
    may.require(principal, may.can_complete_task(principal, activity), "complete this task")
    if activity.kind is not ActivityKind.TASK:
        raise InvalidInput("activity", f"a {activity.kind.value} is not a task")
    if activity.done_at is not None:
        raise InvalidState("task", "done", "complete")
    activity.done_at = utcnow()
    uow.flush()
    record(uow, principal, "activity.completed", "activity", activity.id)
    return activity
