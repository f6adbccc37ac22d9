"""The demo's tasks: every working user's "My day" has work on the first login, seen through the
access policy as the portal shows it, and the number is its people's, not the scale's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.access.principal import principal_for_user
from portal.db import make_engine
from portal.models import Base, Task, User
from portal.seed import seed_demo
from portal.seed.base import table_of
from portal.seed.plan import plan_demo
from portal.tasks.agenda import my_day

ANCHOR = date(2026, 12, 7)  # a Monday: overdue tasks must not slide onto it
BERLIN = ZoneInfo("Europe/Berlin")


def test_every_working_user_has_overdue_and_todays_tasks_they_can_see(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    Base.metadata.create_all(engine)
    seed_demo(engine, scale=0.05, anchor=ANCHOR)
    with Session(engine) as session:
        users = session.scalars(select(User).where(User.roles != "viewer")).all()
        assert len(users) >= 10
        for user in users:
            day = my_day(
                session, principal_for_user(session, user), user_id=user.id, today=ANCHOR, zone=BERLIN
            )
            due = [task.due_on for task in day.tasks]
            assert any(d < ANCHOR for d in due) and due.count(ANCHOR) >= 3, (user.email, due)
        viewers = session.scalar(
            select(func.count(Task.id)).join(User, User.id == Task.assignee_id).where(User.roles == "viewer")
        )
        assert viewers == 0
    engine.dispose()


def test_a_larger_scale_adds_no_tasks() -> None:
    def tasks(scale: float) -> int:
        return plan_demo(scale=scale, anchor=ANCHOR, password_hash="x").counts[table_of(Task)]

    assert tasks(0.05) == tasks(1) > 100
