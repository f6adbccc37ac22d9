"""The inbox in the API: the notifications connection, markNotificationsRead, the subscription."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from portal.app import create_app
from portal.config import Settings
from portal.gql.ids import encode_id
from portal.models import Notification
from portal.notify.notifier import notify_once
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users


@pytest.fixture
def web(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    """The whole app (portal and /graphql) with users who log in: an inbox is a user's."""
    scene = build_scene(factory)
    users = add_users(factory, scene)
    app = create_app(Settings(database_url=str(engine.url), secret_key=SECRET), engine=engine)
    return WebWorld(scene, app, users)


LIST = """query($filter: NotificationFilter) { unreadNotifications
  notifications(first: 10, filter: $filter) { edges { node { id kind read link subjectId
    title titleDe: title(language: "de") } } } }"""
MARK = """mutation($ids: [ID!], $all: Boolean! = false) { markNotificationsRead(ids: $ids, all: $all) {
  marked userErrors { field message } } }"""


def gql(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


def test_connection_titles_links_and_mark_read(web: WebWorld) -> None:
    customer = web.scene.customer()
    first = web.scene.order(customer, supplier="supplier-a")
    second = web.scene.order(customer, supplier="supplier-a")
    notify_once(web.scene.factory)
    client = web.client("supplier-a")
    data = gql(client, LIST)
    assert data["unreadNotifications"] == 2
    nodes = [e["node"] for e in data["notifications"]["edges"]]
    assert [n["link"] for n in nodes] == [f"/orders/{second.id}", f"/orders/{first.id}"]
    assert nodes[0]["kind"] == "ORDER_ROUTED" and nodes[0]["read"] is False
    assert nodes[0]["subjectId"] == encode_id("Order", second.id)
    assert "was routed to you" in nodes[0]["title"] and "weitergeleitet" in nodes[0]["titleDe"]
    marked = gql(client, MARK, {"ids": [nodes[1]["id"]]})["markNotificationsRead"]
    assert marked == {"marked": 1, "userErrors": []}
    unread = gql(client, LIST, {"filter": {"unread": True}})
    assert unread["unreadNotifications"] == 1
    assert [e["node"]["id"] for e in unread["notifications"]["edges"]] == [nodes[0]["id"]]
    assert gql(client, MARK, {"all": True})["markNotificationsRead"]["marked"] == 1
    assert gql(client, LIST)["unreadNotifications"] == 0
    refused = gql(client, MARK, {"ids": [nodes[0]["id"]], "all": True})["markNotificationsRead"]
    assert refused["userErrors"] and refused["marked"] == 0


def test_others_see_and_mark_nothing(web: WebWorld) -> None:
    web.scene.order(web.scene.customer(), supplier="supplier-a")
    notify_once(web.scene.factory)
    with web.scene.factory() as session:
        ident = session.scalars(select(Notification.id)).one()
    gid = encode_id("Notification", ident)
    for who in ("supplier-b", "owner"):
        client = web.client(who)
        data = gql(client, LIST)
        assert data["unreadNotifications"] == 0 and data["notifications"]["edges"] == []
        assert gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": gid})["node"] is None
        assert gql(client, MARK, {"ids": [gid]})["markNotificationsRead"]["marked"] == 0
    mine = gql(web.client("supplier-a"), "query($id: ID!) { node(id: $id) { id } }", {"id": gid})
    assert mine["node"] == {"id": gid}
    assert gql(web.client("supplier-a"), LIST)["unreadNotifications"] == 1


def test_subscription_streams_new_notifications_of_the_caller_only(web: WebWorld) -> None:
    customer = web.scene.customer()
    client = web.client("supplier-a")
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "subscription { notifications { kind link } }"},
            }
        )
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
        web.scene.order(customer, supplier="supplier-b")  # someone else's
        mine = web.scene.order(customer, supplier="supplier-a")
        notify_once(web.scene.factory)
        message = ws.receive_json()
        assert message["type"] == "next", message
        assert message["payload"]["data"]["notifications"] == {
            "kind": "ORDER_ROUTED",
            "link": f"/orders/{mine.id}",
        }
        ws.send_json({"id": "1", "type": "complete"})
