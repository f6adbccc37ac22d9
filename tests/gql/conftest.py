"""A small world (tests.builders.Scene), API tokens for its organizations, and a client on /graphql."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.config import Settings
from portal.db import make_sessionmaker, unit_of_work
from portal.gql import Limits, graphql_routes
from portal.gql.ids import encode_id
from portal.partners import service as partners
from tests.builders import Scene, build_scene
from tests.changefeed import settle
from tests.conftest import wipe


@dataclass
class Api:
    client: TestClient
    scene: Scene
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, slug: str, *roles: str) -> str:
        key = f"{slug}:{','.join(roles)}"
        if key not in self.tokens:
            with unit_of_work(self.scene.factory) as uow:
                issued = partners.issue_token(
                    uow=uow,
                    principal=self.scene.p("owner"),
                    organization_id=self.scene.orgs[slug].id,
                    name=f"test {key}",
                    roles=set(roles) if roles else None,
                )
            self.tokens[key] = issued.secret
        return self.tokens[key]

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str | None = "owner", **kw: Any
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token(as_)}"} if as_ else {}
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers, **kw
        )

    def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str = "owner"
    ) -> dict[str, Any]:
        response = self.post(query, variables, as_=as_)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return dict(body["data"])

    def feed(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str = "owner"
    ) -> dict[str, Any]:
        """``ok`` for a query that reads the change feed, once the feed may pass every event written
        so far (tests.changefeed)."""
        settle(self.scene.factory)
        return self.ok(query, variables, as_=as_)

    def errors(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str = "owner"
    ) -> list[dict[str, Any]]:
        body = self.post(query, variables, as_=as_).json()
        assert body.get("errors"), body
        return list(body["errors"])


def gid(type_name: str, pk: int) -> str:
    return encode_id(type_name, pk)


def make_client(
    factory: sessionmaker[Session],
    *,
    limits: Limits | None = None,
    introspection: bool = False,
    demo: bool = False,
) -> TestClient:
    settings = Settings(database_url="sqlite://", demo=demo, graphql_introspection=introspection)
    app = Starlette(routes=graphql_routes(settings, factory, limits))
    return TestClient(app)


@pytest.fixture
def scene(factory: sessionmaker[Session]) -> Scene:
    return build_scene(factory)


@pytest.fixture
def api(scene: Scene) -> Iterator[Api]:
    with make_client(scene.factory, limits=Limits(poll_interval=0.05)) as client:
        yield Api(client, scene)


@dataclass
class World:
    """Two customers, two orders on different suppliers and dealers, a case and an activity."""

    api: Api
    ids: dict[str, int]

    def gid(self, type_name: str, key: str) -> str:
        return gid(type_name, self.ids[key])


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api)


@pytest.fixture(scope="module")
def shared_world(engine: Engine) -> Iterator[World]:
    """``world`` built once per module, for modules whose tests only read (wiped at the end)."""
    factory = make_sessionmaker(engine)
    try:
        scene = build_scene(factory)
        # the modules that share a world send many hundreds of operations as one principal
        limits = Limits(poll_interval=0.05, rate_capacity=5000)
        with make_client(factory, limits=limits) as client:
            yield build_world(Api(client, scene))
    finally:
        wipe(engine)


def build_world(api: Api) -> World:
    from portal.activities import service as activities
    from portal.cases import service as cases
    from portal.models import ActivityKind, CasePriority
    from portal.models.base import utcnow

    s = api.scene
    shared = s.customer("Müller GmbH", shared_with=("dealer-group",))
    other = s.customer("Schulz AG")
    order_a = s.order(shared, dealer="dealer-branch", supplier="supplier-a", quantities=(10, 5))
    order_b = s.order(other, supplier="supplier-b", quantities=(3,))
    s.fulfil(order_b, "supplier-b")
    with s.uow() as uow:
        case = cases.open_case(
            uow=uow,
            principal=s.p("owner"),
            subject="Pumpe defekt",
            priority=CasePriority.HIGH,
            customer_id=shared.id,
            routed_to_id=s.orgs["partner"].id,
        )
        activity = activities.log_activity(
            uow=uow,
            principal=s.p("owner"),
            customer_id=shared.id,
            kind=ActivityKind.CALL,
            subject="Rückruf",
            occurred_at=utcnow(),
        )
        ids = {
            "shared": shared.id,
            "other": other.id,
            "order_a": order_a.id,
            "order_b": order_b.id,
            "case": case.id,
            "activity": activity.id,
        }
    return World(api, ids)
