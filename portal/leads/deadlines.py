"""The worker's lead step: leads whose answer deadline has passed are routed on (issue #18.2).

Each overdue lead is handled in a transaction of its own, claimed with ``FOR UPDATE SKIP LOCKED``
on PostgreSQL (two workers take different leads) and checked again under the lock: a lead the
dealer answered, marketing reassigned, or another worker expired meanwhile is left alone. So a
pass may run twice, or in two workers at once, and routes each lead on once (the ``lead.expired``
event and its notifications come once).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import unit_of_work
from portal.leads.service import expire_lead
from portal.models import Lead, LeadStatus
from portal.models.base import utcnow
from portal.partners.service import system_principal

MAX_PER_PASS = 500


def route_overdue_leads(
    factory: sessionmaker[Session], *, now: datetime | None = None, answer_hours: int | None = None
) -> int:
    """Route on every lead past its deadline; returns how many were routed on."""
    now = now or utcnow()
    with factory() as session:
        due = list(
            session.scalars(
                select(Lead.id)
                .where(Lead.status == LeadStatus.OFFERED, Lead.answer_due_at <= now)
                .order_by(Lead.answer_due_at, Lead.id)
                .limit(MAX_PER_PASS)
            )
        )
    routed = 0
    for lead_id in due:
        with unit_of_work(factory) as uow:
            claimed = uow.session.scalar(
                select(Lead.id).where(Lead.id == lead_id).with_for_update(skip_locked=True)
            )
            if claimed is None:  # another worker has it
                continue
            principal = system_principal(uow.session)
            if expire_lead(uow=uow, principal=principal, lead_id=lead_id, now=now, answer_hours=answer_hours):
                routed += 1
    return routed
