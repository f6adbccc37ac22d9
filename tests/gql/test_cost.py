"""The cost model cannot be fooled (issue #12.8): variables count with the values the operation runs
with (given, else the operation's default, else the schema's), plain lists with their real cap."""

from __future__ import annotations

from typing import Any

import pytest

from portal.gql import Limits
from portal.orders.limits import MAX_LINES_PER_ORDER
from tests.gql.conftest import Api, World, make_client


def cost(api: Api, query: str, variables: dict[str, Any] | None = None) -> int:
    body = api.post(query, variables).json()
    return int(body["extensions"]["cost"]["requested"])


def test_a_variable_default_is_charged_as_the_size_it_asks_for(api: Api) -> None:
    query = "query($n: Int = 100) { orders(first: $n) { nodes { number } } }"
    assert cost(api, query) == 1 + 100 * (1 + 1)
    assert cost(api, query, {"n": 5}) == 1 + 5 * (1 + 1)
    assert cost(api, query, {"n": None}) == 1 + 20 * (1 + 1)  # null: the server's page of 20


def test_a_defaulted_variable_is_refused_when_too_costly(api: Api) -> None:
    with make_client(api.scene.factory, limits=Limits(max_cost=1_000)) as client:
        cheap_looking = "query($n: Int = 100) { orders(first: $n) { nodes { number lines { sku } } } }"
        response = Api(client, api.scene, api.tokens).post(cheap_looking)
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert body["extensions"]["cost"]["requested"] == 1 + 100 * (1 + 1 + (1 + MAX_LINES_PER_ORDER))


@pytest.mark.parametrize("owner", ["Order", "Shipment", "Invoice"])
def test_line_lists_count_with_the_cap_of_lines_per_order(api: Api, owner: str) -> None:
    field = {"Order": "orders", "Shipment": "shipments", "Invoice": "invoices"}[owner]
    query = f"{{ {field}(first: 2) {{ nodes {{ lines {{ quantity: __typename }} }} }} }}"
    assert cost(api, query) == 1 + 2 * (1 + (1 + MAX_LINES_PER_ORDER * 1))


def test_a_list_argument_default_of_the_schema_counts(api: Api) -> None:
    # Customer.history(first: Int = 50), users(first: Int = 100)
    assert cost(api, "{ customers(first: 1) { nodes { history { title } } } }") == 1 + 1 * (1 + (1 + 50 * 1))
    assert cost(api, "{ users { email } }") == 1 + 100 * 1
    assert cost(api, 'query($ids: [ID!]! = ["a", "b", "c"]) { nodes(ids: $ids) { id } }') == 1 + 3


def test_the_change_feed_counts_its_page_once(api: Api) -> None:
    assert cost(api, "{ changes(first: 30) { changes { entityId } endCursor } }") == 1 + 30 * (1 + 1 + 1)


def test_every_list_of_children_has_a_cap_the_cost_counts(world: World) -> None:
    query = "{ customers(first: 2) { nodes { contacts { id } assignments(first: 3) { createdAt } } } }"
    assert cost(world.api, query) == 1 + 2 * (1 + (1 + 500 * 1) + (1 + 3 * 1))
    assert cost(world.api, "{ cases(first: 1) { nodes { comments { body } } } }") == 1 + 1 * (1 + 1 + 500)
    data = world.api.ok("{ customers(first: 5) { nodes { contacts(first: 0) { id } } } }")
    assert data["customers"]["nodes"] and all(n["contacts"] == [] for n in data["customers"]["nodes"])
    [error] = world.api.errors("{ cases(first: 1) { nodes { comments(first: 501) { body } } } }")
    assert error["extensions"]["code"] == "INVALID_INPUT" and error["message"].startswith("first: ")


def test_an_orders_versions_count_with_their_cap_and_each_version_with_its_lines(api: Api) -> None:
    from portal.orders.limits import MAX_VERSIONS_PER_ORDER

    query = "{ orders(first: 1) { nodes { versions { number lines { sku } changes { lineNo } } } } }"
    per_version = 1 + (1 + MAX_LINES_PER_ORDER) + (1 + MAX_LINES_PER_ORDER)
    assert cost(api, query) == 1 + 1 * (1 + (1 + MAX_VERSIONS_PER_ORDER * per_version))
    schedule = "{ orders(first: 1) { nodes { lines { schedule { quantity } } } } }"
    assert cost(api, schedule) == 1 + 1 * (1 + (1 + MAX_LINES_PER_ORDER * (1 + 12 * 1)))
