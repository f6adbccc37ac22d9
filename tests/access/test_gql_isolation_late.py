"""The API's late-orders filter as principals of two unrelated organizations (a world of its own:
the orders must be late, and test_gql_isolation's shared world only holds fulfilled ones)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from portal.models import OrderLine
from tests.access.test_gql_isolation import PAIRS
from tests.builders import build_scene
from tests.gql.conftest import Api, gid, make_client


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_the_late_orders_filter_shows_nothing_of_the_other_organization(
    factory: sessionmaker[Session], a: str, b: str
) -> None:
    scene = build_scene(factory)
    late: dict[str, int] = {}
    for dealer, supplier in (("dealer-group", "supplier-a"), ("dealer-other", "supplier-b")):
        customer = scene.customer(f"Spät {dealer}", shared_with=(dealer,))
        order = scene.order(customer, dealer=dealer, supplier=supplier)
        late[dealer] = late[supplier] = order.id
    with scene.uow() as uow:
        uow.session.execute(update(OrderLine).values(requested_date=date(2026, 3, 1)))
    query = '{ orders(filter: {lateOn: "2026-03-04"}) { nodes { id } } }'
    with make_client(factory) as client:
        seen = Api(client, scene).ok(query, as_=a)["orders"]["nodes"]
    assert seen == [{"id": gid("Order", late[a])}]
    assert late[b] != late[a]
