"""The worker's campaign step: a planned or running campaign's members are taken from its segment's
filter again every hour (new customers, moved ones), and once more after its last day; then they
stay. Each campaign in a transaction of its own, claimed with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two workers recount different campaigns."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.campaigns.service import count_members, due_for_recount
from portal.db import unit_of_work
from portal.models import Campaign
from portal.models.base import utcnow
from portal.partners.service import system_principal

MAX_PER_PASS = 50
ZONE = ZoneInfo("Europe/Berlin")  # a campaign's days are the portal's calendar days


def recount_due_campaigns(factory: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """Recount every campaign that is due; returns how many were recounted."""
    now = now or utcnow()
    today = now.astimezone(ZONE).date()
    with factory() as session:
        due = [
            c.id
            for c in session.scalars(select(Campaign).order_by(Campaign.id))
            if due_for_recount(c, now, today)
        ][:MAX_PER_PASS]
    done = 0
    for campaign_id in due:
        with unit_of_work(factory) as uow:
            campaign = uow.session.scalar(
                select(Campaign).where(Campaign.id == campaign_id).with_for_update(skip_locked=True)
            )
            if campaign is None or not due_for_recount(campaign, now, today):  # another worker has it
                continue
            count_members(uow, system_principal(uow.session), campaign, now=now)
            done += 1
    return done
