"""The task services: who may create, assign, change, complete and reopen; bad input names its
field and writes nothing; every change writes its event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from portal.models import Event, Task
from portal.tasks import service as tasks
from tests.builders import Scene, build_scene
from tests.notify.people import add_user, as_user

TODAY = date(2026, 12, 7)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


def _events(scene: Scene) -> list[tuple[str, dict[str, object]]]:
    with scene.factory() as session:
        return [
            (e.kind, e.payload)
            for e in session.scalars(select(Event).where(Event.entity == "task").order_by(Event.id))
        ]


def test_a_user_creates_a_task_for_a_colleague_who_is_told(scene: Scene) -> None:
    me = add_user(scene, "dealer-other", "member")
    colleague = add_user(scene, "dealer-other", "member")
    customer = scene.customer(shared_with=("dealer-other",))
    with scene.uow() as uow:
        task = tasks.create_task(
            uow=uow, principal=as_user(scene, me), subject=" Rückruf ", due_on=TODAY,
            assignee_id=colleague, customer_id=customer.id, notes="Angebot besprechen",
        )  # fmt: skip
        assert (task.subject, task.organization_id, task.created_by_id) == (
            "Rückruf",
            scene.orgs["dealer-other"].id,
            me,
        )
    kinds = [kind for kind, _ in _events(scene)]
    assert kinds == ["task.created", "task.assigned"]
    assert _events(scene)[1][1]["assignee_id"] == colleague


def test_own_task_defaults_to_the_caller_and_tells_nobody(scene: Scene) -> None:
    me = add_user(scene, "owner", "sales")
    with scene.uow() as uow:
        task = tasks.create_task(uow=uow, principal=as_user(scene, me), subject="Messe planen", due_on=TODAY)
        assert task.assignee_id == me and task.customer_id is None
    assert [kind for kind, _ in _events(scene)] == ["task.created"]


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("other-org", "a user of another organization"),
        ("viewer", "a read-only user"),
        ("inactive", "a deactivated user"),
        ("missing", "no such user"),
    ],
)
def test_the_assignee_must_be_an_active_writing_colleague(scene: Scene, who: str, why: str) -> None:
    me = add_user(scene, "owner", "sales")
    candidates = {
        "other-org": add_user(scene, "dealer-other", "member"),
        "viewer": add_user(scene, "owner", "viewer"),
        "inactive": add_user(scene, "owner", "sales", active=False),
        "missing": 9_999_999,
    }
    with pytest.raises(InvalidInput) as refused, scene.uow() as uow:
        tasks.create_task(
            uow=uow, principal=as_user(scene, me), subject="x", due_on=TODAY, assignee_id=candidates[who]
        )
    assert refused.value.field == "assignee", why
    assert _events(scene) == []


def test_bad_fields_are_named_and_nothing_is_written(scene: Scene) -> None:
    me = as_user(scene, add_user(scene, "partner", "member"))
    hidden = scene.customer(shared_with=("dealer-other",))
    for kwargs, field in [
        ({"subject": "  "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"due_on": date(1999, 12, 31)}, "due_on"),
        ({"notes": "a\x00b"}, "notes"),
    ]:
        with pytest.raises(InvalidInput) as refused, scene.uow() as uow:
            tasks.create_task(uow=uow, principal=me, **{"subject": "ok", "due_on": TODAY, **kwargs})  # type: ignore[arg-type]
        assert refused.value.field == field
    with pytest.raises(NotFound), scene.uow() as uow:  # a customer not shared with the partner
        tasks.create_task(uow=uow, principal=me, subject="x", due_on=TODAY, customer_id=hidden.id)
    with pytest.raises(InvalidInput) as refused, scene.uow() as uow:
        tasks.create_task(uow=uow, principal=scene.p("partner"), subject="x", due_on=TODAY)  # an API token
    assert refused.value.field == "assignee"
    with scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_update_changes_only_what_is_given_and_reassigning_tells_the_new_assignee(scene: Scene) -> None:
    me = add_user(scene, "dealer-other", "admin")
    colleague = add_user(scene, "dealer-other", "member")
    customer = scene.customer(shared_with=("dealer-other",))
    p = as_user(scene, me)
    with scene.uow() as uow:
        ident = tasks.create_task(uow=uow, principal=p, subject="A", due_on=TODAY, customer_id=customer.id).id
    with scene.uow() as uow:
        task = tasks.update_task(uow=uow, principal=p, task_id=ident, due_on=TODAY + timedelta(days=2))
        assert (task.subject, task.due_on, task.customer_id) == ("A", TODAY + timedelta(days=2), customer.id)
    with scene.uow() as uow:
        task = tasks.update_task(uow=uow, principal=p, task_id=ident, assignee_id=colleague, customer_id=None)
        assert (task.assignee_id, task.customer_id) == (colleague, None)
    with scene.uow() as uow:  # nothing changes: no event
        tasks.update_task(uow=uow, principal=p, task_id=ident, subject="A")
    assert [k for k, _ in _events(scene)] == ["task.created", "task.updated", "task.updated", "task.assigned"]


def test_complete_and_reopen_once_each(scene: Scene) -> None:
    p = as_user(scene, add_user(scene, "supplier-a", "member"))
    with scene.uow() as uow:
        ident = tasks.create_task(uow=uow, principal=p, subject="Inventur", due_on=TODAY).id
    with scene.uow() as uow:
        assert tasks.complete_task(uow=uow, principal=p, task_id=ident).done_at is not None
    with pytest.raises(InvalidState), scene.uow() as uow:
        tasks.complete_task(uow=uow, principal=p, task_id=ident)
    with scene.uow() as uow:
        assert tasks.reopen_task(uow=uow, principal=p, task_id=ident).done_at is None
    with pytest.raises(InvalidState), scene.uow() as uow:
        tasks.reopen_task(uow=uow, principal=p, task_id=ident)
    assert [k for k, _ in _events(scene)] == ["task.created", "task.completed", "task.reopened"]


def test_owner_staff_see_a_dealers_task_but_may_not_change_it(scene: Scene) -> None:
    dealer = as_user(scene, add_user(scene, "dealer-other", "member"))
    owner = as_user(scene, add_user(scene, "owner", "admin"))
    viewer = as_user(scene, add_user(scene, "dealer-other", "member"))
    with scene.uow() as uow:
        ident = tasks.create_task(uow=uow, principal=dealer, subject="x", due_on=TODAY).id
    with pytest.raises(PermissionDenied), scene.uow() as uow:
        tasks.complete_task(uow=uow, principal=owner, task_id=ident)
    with scene.uow() as uow:  # a colleague may
        tasks.complete_task(uow=uow, principal=viewer, task_id=ident)


def test_a_read_only_user_may_not_create_tasks(scene: Scene) -> None:
    viewer = as_user(scene, add_user(scene, "owner", "viewer"))
    with pytest.raises(PermissionDenied, match="read-only"), scene.uow() as uow:
        tasks.create_task(uow=uow, principal=viewer, subject="x", due_on=TODAY)
