"""Tasks and the calendar feed across organizations: another organization's task answers exactly
like a missing one in every service, in GraphQL (connection, node, mutations) and the change feed;
a calendar feed shows only what its user may see now."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal import changes
from portal.access import Principal
from portal.activities import service as activities
from portal.customers import service as customers
from portal.errors import NotFound, PortalError
from portal.gql import Limits
from portal.models import Event, User
from portal.tasks import calendar
from portal.tasks import service as tasks
from tests.builders import build_scene
from tests.changefeed import settle
from tests.gql.conftest import Api, gid, make_client
from tests.notify.people import add_user, as_user

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
CALLS: dict[str, Callable[[Any, Principal, int], object]] = {
    "update_task": lambda uow, p, i: tasks.update_task(uow=uow, principal=p, task_id=i, subject="x"),
    "complete_task": lambda uow, p, i: tasks.complete_task(uow=uow, principal=p, task_id=i),
    "reopen_task": lambda uow, p, i: tasks.reopen_task(uow=uow, principal=p, task_id=i),
}


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with make_client(factory, limits=Limits(poll_interval=0.05)) as client:
        yield Api(client, build_scene(factory))


def _task(api: Api, slug: str, subject: str = "Rückruf", customer_id: int | None = None) -> tuple[int, int]:
    user = add_user(api.scene, slug, "member")
    with api.scene.uow() as uow:
        task = tasks.create_task(
            uow=uow,
            principal=as_user(api.scene, user),
            subject=subject,
            due_on=TODAY,
            customer_id=customer_id,
        )
        return task.id, user


@pytest.mark.parametrize("prober", ["dealer-group", "dealer-branch", "supplier-b", "partner"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_foreign_task_answers_like_a_missing_one_and_writes_nothing(api: Api, name: str, prober: str) -> None:
    ident, _ = _task(api, "dealer-other")
    principal = as_user(api.scene, add_user(api.scene, prober, "admin"))
    with api.scene.factory() as session:
        before = session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(PortalError) as hidden, api.scene.uow() as uow:
        CALLS[name](uow, principal, ident)
    with pytest.raises(PortalError) as missing, api.scene.uow() as uow:
        CALLS[name](uow, principal, 9_999_999)
    assert isinstance(hidden.value, NotFound) and isinstance(missing.value, NotFound)
    assert hidden.value.message.replace(str(ident), "#") == missing.value.message.replace("9999999", "#")
    with api.scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == before


def test_a_dealer_group_sees_its_branchs_tasks_but_not_another_dealers(api: Api) -> None:
    branch, _ = _task(api, "dealer-branch", "Filiale")
    other, _ = _task(api, "dealer-other", "Fremd")
    seen = api.ok("{ tasks(first: 50) { nodes { id subject } } }", as_="dealer-group")["tasks"]["nodes"]
    assert [n["subject"] for n in seen] == ["Filiale"]
    assert api.ok("{ tasks(first: 50) { nodes { id } } }", as_="supplier-a")["tasks"]["nodes"] == []
    node = api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": gid("Task", other)}, as_="dealer-group")
    assert node["node"] is None
    assert api.ok(
        "query($id: ID!) { node(id: $id) { id } }", {"id": gid("Task", branch)}, as_="dealer-group"
    )["node"]


@pytest.mark.parametrize("mutation", ["completeTask", "reopenTask"])
def test_gql_mutations_on_a_foreign_task_answer_not_found(api: Api, mutation: str) -> None:
    other, _ = _task(api, "dealer-other")
    query = (
        f"mutation($t: ID!) {{ {mutation}(input: {{task: $t}}) {{ task {{ id }} userErrors {{ code }} }} }}"
    )
    for ident in (gid("Task", other), gid("Task", 9_999_999)):
        payload = api.ok(query, {"t": ident}, as_="dealer-group")[mutation]
        assert payload == {"task": None, "userErrors": [{"code": "NOT_FOUND"}]}


def test_a_task_cannot_be_assigned_to_another_organizations_user_nor_name_its_customer(api: Api) -> None:
    foreign_user = add_user(api.scene, "dealer-other", "member")
    hidden = api.scene.customer("Verborgen KG", shared_with=("dealer-other",))
    query = """mutation($input: CreateTaskInput!) { createTask(input: $input) {
        task { id } userErrors { code field } } }"""
    assignee = {"subject": "x", "dueOn": "2026-12-07", "assignee": gid("User", foreign_user)}
    payload = api.ok(query, {"input": assignee}, as_="dealer-group")["createTask"]
    assert payload == {"task": None, "userErrors": [{"code": "INVALID_INPUT", "field": ["assignee"]}]}
    own = add_user(api.scene, "dealer-group", "member")
    customer = {
        "subject": "x",
        "dueOn": "2026-12-07",
        "assignee": gid("User", own),
        "customer": gid("Customer", hidden.id),
    }
    payload = api.ok(query, {"input": customer}, as_="dealer-group")["createTask"]
    assert payload["task"] is None and payload["userErrors"][0]["code"] == "NOT_FOUND"


def test_the_change_feed_carries_a_task_only_to_its_organizations(api: Api) -> None:
    ident, _ = _task(api, "dealer-branch")
    settle(api.scene.factory)
    with api.scene.factory() as session:
        group = changes.feed(session, api.scene.p("dealer-group"), entities=["task"])
        other = changes.feed(session, api.scene.p("dealer-other"), entities=["task"])
    assert {c.entity_id for c in group.entries} == {ident}
    assert group.entries[0].state is not None and group.entries[0].state["subject"] == "Rückruf"
    assert other.entries == []


def test_a_task_on_a_customer_no_longer_shared_goes_with_the_customer(api: Api) -> None:
    customer = api.scene.customer("Weg GmbH", shared_with=("dealer-other",))
    ident, user = _task(api, "dealer-other", "Zum Kunden", customer_id=customer.id)
    with api.scene.uow() as uow:
        customers.unshare_customer(
            uow=uow, principal=api.scene.p("owner"), customer_id=customer.id,
            organization_id=api.scene.orgs["dealer-other"].id,
        )  # fmt: skip
    with pytest.raises(NotFound), api.scene.uow() as uow:
        tasks.complete_task(uow=uow, principal=as_user(api.scene, user), task_id=ident)


# -- the calendar feed ---------------------------------------------------------------------------------
def _feed(api: Api, token: str) -> Calendar | None:
    with api.scene.factory() as session:
        try:
            principal = calendar.feed_principal(session, token)
        except NotFound:
            return None
        how = calendar.Presentation(lambda m: m, "https://portal.example", "portal.example", "U")
        return Calendar.from_ical(calendar.render_feed(session, principal, now=NOW, zone=UTC, how=how))


def _summaries(cal: Calendar) -> set[str]:
    return {str(event["SUMMARY"]) for event in cal.walk("VEVENT")}


def test_the_feed_shows_the_users_own_items_and_nothing_of_other_organizations(api: Api) -> None:
    shared = api.scene.customer("Gemeinsam AG", shared_with=("dealer-other", "dealer-group"))
    me = add_user(api.scene, "dealer-other", "member")
    colleague = add_user(api.scene, "dealer-other", "member")
    stranger = add_user(api.scene, "dealer-group", "member")
    start = NOW + timedelta(days=1)
    for user, subject in ((me, "Mein Termin"), (colleague, "Kollegentermin"), (stranger, "Fremder Termin")):
        with api.scene.uow() as uow:
            activities.schedule_appointment(
                uow=uow, principal=as_user(api.scene, user), customer_id=shared.id, subject=subject,
                starts_at=start, ends_at=start + timedelta(hours=1),
            )  # fmt: skip
            tasks.create_task(
                uow=uow, principal=as_user(api.scene, user), subject=f"Aufgabe {subject}", due_on=TODAY
            )
    with api.scene.uow() as uow:
        token = calendar.renew_feed(uow=uow, principal=as_user(api.scene, me))
    cal = _feed(api, token)
    assert cal is not None
    assert _summaries(cal) == {"Mein Termin", "Task: Aufgabe Mein Termin"}


def test_a_deactivated_user_a_revoked_or_renewed_address_and_lost_access_all_drop(api: Api) -> None:
    customer = api.scene.customer("Bald weg GmbH", shared_with=("dealer-other",))
    me = add_user(api.scene, "dealer-other", "member")
    start = NOW + timedelta(days=2)
    with api.scene.uow() as uow:
        p = as_user(api.scene, me)
        activities.schedule_appointment(
            uow=uow, principal=p, customer_id=customer.id, subject="Besuch", starts_at=start,
            ends_at=start + timedelta(hours=1),
        )  # fmt: skip
        token = calendar.renew_feed(uow=uow, principal=p)
    cal = _feed(api, token)
    assert cal is not None and _summaries(cal) == {"Besuch"}
    with api.scene.uow() as uow:  # the customer is no longer shared: its appointment leaves the feed
        customers.unshare_customer(
            uow=uow, principal=api.scene.p("owner"), customer_id=customer.id,
            organization_id=api.scene.orgs["dealer-other"].id,
        )  # fmt: skip
    cal = _feed(api, token)
    assert cal is not None and _summaries(cal) == set()
    with api.scene.uow() as uow:
        uow.session.get_one(User, me).is_active = False
    assert _feed(api, token) is None
    with api.scene.uow() as uow:
        uow.session.get_one(User, me).is_active = True
    assert _feed(api, token) is not None
    with api.scene.uow() as uow:
        renewed = calendar.renew_feed(uow=uow, principal=as_user(api.scene, me))
    assert _feed(api, token) is None and _feed(api, renewed) is not None
    with api.scene.uow() as uow:
        calendar.revoke_feed(uow=uow, principal=as_user(api.scene, me))
    assert _feed(api, renewed) is None
    assert _feed(api, "cal_" + "x" * 43) is None and _feed(api, "") is None


def test_an_api_token_has_no_calendar(api: Api) -> None:
    with pytest.raises(PortalError), api.scene.uow() as uow:
        calendar.renew_feed(uow=uow, principal=api.scene.p("dealer-other"))
