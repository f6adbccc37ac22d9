"""Webhooks and tenancy: an organization's admin sees and manages only its own endpoints and
deliveries (service, web, GraphQL); a member cannot manage them; a payload carries only what the
receiving organization may see, and no organization gets a delivery about an object it cannot see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from portal.access import visible_ids
from portal.changes import ENTITY_MODELS
from portal.db import unit_of_work
from portal.errors import NotFound, PermissionDenied
from portal.models import Event, WebhookDelivery
from portal.notify.webhooks import claims, deliveries, service
from portal.notify.webhooks.kinds import EVENT_KINDS
from portal.notify.webhooks.queries import DeliveryQuery, EndpointQuery, list_deliveries, list_endpoints
from tests.builders import Scene, build_scene
from tests.gql.conftest import Api, gid, make_client

PUBLIC = "https://93.184.216.34/hook"  # a literal public address: nothing is resolved or sent here


def _endpoint(scene: Scene, slug: str, kinds: tuple[str, ...] = EVENT_KINDS) -> int:
    with unit_of_work(scene.factory) as uow:
        return service.create_endpoint(uow, scene.p(slug, "admin"), url=PUBLIC, event_kinds=kinds).endpoint.id


def test_an_admin_manages_only_its_own_organizations_endpoints(factory: sessionmaker[Session]) -> None:
    scene = build_scene(factory)
    mine = _endpoint(scene, "supplier-a")
    scene.order(scene.customer(), supplier="supplier-a")
    deliveries.create_deliveries(factory, now=datetime.now(UTC))
    with factory() as session:
        delivery_ids = list(session.scalars(select(WebhookDelivery.id).order_by(WebhookDelivery.id)))
    assert delivery_ids  # order.created and order.routed: the supplier sees the order now
    delivery_id = delivery_ids[0]
    actions: dict[str, Callable[[Any, Any], object]] = {
        "update": lambda uow, p: service.update_endpoint(uow, p, mine, description="x"),
        "rotate": lambda uow, p: service.rotate_secret(uow, p, mine),
        "disable": lambda uow, p: service.update_endpoint(uow, p, mine, enabled=False),
        "delete": lambda uow, p: service.delete_endpoint(uow, p, mine),
        "test": lambda uow, p: service.send_test(uow, p, mine),
        "redeliver": lambda uow, p: service.redeliver(uow, p, delivery_id),
    }
    # Another organization's admin, the owner's admin, and the admin of a dealer group for its
    # branch: a foreign endpoint is a missing one.
    for slug in ("supplier-b", "owner", "dealer-group"):
        other = scene.p(slug, "admin")
        for name, act in actions.items():
            with unit_of_work(factory) as uow, pytest.raises(NotFound):
                act(uow, other)
            assert name
        with factory() as session:
            assert list_endpoints(session, other, EndpointQuery(organization_id=other.org_id)).items == []
            assert list_deliveries(session, other, DeliveryQuery(organization_id=other.org_id)).items == []
    # A member of the organization itself may not manage them at all.
    member = scene.p("supplier-a", "member")
    for act in actions.values():
        with unit_of_work(factory) as uow, pytest.raises(PermissionDenied):
            act(uow, member)
    with unit_of_work(factory) as uow, pytest.raises(PermissionDenied):
        service.create_endpoint(uow, member, url=PUBLIC, event_kinds=["order.routed"])
    admin = scene.p("supplier-a", "admin")
    with factory() as session:
        assert [
            r.id for r in list_endpoints(session, admin, EndpointQuery(organization_id=admin.org_id)).items
        ] == [mine]
        own = list_deliveries(session, admin, DeliveryQuery(organization_id=admin.org_id)).items
        assert sorted(r.id for r in own) == delivery_ids
    with unit_of_work(factory) as uow:  # and the admin itself may
        service.rotate_secret(uow, admin, mine)


def test_no_delivery_about_an_object_the_organization_cannot_see(factory: sessionmaker[Session]) -> None:
    """Every organization subscribes to every kind; every delivery made is about an object its
    organization may see, and every payload is the state as that organization may see it."""
    scene = build_scene(factory)
    slugs = ["owner", "dealer-group", "dealer-branch", "dealer-other", "supplier-a", "supplier-b", "partner"]
    for slug in slugs:
        _endpoint(scene, slug)
    customer = scene.customer(shared_with=("dealer-branch", "partner"))
    order = scene.order(customer, by="owner", dealer="dealer-branch", supplier="supplier-a")
    scene.fulfil(order, "supplier-a")
    scene.order(scene.customer("Andere GmbH"), supplier="supplier-b")
    deliveries.create_deliveries(factory, now=datetime.now(UTC))
    with factory() as session:
        made = list(session.scalars(select(WebhookDelivery)))
        events = {e.id: e for e in session.scalars(select(Event))}
        assert len({d.organization_id for d in made}) >= 4  # owner, dealers, suppliers, partner got some
        for d in made:
            event = events[d.event_id]
            principal = service.organization_principal(session, d.organization_id)
            assert event.entity_id in visible_ids(session, principal, ENTITY_MODELS[event.entity]), (
                f"{event.kind} {event.entity} {event.entity_id} went to an organization that cannot see it"
            )
        by_org = {org: [d for d in made if d.organization_id == scene.orgs[org].id] for org in slugs}
        assert by_org["dealer-other"] == [] and not any(
            events[d.event_id].entity_id == order.id and events[d.event_id].entity == "order"
            for d in by_org["supplier-b"]
        )
    jobs = claims.claim_due(factory, now=datetime.now(UTC), limit=1000)
    import orjson

    with factory() as session:
        org_of = {d.id: d.organization_id for d in session.scalars(select(WebhookDelivery))}
    for job in jobs:
        body = orjson.loads(job.body)
        state = body["data"]["state"] or {}
        org = org_of[job.delivery_id]
        if body["data"]["entity"] == "order" and org == scene.orgs["supplier-a"].id:
            assert state["dealer_id"] is None  # the supplier never learns who sold the order
        if body["data"]["entity"] == "order" and org == scene.orgs["dealer-branch"].id:
            assert state["supplier_id"] is None  # nor the dealer who supplies it
        if (
            body["data"]["entity"] == "order"
            and body["data"]["id"] == order.id
            and org == scene.orgs["owner"].id
        ):
            assert state["supplier_id"] is not None and state["dealer_id"] is not None
    assert jobs


@pytest.fixture
def hooks_api(factory: sessionmaker[Session]) -> Any:
    scene = build_scene(factory)
    with make_client(factory) as client:
        yield Api(client, scene)


def _gql(api: Api, who: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    slug, role = who.split(":")
    token = api.token(slug, role)
    response = api.client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_graphql_shows_and_manages_only_the_callers_own_endpoints(hooks_api: Api) -> None:
    api = hooks_api
    created = _gql(
        api,
        "supplier-a:admin",
        "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) {"
        " endpoint { id url eventKinds enabled } secret userErrors { message } } }",
        {"i": {"url": PUBLIC, "eventKinds": ["order.routed"], "description": "ERP"}},
    )["data"]["createWebhookEndpoint"]
    assert created["userErrors"] == [], created
    assert created["secret"].startswith("whsec_")
    endpoint_id = created["endpoint"]["id"]
    listing = "{ webhookEndpoints { totalCount nodes { id url } } webhookDeliveries { totalCount } }"
    answer = _gql(api, "supplier-a:admin", listing)
    assert answer.get("data"), answer
    mine = answer["data"]["webhookEndpoints"]
    assert mine["nodes"] == [{"id": endpoint_id, "url": PUBLIC}]
    for other in ("supplier-b:admin", "owner:admin"):
        assert _gql(api, other, listing)["data"]["webhookEndpoints"] == {"totalCount": 0, "nodes": []}
        rotated = _gql(
            api,
            other,
            "mutation($i: WebhookEndpointInput!) {"
            " rotateWebhookSecret(input: $i) { secret userErrors { code } } }",
            {"i": {"endpoint": endpoint_id}},
        )["data"]["rotateWebhookSecret"]
        assert rotated == {"secret": None, "userErrors": [{"code": "NOT_FOUND"}]}
    denied = _gql(api, "supplier-a:member", listing)
    assert denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    refused = _gql(
        api,
        "supplier-a:member",
        "mutation($i: WebhookEndpointInput!) {"
        " deleteWebhookEndpoint(input: $i) { deletedId userErrors { code } } }",
        {"i": {"endpoint": endpoint_id}},
    )["data"]["deleteWebhookEndpoint"]
    assert refused == {"deletedId": None, "userErrors": [{"code": "PERMISSION_DENIED"}]}
    assert _gql(api, "supplier-a:admin", listing)["data"]["webhookEndpoints"]["totalCount"] == 1
    again = _gql(
        api,
        "supplier-b:admin",
        "mutation($i: RedeliverWebhookInput!) {"
        " redeliverWebhook(input: $i) { delivery { id } userErrors { code } } }",
        {"i": {"delivery": gid("WebhookDelivery", 1)}},
    )["data"]["redeliverWebhook"]
    assert again["userErrors"] == [{"code": "NOT_FOUND"}]


def test_web_pages_of_another_organizations_endpoint_are_missing(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    from portal.app import create_app
    from portal.config import Settings
    from tests.web.conftest import SECRET, WebWorld, add_users

    scene = build_scene(factory)
    users = add_users(factory, scene)
    world = WebWorld(
        scene, create_app(Settings(database_url=str(engine.url), secret_key=SECRET), engine=engine), users
    )
    theirs = _endpoint(scene, "supplier-a")
    other = world.client("supplier-b")
    assert other.get(f"/admin/webhooks/{theirs}").status_code == 404
    assert theirs and f"/admin/webhooks/{theirs}" not in other.get("/admin/webhooks").text
    assert world.client("owner").get(f"/admin/webhooks/{theirs}").status_code == 404
    assert world.client("partner").get("/admin/webhooks").status_code == 403  # a member
    page = world.client("supplier-a").get(f"/admin/webhooks/{theirs}")
    assert page.status_code == 200 and PUBLIC in page.text
