from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from portal.gql import Limits
from portal.gql.limits import RateBudget
from portal.models import Case
from tests.gql.conftest import Api, World, make_client


def deep(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"parent {{ {inner} }}"
    return f"{{ viewer {{ organization {{ {inner} }} }} }}"


def test_too_deep_query_is_refused_with_a_code(api: Api) -> None:
    [error] = api.errors(deep(15))
    assert error["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert "exceeds maximum operation depth" in error["message"]


def test_too_many_tokens_are_refused_before_parsing_finishes(api: Api) -> None:
    query = "{ " + " ".join("__typename" for _ in range(3000)) + " }"
    [error] = api.errors(query)
    assert error["extensions"]["code"] == "TOO_MANY_TOKENS"


def test_too_many_aliases_are_refused(api: Api) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    [error] = api.errors(query)
    assert error["extensions"]["code"] == "TOO_MANY_ALIASES"


def test_cost_is_reported_and_costly_queries_are_refused_before_execution(
    api: Api, statement_counter: list[str]
) -> None:
    body = api.post("{ orders(first: 10) { nodes { number lines { sku } } } }").json()
    # orders: 1 + first x (nodes 1 + number 1 + lines (1 + 500 x sku 1)): an order holds up to 500 lines
    assert body["extensions"]["cost"] == {"requested": 1 + 10 * (1 + 1 + (1 + 500 * 1)), "limit": 400_000}
    api.token("owner")
    statement_counter.clear()
    nested = "shipments { lines { quantity } order { shipments { lines { quantity } } } }"
    costly = f"{{ orders(first: 100) {{ nodes {{ {nested} }} }} }}"
    response = api.post(costly)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert response.json()["extensions"]["cost"]["requested"] > 400_000
    assert not any("FROM orders" in s for s in statement_counter)


def test_resolver_failures_are_masked_while_validation_errors_stay_readable(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: object) -> object:
        raise RuntimeError("secret database detail")

    monkeypatch.setattr("portal.gql.orders.types.Order.delivery_party", broken, raising=False)
    masked = world.api.post("{ orders { nodes { number } } __typename }").json()
    assert "errors" not in masked
    from portal.gql.orders import types as t

    monkeypatch.setattr(t, "_effective_quantity", broken)
    body = world.api.post("{ orders(first: 1) { nodes { number lines { netAmount } } } }").json()
    error = body["errors"][0]
    assert {e["message"] for e in body["errors"]} == {"Internal server error."}
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in json.dumps(body)
    assert "secret database detail" in caplog.text
    [readable] = world.api.errors("{ orders { nodes { numbr } } }")
    assert readable["message"] == "Cannot query field 'numbr' on type 'Order'."
    assert readable["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_field_suggestions_only_when_introspection_is_on(api: Api) -> None:
    [hidden] = api.errors("{ orders { nodes { numbr } } }")
    assert "Did you mean" not in hidden["message"]
    with make_client(api.scene.factory, introspection=True) as client:
        headers = {"Authorization": f"Bearer {api.token('owner')}"}
        body = client.post(
            "/graphql", json={"query": "{ orders { nodes { numbr } } }"}, headers=headers
        ).json()
        assert "Did you mean 'number'?" in body["errors"][0]["message"]
        schema = client.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=headers
        ).json()
        assert schema["data"] == {"__schema": {"queryType": {"name": "Query"}}}


def test_introspection_is_refused_when_off(api: Api) -> None:
    errors = api.errors("{ __schema { types { name } } }")
    assert {error["extensions"]["code"] for error in errors} == {"INTROSPECTION_DISABLED"}


def test_graphiql_is_served_in_the_demo_only(api: Api) -> None:
    assert api.client.get("/graphql", headers={"Accept": "text/html"}).status_code == 405
    with make_client(api.scene.factory, demo=True) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        assert client.get("/graphql?query={__typename}").status_code == 405  # operations need POST


def test_oversized_body_is_refused_with_413_and_nothing_runs(api: Api) -> None:
    query = "{ __typename }" + " " * 300_000
    response = api.post(query)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_malformed_json_and_syntax_errors_get_codes(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.token('owner')}", "Content-Type": "application/json"}
    response = api.client.post("/graphql", content=b"{not json", headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    [error] = api.errors("{ orders { ")
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert api.ok("{ __typename }") == {"__typename": "Query"}  # the server stays up


def test_rate_budget_answers_429_with_retry_after(api: Api) -> None:
    with make_client(api.scene.factory, limits=Limits(rate_capacity=2, rate_per_second=0.01)) as client:
        headers = {"Authorization": f"Bearer {api.token('owner')}"}
        codes = [
            client.post("/graphql", json={"query": "{ __typename }"}, headers=headers).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        refused = client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["Retry-After"]) >= 1


def test_rate_budget_refills_over_time() -> None:
    budget = RateBudget(capacity=1, per_second=2)
    assert budget.take("t", now=0.0) == 0
    assert budget.take("t", now=0.1) > 0
    assert budget.take("t", now=0.6) == 0


def test_in_flight_cap_queues_and_then_refuses(api: Api) -> None:
    import asyncio

    from starlette.responses import Response

    from portal.config import Settings
    from portal.gql.endpoint import GraphQLEndpoint

    endpoint = GraphQLEndpoint(
        Settings(), api.scene.factory, Limits(max_in_flight=1, max_queued=1, queue_timeout=5)
    )
    order: list[str] = []

    async def scenario() -> list[int]:
        release = asyncio.Event()

        async def slow() -> Response:
            order.append("slow")
            await release.wait()
            return Response(status_code=200)

        async def fast() -> Response:
            order.append("fast")
            return Response(status_code=200)

        first = asyncio.create_task(endpoint._in_slot(slow))
        await asyncio.sleep(0)  # let it take the slot
        second = asyncio.create_task(endpoint._in_slot(fast))
        await asyncio.sleep(0)  # queued behind the first
        third = await endpoint._in_slot(fast)  # the queue is full
        release.set()
        return [third.status_code, (await first).status_code, (await second).status_code]

    assert asyncio.run(scenario()) == [503, 200, 200]
    assert order == ["slow", "fast"]


def test_only_graphql_transport_ws_is_offered(api: Api) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect),
        api.client.websocket_connect("/graphql", subprotocols=["graphql-ws"]),
    ):
        pass


def test_failed_operation_leaves_no_case_behind(api: Api) -> None:
    before = api.scene.factory().scalar(select(func.count()).select_from(Case))
    api.ok('mutation { createCase(input: {subject: ""}) { userErrors { field } } }', as_="partner")
    with api.scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == before


def test_get_requests_are_not_operations(api: Api) -> None:
    client: TestClient = api.client
    response = client.get(
        "/graphql?query={__typename}", headers={"Authorization": f"Bearer {api.token('owner')}"}
    )
    assert response.status_code == 405
