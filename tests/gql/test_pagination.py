from __future__ import annotations

from tests.gql.conftest import Api
from tests.gql.test_queries import ORDER_PAGE


def test_orders_paginate_forward_and_backward_with_keyset_cursors(api: Api) -> None:
    s = api.scene
    customer = s.customer()
    numbers = [s.order(customer, supplier="supplier-a").number for _ in range(5)]
    order_by = {"field": "NUMBER", "direction": "ASC"}
    first = api.ok(ORDER_PAGE, {"first": 2, "orderBy": order_by})["orders"]
    assert [e["node"]["number"] for e in first["edges"]] == numbers[:2]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    second = api.ok(ORDER_PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"], "orderBy": order_by})[
        "orders"
    ]
    assert [e["node"]["number"] for e in second["edges"]] == numbers[2:4]
    back = api.ok(ORDER_PAGE, {"last": 2, "before": second["pageInfo"]["startCursor"], "orderBy": order_by})[
        "orders"
    ]
    assert [e["node"]["number"] for e in back["edges"]] == numbers[:2]
    assert back["pageInfo"]["hasNextPage"]
    tail = api.ok(ORDER_PAGE, {"last": 1, "orderBy": {"field": "NUMBER", "direction": "DESC"}})["orders"]
    assert [e["node"]["number"] for e in tail["edges"]] == numbers[:1]
