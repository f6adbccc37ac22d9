"""The GraphQL API as principals of two unrelated organizations: every query, node lookup, change
feed, subscription and mutation shows A nothing of B's, and a mutation on B's object answers
exactly as for a missing id and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from portal.activities import service as activities
from portal.cases import service as cases
from portal.db import make_sessionmaker
from portal.models import ActivityKind, Event
from tests.builders import Scene, build_scene
from tests.conftest import wipe
from tests.gql.conftest import Api, gid, make_client

# (A, B): unrelated organizations of the same kind
PAIRS = [
    ("dealer-group", "dealer-other"),
    ("dealer-other", "dealer-group"),
    ("supplier-a", "supplier-b"),
    ("supplier-b", "supplier-a"),
]
SIDES = {
    "dealer-group": "a", "supplier-a": "a", "dealer-other": "b", "supplier-b": "b",
}  # fmt: skip
MISSING = 987_654


@dataclass
class Side:
    customer: int
    contact: int
    order: int
    case: int
    supplier_case: int
    activity: int

    def gids(self, org_id: int, kind: str) -> set[str]:
        ids = {gid("Order", self.order), gid("Case", self.case), gid("Organization", org_id)}
        if kind == "dealer":
            ids |= {
                gid("Customer", self.customer),
                gid("Contact", self.contact),
                gid("Activity", self.activity),
            }
        return ids


def build_side(scene: Scene, dealer: str, supplier: str, name: str) -> Side:
    customer = scene.customer(name, shared_with=(dealer,))
    order = scene.order(customer, dealer=dealer, supplier=supplier)
    scene.fulfil(order, supplier)
    with scene.uow() as uow:
        owner = scene.p("owner")
        case = cases.open_case(
            uow=uow,
            principal=owner,
            subject=f"Fall {name}",
            customer_id=customer.id,
            routed_to_id=scene.orgs[dealer].id,
        )
        supplier_case = cases.open_case(
            uow=uow,
            principal=owner,
            subject=f"Lieferung {name}",
            order_id=order.id,
            routed_to_id=scene.orgs[supplier].id,
        )
        activity = activities.log_activity(
            uow=uow,
            principal=scene.p(dealer),
            customer_id=customer.id,
            kind=ActivityKind.NOTE,
            subject=f"Notiz {name}",
        )
        from portal.models import Contact

        contact = uow.session.scalar(select(Contact.id).where(Contact.customer_id == customer.id))
        assert contact is not None
    return Side(customer.id, contact, order.id, case.id, supplier_case.id, activity.id)


@dataclass
class Tenants:
    api: Api
    sides: dict[str, Side]

    def foreign(self, b: str) -> set[str]:
        side = self.sides[SIDES[b]]
        org = self.api.scene.orgs[b]
        ids = side.gids(org.id, "dealer" if b.startswith("dealer") else "supplier")
        with self.api.scene.factory() as session:
            from portal.models import Case, Invoice, Shipment

            ids |= {
                gid("Shipment", i)
                for i in session.scalars(select(Shipment.id).where(Shipment.order_id == side.order))
            }
            ids |= {
                gid("Invoice", i)
                for i in session.scalars(select(Invoice.id).where(Invoice.order_id == side.order))
            }
            ids |= {
                gid("Case", i) for i in session.scalars(select(Case.id).where(Case.order_id == side.order))
            }
        return ids


@pytest.fixture(scope="module")
def tenants(engine: Engine) -> Iterator[Tenants]:
    """One world for the whole module (building it is most of the time): the tests only read, the
    mutation test proves it writes nothing, and the subscription test adds objects that change no
    other test's expectations."""
    factory = make_sessionmaker(engine)
    try:
        scene = build_scene(factory)
        sides = {
            "a": build_side(scene, "dealer-group", "supplier-a", "Alpha GmbH"),
            "b": build_side(scene, "dealer-other", "supplier-b", "Beta AG"),
        }
        with make_client(factory) as client:
            yield Tenants(Api(client, scene), sides)
    finally:
        wipe(engine)


CONNECTIONS = [
    "orders",
    "cases",
    "customers",
    "contacts",
    "activities",
    "shipments",
    "invoices",
    "organizations",
    "products",
]


def all_ids(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"id", "entityId"} and isinstance(item, str):
                found.add(item)
            else:
                found |= all_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= all_ids(item)
    return found


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_connections_show_nothing_of_the_other_organization(tenants: Tenants, a: str, b: str) -> None:
    fields = " ".join(f"{name}(first: 100) {{ nodes {{ id }} }}" for name in CONNECTIONS)
    seen = all_ids(tenants.api.ok(f"{{ {fields} }}", as_=a))
    assert seen, "A sees its own data"
    assert seen & tenants.foreign(b) == set()


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_nested_fields_show_nothing_of_the_other_organization(tenants: Tenants, a: str, b: str) -> None:
    query = """{ orders(first: 100) { nodes { id customer { id contacts { id } } dealer { id } supplier { id }
        shipments { id order { id } } invoices { id } } }
        cases(first: 100) { nodes { id order { id } customer { id } routedTo { id } } }
        customers(first: 100) { nodes { id assignments { organization { id } } history { entityId } } } }"""
    seen = all_ids(tenants.api.ok(query, as_=a))
    assert seen & tenants.foreign(b) == set()


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_node_and_nodes_treat_foreign_ids_as_missing(tenants: Tenants, a: str, b: str) -> None:
    foreign = sorted(tenants.foreign(b))
    data = tenants.api.ok("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": foreign}, as_=a)
    assert data["nodes"] == [None] * len(foreign)
    for ident in foreign:
        assert tenants.api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": ident}, as_=a) == {
            "node": None
        }


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_change_feed_shows_nothing_of_the_other_organization(tenants: Tenants, a: str, b: str) -> None:
    data = tenants.api.feed("{ changes(first: 500) { changes { entityId state } } }", as_=a)
    assert data["changes"]["changes"], "A sees its own changes"
    assert all_ids(data) & tenants.foreign(b) == set()
    assert tenants.api.scene.orgs[b].name not in json.dumps(data)


def _record_both_sides(tenants: Tenants, first: str, second: str) -> None:
    """A change on ``first``'s side, then one on ``second``'s side."""
    scene = tenants.api.scene
    for org in (first, second):
        side = tenants.sides[SIDES[org]]
        with scene.uow() as uow:
            case = side.case if org.startswith("dealer") else side.supplier_case
            cases.add_comment(uow=uow, principal=scene.p("owner"), case_id=case, body="Neu")
        supplier = "supplier-a" if SIDES[org] == "a" else "supplier-b"
        dealer = "dealer-group" if SIDES[org] == "a" else "dealer-other"
        customer = scene.customer(f"Neu {org}", shared_with=(dealer,))
        scene.order(customer, dealer=dealer, supplier=supplier)


@pytest.mark.parametrize(("a", "b"), PAIRS)
@pytest.mark.parametrize("field", ["orderEvents", "caseEvents"])
def test_subscriptions_never_deliver_the_other_organizations_events(
    tenants: Tenants, a: str, b: str, field: str
) -> None:
    api = tenants.api
    after = api.feed("{ changes(first: 1) { endCursor } }", as_="owner")["changes"]["endCursor"]
    latest = api.ok(
        "query($after: String) { changes(after: $after, first: 500) { endCursor } }",
        {"after": after},
        as_="owner",
    )
    _record_both_sides(tenants, first=b, second=a)
    mine = tenants.sides[SIDES[a]]
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {api.token(a)}"}})
        assert ws.receive_json()["type"] == "connection_ack"
        query = f"subscription($after: String) {{ {field}(after: $after) {{ entityId }} }}"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": {"after": latest["changes"]["endCursor"]}},
            }
        )
        event = ws.receive_json()["payload"]["data"][field]
    assert event["entityId"] not in tenants.foreign(b)
    if field == "caseEvents":
        assert event["entityId"] == gid("Case", mine.case if a.startswith("dealer") else mine.supplier_case)


def _mutations(product: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """name -> (mutation, type of the id that is swapped, input with the id as {ID})."""
    today = date.today().isoformat()
    start = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=1, hours=1)).isoformat()
    org = gid("Organization", 1)
    line = [{"lineNo": 1, "quantity": "1"}]
    return {
        "confirmOrder": (
            "ConfirmOrderInput",
            "Order",
            {"order": "{ID}", "lines": [{"lineNo": 1, "action": "ACCEPT"}]},
        ),
        "createShipment": (
            "CreateShipmentInput",
            "Order",
            {"order": "{ID}", "number": "X1", "shippedOn": today, "lines": line},
        ),
        "submitInvoice": (
            "SubmitInvoiceInput",
            "Order",
            {"order": "{ID}", "number": "R1", "issueDate": today, "lines": line},
        ),
        "createCase": ("CreateCaseInput", "Order", {"subject": "X", "order": "{ID}"}),
        "updateCase": ("UpdateCaseInput", "Case", {"case": "{ID}", "subject": "X"}),
        "addCaseComment": ("AddCaseCommentInput", "Case", {"case": "{ID}", "body": "X"}),
        "routeCase": ("RouteCaseInput", "Case", {"case": "{ID}", "organization": None}),
        "logActivity": ("LogActivityInput", "Customer", {"customer": "{ID}", "kind": "NOTE", "subject": "X"}),
        "scheduleAppointment": (
            "ScheduleAppointmentInput",
            "Customer",
            {"customer": "{ID}", "subject": "X", "startsAt": start, "endsAt": end},
        ),
        "createOrder": (
            "CreateOrderInput",
            "Customer",
            {"customer": "{ID}", "lines": [{"product": product, "quantity": "1"}]},
        ),
        "shareCustomer": ("ShareCustomerInput", "Customer", {"customer": "{ID}", "organization": org}),
        "unshareCustomer": ("ShareCustomerInput", "Customer", {"customer": "{ID}", "organization": org}),
    }


def _fill(value: Any, ident: str) -> Any:
    if value == "{ID}":
        return ident
    if isinstance(value, dict):
        return {k: _fill(v, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ident) for v in value]
    return value


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_mutations_on_foreign_objects_answer_as_for_missing_ones_and_write_nothing(
    tenants: Tenants, a: str, b: str
) -> None:
    api = tenants.api
    api.token(a)  # issuing the token writes an event: do it before counting
    theirs = tenants.sides[SIDES[b]]
    pks = {"Order": theirs.order, "Case": theirs.case, "Customer": theirs.customer}
    product = gid("Product", api.scene.products[0].id)
    with api.scene.factory() as session:
        events = session.scalar(select(func.count()).select_from(Event))
    for name, (input_type, type_name, template) in _mutations(product).items():
        errors = "userErrors { field message code }"
        query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {errors} }} }}"
        hidden = api.ok(query, {"input": _fill(template, gid(type_name, pks[type_name]))}, as_=a)[name]
        missing = api.ok(query, {"input": _fill(template, gid(type_name, MISSING))}, as_=a)[name]
        assert hidden["userErrors"], name
        normalised = json.dumps(hidden).replace(gid(type_name, pks[type_name]), "N")
        assert normalised == json.dumps(missing).replace(gid(type_name, MISSING), "N"), name
    with api.scene.factory() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == events
