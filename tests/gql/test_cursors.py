"""Every connection refuses a cursor that is not its own (another list's, the change feed's, one of
another sort, one with a value of the wrong type, a malformed one) with an INVALID_INPUT error
naming the argument, never an internal error; and the change feed refuses a list's cursor."""

from __future__ import annotations

from typing import Any

import pytest

from portal.activities.queries import ACTIVITIES
from portal.campaigns.queries import CAMPAIGNS
from portal.cases.queries import CASES
from portal.customers.queries import CONTACTS, CUSTOMERS
from portal.deals.queries import DEALS
from portal.exchange.ledger import RECORDS, RecordSort
from portal.gql.schema import build_schema
from portal.leads.queries import LEADS
from portal.notify.queries import NOTIFICATIONS
from portal.opportunities.queries import OPPORTUNITIES
from portal.orders.queries import INVOICES, ORDERS, SHIPMENTS, OrderSort
from portal.partners.queries import ORGANIZATIONS, PRODUCTS
from portal.reading import Keyset
from portal.tasks.queries import TASKS
from tests.cursors import bad, good
from tests.gql.conftest import World


@pytest.fixture
def world(shared_world: World) -> World:
    """Every test here only reads: one world for the module."""
    return shared_world


KEYSETS: dict[str, Keyset[Any]] = {
    "orders": ORDERS,
    "shipments": SHIPMENTS,
    "invoices": INVOICES,
    "cases": CASES,
    "customers": CUSTOMERS,
    "contacts": CONTACTS,
    "activities": ACTIVITIES,
    "products": PRODUCTS,
    "organizations": ORGANIZATIONS,
    "exchangeRecords": RECORDS,
    "notifications": NOTIFICATIONS,
    "tasks": TASKS,
    "opportunities": OPPORTUNITIES,
    "dealRegistrations": DEALS,
    "leads": LEADS,
    "campaigns": CAMPAIGNS,
}


def test_every_connection_is_checked() -> None:
    query = build_schema()._schema.query_type
    assert query is not None
    connections = {name for name, f in query.fields.items() if str(f.type).rstrip("!").endswith("Connection")}
    # Admin-only connections of one's own organization (the owner's sales token here may not read
    # them): their foreign-cursor refusals come from the same Keyset machinery.
    assert connections == set(KEYSETS) | {"webhookEndpoints", "webhookDeliveries"}


@pytest.mark.parametrize("field", sorted(KEYSETS))
def test_a_connection_refuses_every_cursor_that_is_not_its_own(world: World, field: str) -> None:
    keyset = KEYSETS[field]
    sorts = [RecordSort.CREATED_AT] if field == "exchangeRecords" else list(keyset.sorts)
    for sort in sorts:
        order_by = "" if field == "exchangeRecords" else f", orderBy: {{field: {sort.name}, direction: ASC}}"
        for argument in ("after", "before"):
            query = (
                f"query($c: String) {{ {field}({argument}: $c{order_by}) {{ pageInfo {{ hasNextPage }} }} }}"
            )
            world.api.ok(query, {"c": good(keyset, sort)})  # a cursor of this list and sort is taken
            for why, cursor in bad(keyset, sort).items():
                [error] = world.api.errors(query, {"c": cursor})
                assert error["extensions"]["code"] == "INVALID_INPUT", (field, sort, why, argument, error)
                assert error["message"].startswith(f"{argument}: "), error


CHANGES = "query($after: String) { changes(after: $after) { endCursor } }"


def test_the_change_feed_refuses_a_lists_cursor_and_takes_its_own_and_the_old_ones(world: World) -> None:
    orders = world.api.ok("{ orders(first: 1) { pageInfo { endCursor } } }")["orders"]["pageInfo"]
    [error] = world.api.errors(CHANGES, {"after": orders["endCursor"]})
    assert error["extensions"]["code"] == "INVALID_INPUT" and "another list (order)" in error["message"]
    own = world.api.feed(CHANGES)["changes"]["endCursor"]
    assert world.api.ok(CHANGES, {"after": own})["changes"]["endCursor"] == own
    legacy = bad(ORDERS, OrderSort.CREATED_AT)["legacy"]  # Cursor:1, as cursors were before
    assert world.api.ok(CHANGES, {"after": legacy})["changes"]["endCursor"]
    [error] = world.api.errors("query($c: String) { orders(after: $c) { nodes { id } } }", {"c": own})
    assert "another list (change)" in error["message"]
