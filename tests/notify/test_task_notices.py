"""Tasks in the notifier: the assignee hears of a task someone else gave them, and once on the day
it is due (Berlin's calendar) while it is open; nobody else, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from portal.models import User
from portal.notify.notifier import notify_once
from portal.notify.scheduler import schedule_once
from portal.tasks import service as tasks
from tests.builders import build_scene
from tests.notify.people import add_user, as_user
from tests.notify.test_notifier import inbox

DUE = date(2030, 1, 8)  # far from the clock: the real-time pass in the first test finds it not due
# 23:30 UTC on the 7th is 00:30 on the 8th in Berlin (winter time): the task is due "today" there.
JUST_AFTER_MIDNIGHT_IN_BERLIN = datetime(2030, 1, 7, 23, 30, tzinfo=UTC)
EVENING_BEFORE = datetime(2030, 1, 7, 22, 30, tzinfo=UTC)


def test_assigning_a_task_tells_the_assignee_only(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    boss = add_user(scene, "dealer-other", "admin")
    worker = add_user(scene, "dealer-other", "member")
    bystander = add_user(scene, "dealer-other", "member")
    owner = add_user(scene, "owner", "admin")
    with scene.uow() as uow:
        given = tasks.create_task(
            uow=uow, principal=as_user(scene, boss), subject="Lager zählen", due_on=DUE, assignee_id=worker
        ).id
        tasks.create_task(uow=uow, principal=as_user(scene, boss), subject="Selbst", due_on=DUE)
    notify_once(factory)
    assert inbox(factory, worker) == [("task_assigned", "task", given)]
    assert inbox(factory, boss) == [] and inbox(factory, bystander) == [] and inbox(factory, owner) == []


def test_the_due_reminder_comes_once_on_the_due_day_and_not_when_done(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    me = add_user(scene, "partner", "member")
    with scene.uow() as uow:
        open_task = tasks.create_task(uow=uow, principal=as_user(scene, me), subject="Angebot", due_on=DUE).id
        done = tasks.create_task(uow=uow, principal=as_user(scene, me), subject="Erledigt", due_on=DUE).id
    with scene.uow() as uow:
        tasks.complete_task(uow=uow, principal=as_user(scene, me), task_id=done)
    assert schedule_once(factory, now=EVENING_BEFORE) == 0  # still the 7th in Berlin
    assert schedule_once(factory, now=JUST_AFTER_MIDNIGHT_IN_BERLIN) == 1
    assert schedule_once(factory, now=JUST_AFTER_MIDNIGHT_IN_BERLIN) == 0  # once
    assert inbox(factory, me) == [("task_due", "task", open_task)]


def test_no_reminder_for_a_deactivated_assignee(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    me = add_user(scene, "partner", "member")
    with scene.uow() as uow:
        tasks.create_task(uow=uow, principal=as_user(scene, me), subject="x", due_on=DUE)
    with scene.uow() as uow:
        uow.session.get_one(User, me).is_active = False
    assert schedule_once(factory, now=JUST_AFTER_MIDNIGHT_IN_BERLIN) == 0
