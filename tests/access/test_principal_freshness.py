"""A principal is resolved on every request: a change of the organization tree, of a user's roles
or of a token counts from the next request on, in every server process.

Two app objects on one database (each with its own engine, so they share no pool and no module
cache would help either of them): what one instance or any other writer changes, the other sees at
once, on the web and on GraphQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.access import Principal, current_principal
from portal.app import create_app
from portal.auth import SESSION_COOKIE, SessionData, serializer
from portal.config import Settings
from portal.db import make_engine, unit_of_work
from portal.gql.ids import encode_id
from portal.models import Organization, User
from portal.models.base import utcnow
from portal.partners import service as partners
from tests.builders import Scene, build_scene
from tests.web.conftest import SECRET, add_users, post_form

ORDERS = "{ orders(first: 50) { edges { node { id } } } }"


@dataclass
class Instances:
    scene: Scene
    a: Starlette
    b: Starlette
    users: dict[str, User]
    order_id: int

    def move(self, slug: str, parent: str | None) -> None:
        """Another writer (the command line, a migration, another server) changes the tree."""
        with unit_of_work(self.scene.factory) as uow:
            parent_id = self.scene.orgs[parent].id if parent else None
            uow.session.execute(
                update(Organization)
                .where(Organization.id == self.scene.orgs[slug].id)
                .values(parent_id=parent_id)
            )

    def browser(self, app: Starlette, who: str, generation: int = 0) -> TestClient:
        client = TestClient(app)
        data = SessionData.new()
        data.login(self.users[who].id, generation)
        client.cookies.set(SESSION_COOKIE, serializer(SECRET).dumps(data.payload()))
        return client

    def page_status(self, app: Starlette, who: str) -> int:
        return self.browser(app, who).get(f"/orders/{self.order_id}", follow_redirects=False).status_code

    def api_orders(
        self, app: Starlette, headers: dict[str, str] | None = None, who: str | None = None
    ) -> set[str]:
        client = self.browser(app, who) if who else TestClient(app)
        body = client.post("/graphql", json={"query": ORDERS}, headers=headers or {}).json()
        assert "errors" not in body, body
        return {edge["node"]["id"] for edge in body["data"]["orders"]["edges"]}


@pytest.fixture
def instances(factory: sessionmaker[Session], engine: Engine) -> Iterator[Instances]:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    customer = scene.customer(shared_with=("dealer-branch",))
    order = scene.order(customer, dealer="dealer-branch")
    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, secret_key=SECRET)
    other = make_engine(url)
    try:
        yield Instances(
            scene, create_app(settings, engine=engine), create_app(settings, engine=other), users, order.id
        )
    finally:
        other.dispose()


def test_a_moved_or_detached_branch_leaves_its_old_group_at_once_on_the_web(instances: Instances) -> None:
    i = instances
    assert i.page_status(i.a, "dealer-group") == 200  # the group sees its branch's order (and is warm)
    assert i.page_status(i.b, "dealer-other") == 404
    i.move("dealer-branch", "dealer-other")
    assert i.page_status(i.a, "dealer-group") == 404
    assert i.page_status(i.b, "dealer-other") == 200
    i.move("dealer-branch", None)
    assert i.page_status(i.b, "dealer-other") == 404
    assert i.page_status(i.a, "dealer-group") == 404


def test_a_moved_or_detached_branch_leaves_its_old_group_at_once_on_graphql(instances: Instances) -> None:
    i = instances
    order = encode_id("Order", i.order_id)
    with unit_of_work(i.scene.factory) as uow:
        group = partners.issue_token(
            uow=uow, principal=i.scene.p("owner"), organization_id=i.scene.orgs["dealer-group"].id, name="erp"
        )
        other = partners.issue_token(
            uow=uow, principal=i.scene.p("owner"), organization_id=i.scene.orgs["dealer-other"].id, name="erp"
        )
    as_group = {"Authorization": f"Bearer {group.secret}"}
    as_other = {"Authorization": f"Bearer {other.secret}"}
    assert i.api_orders(i.a, as_group) == {order}
    assert i.api_orders(i.a, who="dealer-group") == {order}  # the portal's cookie on /graphql
    assert i.api_orders(i.b, as_other) == set()
    i.move("dealer-branch", "dealer-other")
    assert i.api_orders(i.a, as_group) == set()
    assert i.api_orders(i.a, who="dealer-group") == set()
    assert i.api_orders(i.b, as_other) == {order}
    i.move("dealer-branch", None)
    assert i.api_orders(i.b, as_other) == set()


def test_a_removed_role_and_a_revoked_token_count_from_the_next_request(instances: Instances) -> None:
    i = instances
    admin = i.browser(i.a, "dealer-group")
    assert admin.get("/admin/tokens").status_code == 200
    with unit_of_work(i.scene.factory) as uow:
        token = partners.issue_token(
            uow=uow, principal=i.scene.p("owner"), organization_id=i.scene.orgs["dealer-group"].id, name="erp"
        )
    bearer = {"Authorization": f"Bearer {token.secret}"}
    assert i.api_orders(i.a, bearer) == {encode_id("Order", i.order_id)}
    # Instance B: the group's admin revokes the token through the portal.
    revoked = post_form(
        i.browser(i.b, "dealer-group"), "/admin/tokens", f"/admin/tokens/{token.token.id}/revoke", {}
    )
    assert revoked.status_code == 303  # type: ignore[attr-defined]
    refused = TestClient(i.a).post("/graphql", json={"query": ORDERS}, headers=bearer)
    assert refused.status_code == 401
    # Another writer takes the admin role away: the user's sessions end with the next request on
    # instance A, and the next login there has the new role.
    with unit_of_work(i.scene.factory) as uow:
        partners.set_user_roles(
            uow=uow, principal=i.scene.p("owner"), user_id=i.users["dealer-group"].id, roles={"member"}
        )
    ended = admin.get("/admin/tokens", follow_redirects=False)
    assert (ended.status_code, ended.headers["location"]) == (303, "/login")
    assert admin.post("/graphql", json={"query": "{ viewer { roles } }"}).status_code == 401
    again = i.browser(i.a, "dealer-group", generation=1)
    assert again.get("/admin/tokens").status_code == 403
    viewer = again.post("/graphql", json={"query": "{ viewer { roles } }"}).json()
    assert viewer["data"]["viewer"]["roles"] == ["member"]


def test_a_principal_held_for_long_is_resolved_again(instances: Instances) -> None:
    """What a subscription does on each read: the tree as it is now; None once the token is
    revoked or expired, or the user deactivated."""
    i = instances
    with unit_of_work(i.scene.factory) as uow:
        token = partners.issue_token(
            uow=uow,
            principal=i.scene.p("owner"),
            organization_id=i.scene.orgs["dealer-group"].id,
            name="erp",
            expires_in_days=30,
        )
    group, branch = i.scene.orgs["dealer-group"].id, i.scene.orgs["dealer-branch"].id
    with i.scene.factory() as session:
        held = partners.authenticate_token(session, token.secret)
        user = i.users["dealer-group"]
        held_user = Principal(
            org_id=group, org_kind=held.org_kind, org_ids=held.org_ids, roles=frozenset(), user_id=user.id
        )
    assert held.org_ids == {group, branch}
    i.move("dealer-branch", None)
    with i.scene.factory() as session:
        now = current_principal(session, held, utcnow())
        assert now is not None and now.org_ids == {group} and now.token_id == held.token_id
        fresh_user = current_principal(session, held_user, utcnow())
        assert fresh_user is not None and fresh_user.org_ids == {group} and fresh_user.roles == {"admin"}
        assert current_principal(session, held, utcnow() + timedelta(days=31)) is None  # expired by then
    with unit_of_work(i.scene.factory) as uow:
        partners.revoke_token(uow=uow, principal=i.scene.p("owner"), token_id=token.token.id)
        partners.set_user_active(uow=uow, principal=i.scene.p("owner"), user_id=user.id, active=False)
    with i.scene.factory() as session:
        assert current_principal(session, held, utcnow()) is None
        assert current_principal(session, held_user, utcnow()) is None
