"""Every web list refuses a cursor that is not its own (another list's, the change feed's, one of
another sort, one with a value of the wrong type, a malformed one) with 400, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from portal.activities.queries import ACTIVITIES
from portal.campaigns.queries import CAMPAIGNS
from portal.cases.queries import CASES
from portal.customers.queries import CONTACTS, CUSTOMERS
from portal.deals.queries import DEALS
from portal.exchange.ledger import RECORDS
from portal.leads.queries import LEADS
from portal.opportunities.queries import OPPORTUNITIES
from portal.orders.queries import INVOICES, ORDERS, SHIPMENTS
from portal.partners.queries import USERS, UserSort
from portal.reading import Keyset
from portal.tasks.queries import TASKS
from portal.web.views.lists import SPECS
from tests.cursors import bad, good
from tests.web.conftest import WebWorld

KEYSETS: dict[str, Keyset[Any]] = {
    "orders": ORDERS,
    "shipments": SHIPMENTS,
    "invoices": INVOICES,
    "cases": CASES,
    "customers": CUSTOMERS,
    "contacts": CONTACTS,
    "activities": ACTIVITIES,
    "exchange": RECORDS,
    "tasks": TASKS,
    "opportunities": OPPORTUNITIES,
    "deals": DEALS,
    "leads": LEADS,
    "campaigns": CAMPAIGNS,
}


def test_every_list_is_checked() -> None:
    assert set(KEYSETS) == set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_list_refuses_every_cursor_that_is_not_its_own(world: WebWorld, name: str) -> None:
    spec = SPECS[name]
    keyset = KEYSETS[name]
    client = world.client("owner")
    for sort in spec.sorts:
        # The same request with a cursor of this list is fine: what is refused is the cursor.
        ok = client.get(f"/{name}", params={"sort": sort, "after": good(keyset, sort)})
        assert ok.status_code == 200, (sort, ok.text[:300])
        for why, cursor in bad(keyset, sort).items():
            for argument in ("after", "before"):
                response = client.get(f"/{name}", params={"sort": sort, argument: cursor})
                assert response.status_code == 400, (name, sort, why, argument)


def test_the_users_page_refuses_a_foreign_cursor(world: WebWorld) -> None:
    client = world.client("owner")
    assert client.get("/admin/users", params={"after": good(USERS, UserSort.NAME)}).status_code == 200
    for why, cursor in bad(USERS, UserSort.NAME).items():
        assert client.get("/admin/users", params={"after": cursor}).status_code == 400, why


def test_an_orders_shipments_and_invoices_refuse_a_foreign_cursor(world: WebWorld) -> None:
    s = world.scene
    order = s.order(s.customer(), supplier="supplier-a")
    client = world.client("owner")
    for argument, keyset in (("shipments", SHIPMENTS), ("invoices", INVOICES)):
        sort = next(iter(keyset.sorts))
        assert client.get(f"/orders/{order.id}", params={argument: good(keyset, sort)}).status_code == 200
        for why, cursor in bad(keyset, sort).items():
            response = client.get(f"/orders/{order.id}", params={argument: cursor})
            assert response.status_code == 400, (argument, why)
