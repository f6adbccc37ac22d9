"""The task API: create (for oneself or a colleague), update, complete and reopen, the connection's
filters (assigned to me, due before, done) and order, errors at their fields."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.gql.conftest import Api, gid
from tests.gql.test_notifications import web  # noqa: F401 - the whole app with users who log in
from tests.notify.people import add_user
from tests.web.conftest import WebWorld

TASK = "task { id subject dueOn done doneAt notes assignee { name } customer { name } }"
ERRORS = "userErrors { code field message }"
CREATE = f"mutation($i: CreateTaskInput!) {{ createTask(input: $i) {{ {TASK} {ERRORS} }} }}"
UPDATE = (
    f"mutation($i: UpdateTaskInput!) {{ updateTask(input: $i) {{ {TASK} userErrors {{ code field }} }} }}"
)


def test_a_token_creates_tasks_for_named_users_and_changes_them(api: Api) -> None:
    worker = add_user(api.scene, "dealer-other", "member")
    customer = api.scene.customer("Korn KG", shared_with=("dealer-other",))
    made = api.ok(
        CREATE,
        {"i": {"subject": "Rückruf", "dueOn": "2026-12-09", "assignee": gid("User", worker),
               "customer": gid("Customer", customer.id), "notes": "wegen Angebot"}},
        as_="dealer-other",
    )["createTask"]  # fmt: skip
    assert made["userErrors"] == []
    task = made["task"]
    assert (task["subject"], task["dueOn"], task["done"], task["customer"]) == (
        "Rückruf",
        "2026-12-09",
        False,
        {"name": "Korn KG"},
    )
    changed = api.ok(
        UPDATE, {"i": {"task": task["id"], "dueOn": "2026-12-10", "customer": None}}, as_="dealer-other"
    )
    assert changed["updateTask"]["task"]["dueOn"] == "2026-12-10"
    assert (
        changed["updateTask"]["task"]["customer"] is None
        and changed["updateTask"]["task"]["notes"] == "wegen Angebot"
    )
    done = api.ok(
        "mutation($t: ID!) { completeTask(input: {task: $t}) { task { done doneAt } userErrors { code } } }",
        {"t": task["id"]},
        as_="dealer-other",
    )["completeTask"]
    assert done["task"]["done"] is True and done["task"]["doneAt"]
    twice = api.ok(
        "mutation($t: ID!) { completeTask(input: {task: $t}) { task { id } userErrors { code } } }",
        {"t": task["id"]},
        as_="dealer-other",
    )["completeTask"]
    assert twice == {"task": None, "userErrors": [{"code": "INVALID_STATE"}]}
    again = api.ok(
        "mutation($t: ID!) { reopenTask(input: {task: $t}) { task { done } userErrors { code } } }",
        {"t": task["id"]},
        as_="dealer-other",
    )["reopenTask"]
    assert again == {"task": {"done": False}, "userErrors": []}


def test_bad_input_is_a_user_error_at_its_field_and_creates_nothing(api: Api) -> None:
    worker = add_user(api.scene, "partner", "member")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"subject": " ", "dueOn": "2026-12-09", "assignee": gid("User", worker)}, ["subject"]),
        ({"subject": "x", "dueOn": "1999-01-01", "assignee": gid("User", worker)}, ["dueOn"]),
        ({"subject": "x", "dueOn": "2026-12-09"}, ["assignee"]),  # a token must name the user
    ]
    for given, field in cases:
        payload = api.ok(CREATE, {"i": given}, as_="partner")["createTask"]
        assert payload["task"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_INPUT", field)]
    assert api.ok("{ tasks(first: 5) { totalCount } }", as_="partner")["tasks"]["totalCount"] == 0


def test_assigned_to_me_due_before_and_done_filter_the_connection(web: WebWorld) -> None:  # noqa: F811
    """A signed-in user (session cookie) calls the API: ``assignedToMe`` is that user's tasks."""
    client: TestClient = web.client("dealer-other")
    me = web.users["dealer-other"].id
    colleague = add_user(web.scene, "dealer-other", "member")

    def call(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = client.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        assert "errors" not in body, body
        return dict(body["data"])

    for subject, due, who in [
        ("A", "2026-12-01", me),
        ("B", "2026-12-07", me),
        ("C", "2026-12-08", me),
        ("D", "2026-12-01", colleague),
    ]:
        call(CREATE, {"i": {"subject": subject, "dueOn": due, "assignee": gid("User", who)}})
    mine = call(
        '{ tasks(first: 10, filter: {assignedToMe: true, dueBefore: "2026-12-08", done: false}) '
        "{ nodes { subject } } }"
    )
    assert [n["subject"] for n in mine["tasks"]["nodes"]] == ["A", "B"]
    everyone = call("{ tasks(first: 10, orderBy: {field: DUE_ON, direction: DESC}) { nodes { subject } } }")
    assert [n["subject"] for n in everyone["tasks"]["nodes"]] == ["C", "B", "D", "A"]
    assert call("{ tasks(first: 10, filter: {done: true}) { nodes { id } } }")["tasks"]["nodes"] == []


def test_an_api_token_has_no_tasks_of_its_own(api: Api) -> None:
    errors = api.errors("{ tasks(first: 5, filter: {assignedToMe: true}) { nodes { id } } }", as_="partner")
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT"
