from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from portal.models import OrderLine
from tests.gql.conftest import World, gid


@pytest.fixture
def world(shared_world: World) -> World:
    """Every test here only reads: one world for the module."""
    return shared_world


ORDER_PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: OrderFilter, $orderBy: OrderOrder) {
  orders(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number } }
  }
}
"""


def test_viewer_names_the_token_its_organization_and_roles(world: World) -> None:
    data = world.api.ok("{ viewer { kind roles organization { name kind } } }", as_="supplier-a")
    assert data["viewer"] == {
        "kind": "TOKEN",
        "roles": ["member"],
        "organization": {"name": "Supplier A", "kind": "SUPPLIER"},
    }


def test_supplier_sees_its_order_with_delivery_party_but_not_the_customer(world: World) -> None:
    query = """{ orders { edges { node { number customer { name } deliveryParty { name city contactName }
        lines { lineNo quantityOrdered quantityConfirmed quantityShipped quantityInvoiced response }
        status invoices { number } } } } }"""
    data = world.api.ok(query, as_="supplier-a")
    [edge] = data["orders"]["edges"]
    node = edge["node"]
    assert node["customer"] is None
    assert node["deliveryParty"] == {"name": "Müller GmbH", "city": "Berlin", "contactName": None}
    assert node["status"] == "AWAITING_CONFIRMATION"
    assert [line["quantityOrdered"] for line in node["lines"]] == ["10", "5"]
    assert node["lines"][0]["quantityConfirmed"] is None and node["lines"][0]["response"] == "PENDING"


def test_fulfilled_order_exposes_shipments_invoices_and_derived_status(world: World) -> None:
    query = """query($id: ID!) { node(id: $id) { ... on Order { status total
        lines { quantityConfirmed quantityShipped quantityInvoiced response }
        shipments { number packages lines { quantity orderLineId } }
        invoices { number matchStatus grossTotal lines { quantity } } } } }"""
    data = world.api.ok(query, {"id": world.gid("Order", "order_b")}, as_="supplier-b")
    order = data["node"]
    assert order["status"] == "INVOICED"
    assert order["lines"] == [
        {"quantityConfirmed": "3", "quantityShipped": "3", "quantityInvoiced": "3", "response": "ACCEPTED"}
    ]
    assert order["shipments"][0]["number"] == f"DN-{world.ids['order_b']}"
    assert order["invoices"][0]["matchStatus"] == "MATCHED"


def test_dealer_sees_the_customer_with_contacts_assignments_and_history(world: World) -> None:
    query = """{ orders { edges { node { customer { name contacts { fullName email }
        assignments { organization { slug } } history { kind title } } } } } }"""
    data = world.api.ok(query, as_="dealer-group")
    [edge] = data["orders"]["edges"]
    customer = edge["node"]["customer"]
    assert customer["name"] == "Müller GmbH"
    assert customer["contacts"] == [{"fullName": "Anna Schmidt", "email": "anna@example.de"}]
    assert customer["assignments"] == [{"organization": {"slug": "dealer-group"}}]
    assert {entry["kind"] for entry in customer["history"]} == {"order", "activity"}


def test_node_returns_null_for_hidden_missing_and_malformed_ids(world: World) -> None:
    hidden = world.gid("Order", "order_b")
    data = world.api.ok(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [world.gid("Order", "order_a"), hidden, gid("Order", 999_999), "not-an-id", gid("Nope", 1)]},
        as_="supplier-a",
    )
    assert data["nodes"] == [{"id": world.gid("Order", "order_a")}, None, None, None, None]


def test_node_resolves_every_entity_type_for_the_owner(world: World) -> None:
    keys = {"Order": "order_a", "Customer": "shared", "Case": "case", "Activity": "activity"}
    for type_name, key in keys.items():
        data = world.api.ok(
            "query($id: ID!) { node(id: $id) { __typename id } }", {"id": world.gid(type_name, key)}
        )
        assert data["node"] == {"__typename": type_name, "id": world.gid(type_name, key)}


def test_a_cursor_from_another_callers_page_only_positions_within_ones_own_orders(world: World) -> None:
    order_by = {"field": "NUMBER", "direction": "ASC"}
    owners = world.api.ok(ORDER_PAGE, {"orderBy": order_by})["orders"]["edges"]
    assert len(owners) == 2
    before_all = world.api.ok(
        ORDER_PAGE, {"before": owners[1]["cursor"], "orderBy": order_by}, as_="supplier-a"
    )
    assert [e["node"]["id"] for e in before_all["orders"]["edges"]] == [world.gid("Order", "order_a")]
    after_all = world.api.ok(
        ORDER_PAGE, {"after": owners[1]["cursor"], "orderBy": order_by}, as_="supplier-a"
    )
    assert after_all["orders"]["edges"] == []  # order B is supplier B's: the position leaks nothing


def test_page_size_above_100_is_refused_with_a_code(world: World) -> None:
    [error] = world.api.errors(ORDER_PAGE, {"first": 101})
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "first" in error["message"]


def test_order_filter_by_number_and_supplier(world: World) -> None:
    number = world.api.ok(
        "query($id: ID!) { node(id: $id) { ... on Order { number } } }", {"id": world.gid("Order", "order_b")}
    )
    wanted = number["node"]["number"]
    data = world.api.ok(ORDER_PAGE, {"filter": {"number": wanted}})
    assert [e["node"]["number"] for e in data["orders"]["edges"]] == [wanted]
    supplier = gid("Organization", world.api.scene.orgs["supplier-a"].id)
    data = world.api.ok(ORDER_PAGE, {"filter": {"supplier": supplier}})
    assert [e["node"]["id"] for e in data["orders"]["edges"]] == [world.gid("Order", "order_a")]


def test_cases_connection_with_status_filter(world: World) -> None:
    query = """query($f: CaseFilter) { cases(filter: $f, orderBy: {field: SLA_DUE_AT, direction: ASC}) {
        totalCount nodes { subject priority status routedTo { slug } comments { body } } } }"""
    data = world.api.ok(query, {"f": {"status": ["OPEN"], "priority": ["HIGH"]}}, as_="partner")
    assert data["cases"]["totalCount"] == 1
    assert data["cases"]["nodes"][0]["routedTo"] == {"slug": "partner"}
    none = world.api.ok(query, {"f": {"status": ["CLOSED"]}}, as_="partner")
    assert none["cases"]["nodes"] == []


def test_customers_and_contacts_connections_are_scoped(world: World) -> None:
    query = """{ customers(filter: {nameContains: "gmbh"}) { totalCount nodes { name } }
        contacts(orderBy: {field: LAST_NAME, direction: ASC}) { nodes { lastName customer { name } } } }"""
    dealer = world.api.ok(query, as_="dealer-group")
    assert dealer["customers"]["nodes"] == [{"name": "Müller GmbH"}]
    assert dealer["contacts"]["nodes"] == [{"lastName": "Schmidt", "customer": {"name": "Müller GmbH"}}]
    supplier = world.api.ok(query, as_="supplier-a")
    assert supplier["customers"]["totalCount"] == 0 and supplier["contacts"]["nodes"] == []


def test_activities_connection_filters_by_kind(world: World) -> None:
    query = """query($kind: [ActivityKind!]) { activities(filter: {kind: $kind}) {
        nodes { kind subject customer { name } contact { lastName } } } }"""
    calls = world.api.ok(query, {"kind": ["CALL"]}, as_="dealer-group")
    assert calls["activities"]["nodes"] == [
        {"kind": "CALL", "subject": "Rückruf", "customer": {"name": "Müller GmbH"}, "contact": None}
    ]
    assert world.api.ok(query, {"kind": ["MEETING"]})["activities"]["nodes"] == []


def test_shipments_and_invoices_connections_follow_the_supplier(world: World) -> None:
    query = """{ shipments(orderBy: {field: SHIPPED_ON, direction: DESC}) { nodes { number order { id } } }
        invoices(filter: {matchStatus: MATCHED}) { nodes { number lines { quantity } } } }"""
    mine = world.api.ok(query, as_="supplier-b")
    assert len(mine["shipments"]["nodes"]) == 1 and len(mine["invoices"]["nodes"]) == 1
    theirs = world.api.ok(query, as_="supplier-a")
    assert theirs == {"shipments": {"nodes": []}, "invoices": {"nodes": []}}


def test_products_are_the_public_catalogue(world: World) -> None:
    data = world.api.ok(
        '{ products(filter: {nameContains: "pumpe"}) { nodes { sku price } } }', as_="supplier-a"
    )
    assert data["products"]["nodes"] == [{"sku": "P-100", "price": "12.5"}]


def test_organizations_are_own_and_children(world: World) -> None:
    query = "{ organizations(orderBy: {field: SLUG, direction: ASC}) { nodes { slug parent { slug } } } }"
    data = world.api.ok(query, as_="dealer-group")
    assert data["organizations"]["nodes"] == [
        {"slug": "dealer-branch", "parent": {"slug": "dealer-group"}},
        {"slug": "dealer-group", "parent": None},
    ]
    branch = world.api.ok(query, as_="dealer-branch")
    assert branch["organizations"]["nodes"] == [{"slug": "dealer-branch", "parent": None}]


def test_awaiting_confirmation_filter_finds_new_work(world: World) -> None:
    query = "query($f: OrderFilter) { orders(filter: $f) { nodes { id status } } }"
    waiting = world.api.ok(query, {"f": {"awaitingConfirmation": True}})["orders"]["nodes"]
    assert waiting == [{"id": world.gid("Order", "order_a"), "status": "AWAITING_CONFIRMATION"}]
    done = world.api.ok(query, {"f": {"awaitingConfirmation": False}})["orders"]["nodes"]
    assert done == [{"id": world.gid("Order", "order_b"), "status": "INVOICED"}]


def test_late_on_filter_finds_the_orders_behind_their_dates(world: World) -> None:
    today = date(2026, 3, 4)
    with world.api.scene.uow() as uow:
        for key, day in (("order_a", today - timedelta(days=1)), ("order_b", today - timedelta(days=9))):
            uow.session.execute(
                update(OrderLine).where(OrderLine.order_id == world.ids[key]).values(requested_date=day)
            )
    query = "query($f: OrderFilter) { orders(filter: $f) { nodes { id } } }"
    late = world.api.ok(query, {"f": {"lateOn": today.isoformat()}})["orders"]["nodes"]
    assert late == [{"id": world.gid("Order", "order_a")}]  # order B is shipped in full: not late
    on_time = world.api.ok(query, {"f": {"lateOn": (today - timedelta(days=1)).isoformat()}})["orders"][
        "nodes"
    ]
    assert on_time == []  # due that very day: not late yet
    assert (
        world.api.ok(query, {"f": {"lateOn": today.isoformat()}}, as_="supplier-a")["orders"]["nodes"] == late
    )
    assert (
        world.api.ok(query, {"f": {"lateOn": today.isoformat()}}, as_="supplier-b")["orders"]["nodes"] == []
    )
    errors = world.api.errors(query, {"f": {"lateOn": "yesterday"}})
    assert "lateOn" in errors[0]["message"] or "Date" in errors[0]["message"]


def test_orders_sort_by_due_day_with_nothing_due_last(world: World) -> None:
    with world.api.scene.uow() as uow:
        uow.session.execute(
            update(OrderLine)
            .where(OrderLine.order_id == world.ids["order_a"])
            .values(requested_date=date(2026, 3, 3))
        )
    query = "query($o: OrderOrder) { orders(orderBy: $o) { nodes { id } } }"
    rising = world.api.ok(query, {"o": {"field": "DUE", "direction": "ASC"}})["orders"]["nodes"]
    # order B is shipped in full: nothing due, so last
    assert rising == [{"id": world.gid("Order", "order_a")}, {"id": world.gid("Order", "order_b")}]
    falling = world.api.ok(query, {"o": {"field": "DUE", "direction": "DESC"}})["orders"]["nodes"]
    assert falling == rising[::-1]
