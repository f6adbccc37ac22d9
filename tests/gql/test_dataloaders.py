from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from portal.seed import DEMO_TOKENS, seed_demo
from tests.gql.conftest import make_client

PAGE = """query($first: Int!) { orders(first: $first) { edges { node {
    number status total customer { name } deliveryParty { name }
    lines { lineNo quantityOrdered quantityConfirmed quantityShipped quantityInvoiced }
    shipments { number lines { quantity } } } } } }"""


@pytest.fixture
def demo_client(engine: Engine, factory: sessionmaker[Session]) -> Iterator[TestClient]:
    seed_demo(engine, scale=0.05)
    with make_client(factory) as client:
        yield client


def statements_for(client: TestClient, statements: list[str], first: int, token: str) -> int:
    statements.clear()
    response = client.post(
        "/graphql",
        json={"query": PAGE, "variables": {"first": first}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    assert len(body["data"]["orders"]["edges"]) == first
    return len(statements)


def test_statements_per_page_are_a_small_constant_independent_of_page_size(
    demo_client: TestClient, statement_counter: list[str]
) -> None:
    owner = DEMO_TOKENS["waermewerk"]
    statements_for(demo_client, statement_counter, 1, owner)  # records the token's last use (an UPDATE)
    small = statements_for(demo_client, statement_counter, 10, owner)
    large = statements_for(demo_client, statement_counter, 50, owner)
    assert small == large
    # authentication (token, organization, descendants) + orders, lines, customers, shipments and
    # shipment lines: one statement each, whatever the page size
    assert large <= 12, statement_counter
    supplier = DEMO_TOKENS["nordtec"]
    statements_for(demo_client, statement_counter, 1, supplier)
    assert statements_for(demo_client, statement_counter, 50, supplier) <= large
