from __future__ import annotations

import time
from typing import Any

from starlette.testclient import WebSocketTestSession

from portal.customers import service as customers
from portal.orders import service as orders
from tests.builders import Scene
from tests.changefeed import settle
from tests.gql.conftest import Api, World, gid

CHANGES = """query($after: String, $first: Int!, $entities: [String!]) {
  changes(after: $after, first: $first, entities: $entities) {
    endCursor hasMore changes { cursor kind entity entityId operation state } } }"""


def feed(
    api: Api, as_: str, after: str | None = None, first: int = 100, entities: list[str] | None = None
) -> dict[str, Any]:
    data = api.feed(CHANGES, {"after": after, "first": first, "entities": entities}, as_=as_)
    return dict(data["changes"])


def test_supplier_feed_holds_only_its_order_with_current_state(world: World) -> None:
    page = feed(world.api, "supplier-a")
    entities = {(c["entity"], c["entityId"]) for c in page["changes"]}
    assert entities == {("order", world.gid("Order", "order_a"))}
    last = page["changes"][-1]
    assert last["operation"] == "UPSERT"
    assert last["state"]["status"] == "awaiting_confirmation"
    assert "customer_id" not in last["state"]


def test_feed_resumes_after_the_cursor_and_pages(world: World) -> None:
    page = feed(world.api, "owner", first=2)
    assert len(page["changes"]) == 2 and page["hasMore"]
    rest = feed(world.api, "owner", after=page["endCursor"])
    assert not rest["hasMore"]
    cursors = [c["cursor"] for c in page["changes"] + rest["changes"]]
    assert len(cursors) == len(set(cursors))
    everything = feed(world.api, "owner")
    assert [c["cursor"] for c in everything["changes"]] == cursors
    assert feed(world.api, "owner", after=everything["endCursor"])["changes"] == []


def test_unshared_customer_appears_as_a_removal_without_state(world: World) -> None:
    s = world.api.scene
    start = feed(world.api, "dealer-group", entities=["customer"])
    assert {c["operation"] for c in start["changes"]} == {"UPSERT"}
    with s.uow() as uow:
        customers.unshare_customer(
            uow=uow,
            principal=s.p("owner"),
            customer_id=world.ids["shared"],
            organization_id=s.orgs["dealer-group"].id,
        )
    later = feed(world.api, "dealer-group", after=start["endCursor"], entities=["customer"])
    assert [(c["kind"], c["operation"], c["state"]) for c in later["changes"]] == [
        ("customer.unshared", "REMOVE", None)
    ]
    replay = feed(world.api, "dealer-group", entities=["customer"])
    assert all(c["operation"] == "REMOVE" for c in replay["changes"])


def test_rerouted_order_is_removed_for_the_former_supplier_and_never_shown_to_others(api: Api) -> None:
    s = api.scene
    order = s.order(s.customer(), supplier="supplier-a")
    with s.uow() as uow:
        orders.route_order(
            uow=uow, principal=s.p("owner"), order_id=order.id, supplier_id=s.orgs["supplier-b"].id
        )
    former = feed(api, "supplier-a")
    assert [(c["kind"], c["operation"]) for c in former["changes"]] == [("order.routed", "REMOVE")]
    assert feed(api, "dealer-other")["changes"] == []


def test_feed_refuses_unknown_entities_and_bad_cursors(world: World) -> None:
    [error] = world.api.errors(CHANGES, {"first": 10, "entities": ["user"]})
    assert error["extensions"]["code"] == "INVALID_INPUT"
    [error] = world.api.errors(CHANGES, {"first": 10, "after": gid("Order", 1)})
    assert error["extensions"]["code"] == "INVALID_INPUT"


# --- subscriptions -------------------------------------------------------------------------------


def subscribe(ws: WebSocketTestSession, token: str, query: str, variables: dict[str, Any]) -> None:
    ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})


def handled(ws: WebSocketTestSession) -> None:
    """Messages of a connection are handled in order: a pong means the subscribe before it was."""
    ws.send_json({"type": "ping"})
    assert ws.receive_json()["type"] == "pong"


def current_cursor(api: Api, as_: str) -> str:
    return str(feed(api, as_)["endCursor"])


ORDER_EVENTS = (
    "subscription($after: String) { orderEvents(after: $after) { kind entity entityId operation state } }"
)
CASE_EVENTS = "subscription($after: String) { caseEvents(after: $after) { kind entityId operation } }"


def test_order_events_stream_the_suppliers_changes_only(world: World) -> None:
    api, s = world.api, world.api.scene
    after = current_cursor(api, "owner")
    foreign = s.order(s.customer("Fremd KG"), supplier="supplier-b")  # supplier-a must never see this
    answered = [orders.LineAnswer(line_no=1, action=orders.LineResponse.ACCEPTED)]
    with s.uow() as uow:
        orders.respond_to_order(
            uow=uow, principal=s.p("supplier-a"), order_id=world.ids["order_a"], answers=answered
        )
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, api.token("supplier-a"), ORDER_EVENTS, {"after": after})
        message = ws.receive_json()
        assert message["type"] == "next"
        event = message["payload"]["data"]["orderEvents"]
        assert event["kind"] == "order.confirmed"
        assert event["entityId"] == world.gid("Order", "order_a")
        assert event["state"]["status"] == "partially_confirmed"
        ws.send_json({"id": "1", "type": "complete"})
    assert foreign.id != world.ids["order_a"]


def test_case_events_follow_routing(world: World) -> None:
    from portal.cases import service as cases

    api, s = world.api, world.api.scene
    after = current_cursor(api, "owner")
    with s.uow() as uow:
        cases.open_case(uow=uow, principal=s.p("owner"), subject="nur intern")
        cases.add_comment(uow=uow, principal=s.p("owner"), case_id=world.ids["case"], body="Bitte prüfen")
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, api.token("partner"), CASE_EVENTS, {"after": after})
        event = ws.receive_json()["payload"]["data"]["caseEvents"]
        assert event == {
            "kind": "case.commented",
            "entityId": world.gid("Case", "case"),
            "operation": "UPSERT",
        }


def test_subscription_without_valid_token_is_rejected(api: Api) -> None:
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"authorization": "Bearer ptk_wrong"}})
        message = ws.receive()
        assert message["type"] == "websocket.close"
        assert message["code"] == 4403


def test_open_subscriptions_hold_no_database_connection_between_polls(world: World) -> None:
    """Each connection authenticates at connection_init and each subscription polls: once their
    first event arrived, none of them keeps a connection checked out of the pool."""
    from contextlib import ExitStack

    api, s = world.api, world.api.scene
    after = current_cursor(api, "owner")
    with s.uow() as uow:
        orders.respond_to_order(
            uow=uow,
            principal=s.p("supplier-a"),
            order_id=world.ids["order_a"],
            answers=[orders.LineAnswer(line_no=1, action=orders.LineResponse.ACCEPTED)],
        )
    pool = s.factory.kw["bind"].pool
    with ExitStack() as stack:
        for _ in range(6):
            ws = stack.enter_context(
                api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
            )
            subscribe(ws, api.token("supplier-a"), ORDER_EVENTS, {"after": after})
            assert ws.receive_json()["type"] == "next"
        # A poll may be under way at any moment (every 50 ms here); between polls none is out.
        # A connection kept per WebSocket would keep six out for good.
        deadline = time.monotonic() + 5
        while pool.checkedout() > 0:
            assert time.monotonic() < deadline, pool.checkedout()
            time.sleep(0.005)  # polling for a state, with a deadline


def test_queries_over_websocket_are_refused_with_a_reason(api: Api) -> None:
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, api.token("supplier-a"), "{ orders(first: 1) { totalCount } }", {})
        message = ws.receive_json()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "POST" in message["payload"][0]["message"]


def test_subscriptions_per_token_are_capped_across_connections(scene: Scene) -> None:
    from contextlib import ExitStack

    from portal.gql import Limits
    from tests.gql.conftest import make_client

    with make_client(
        scene.factory, limits=Limits(poll_interval=0.05, max_subscriptions_per_token=3)
    ) as client:
        api = Api(client, scene)
        with ExitStack() as stack:
            for i in range(4):
                ws = stack.enter_context(
                    client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
                )
                subscribe(ws, api.token("supplier-a"), ORDER_EVENTS, {})
                if i < 3:
                    handled(ws)
                else:
                    ws.send_json({"type": "ping"})  # without a refusal, the pong would come first
                    message = ws.receive_json()
                    assert message["type"] == "error", message
                    assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
                    assert "at most 3 subscriptions per token" in message["payload"][0]["message"]


def test_changes_of_a_principal_with_little_data_scan_only_what_they_return(
    api: Api, statement_counter: list[str]
) -> None:
    """Twenty aliases of ``changes(first: 1, after: <old cursor>)`` over 1,500 events the partner
    may not see: a handful of statements each, not one per chunk of 100 events."""
    from portal.cases import service as cases
    from portal.models import Event

    s = api.scene
    after = current_cursor(api, "owner")
    with s.uow() as uow:
        internal = cases.open_case(uow=uow, principal=s.p("owner"), subject="nur intern")
        uow.session.add_all(
            Event(kind="case.commented", entity="case", entity_id=internal.id, payload={})
            for _ in range(1500)
        )
    aliases = " ".join(
        f'c{i}: changes(first: 1, after: "{after}") {{ endCursor hasMore }}' for i in range(20)
    )
    settle(s.factory)
    statement_counter.clear()
    data = api.ok(f"{{ {aliases} }}", as_="partner")
    assert all(page["hasMore"] is False for page in data.values())
    assert len({page["endCursor"] for page in data.values()}) == 1
    assert len(statement_counter) < 100, len(statement_counter)


def test_connections_per_process_are_capped_with_a_retry_later_close(scene: Scene) -> None:
    from contextlib import ExitStack

    from portal.gql import Limits
    from tests.gql.conftest import make_client

    with make_client(scene.factory, limits=Limits(max_ws_connections=2)) as client, ExitStack() as stack:
        for _ in range(2):
            stack.enter_context(client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]))
        ws = stack.enter_context(client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]))
        message = ws.receive()
    assert message["type"] == "websocket.close"
    assert message["code"] == 1013
    assert "retry later" in message["reason"]


def test_subscriptions_per_process_are_capped(scene: Scene) -> None:
    from contextlib import ExitStack

    from portal.gql import Limits
    from tests.gql.conftest import make_client

    with make_client(scene.factory, limits=Limits(poll_interval=0.05, max_subscriptions=2)) as client:
        api = Api(client, scene)
        with ExitStack() as stack:
            for i, slug in enumerate(("supplier-a", "supplier-b", "partner")):
                ws = stack.enter_context(
                    client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
                )
                subscribe(ws, api.token(slug), ORDER_EVENTS, {})
                if i < 2:
                    handled(ws)
                else:
                    ws.send_json({"type": "ping"})  # without a refusal, the pong would come first
                    message = ws.receive_json()
                    assert message["type"] == "error", message
                    assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
                    assert "retry later" in message["payload"][0]["message"]
