"""What a caller may not read, it may not learn another way (issue #12, Low): no filter on a field
it cannot read, no organization id it cannot see in the change feed, no trace of owner-internal
comments and attachments in the feed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.cases import service as cases
from tests.builders import build_scene
from tests.gql.conftest import Api, World, build_world, gid, make_client


@pytest.fixture
def world(factory: sessionmaker[Session]) -> Iterator[World]:
    with make_client(factory) as client:
        yield build_world(Api(client, build_scene(factory)))


@pytest.mark.parametrize(
    ("who", "connection", "relation", "type_name", "key"),
    [
        ("supplier-a", "orders", "dealer", "Organization", "dealer-branch"),
        ("supplier-a", "orders", "customer", "Customer", "shared"),
        ("dealer-group", "orders", "supplier", "Organization", "supplier-a"),
        ("supplier-a", "cases", "customer", "Customer", "shared"),
    ],
)
def test_a_filter_on_a_field_the_caller_cannot_read_is_refused_naming_it(
    world: World, who: str, connection: str, relation: str, type_name: str, key: str
) -> None:
    s = world.api.scene
    ident = gid(type_name, s.orgs[key].id if type_name == "Organization" else world.ids[key])
    query = f"query($id: ID!) {{ {connection}(filter: {{{relation}: $id}}) {{ nodes {{ id }} }} }}"
    [error] = world.api.errors(query, {"id": ident}, as_=who)
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["message"].startswith(f"filter.{relation}: ")
    # the owner may: the filter works and finds the order
    nodes = world.api.ok(query, {"id": ident})[connection]["nodes"]
    assert nodes, "the owner's filter finds something"


def test_a_dealer_still_filters_by_its_own_dealer_and_customer(world: World) -> None:
    s = world.api.scene
    query = "query($d: ID!, $c: ID!) { orders(filter: {dealer: $d, customer: $c}) { nodes { id } } }"
    variables = {"d": gid("Organization", s.orgs["dealer-branch"].id), "c": world.gid("Customer", "shared")}
    nodes = world.api.ok(query, variables, as_="dealer-group")["orders"]["nodes"]
    assert nodes == [{"id": world.gid("Order", "order_a")}]


def _states(world: World, who: str, entity: str) -> list[dict[str, Any]]:
    query = f'{{ changes(first: 500, entities: ["{entity}"]) {{ changes {{ kind entityId state }} }} }}'
    return list(world.api.feed(query, as_=who)["changes"]["changes"])


def test_the_change_feed_shows_no_organization_the_reader_cannot_see(world: World) -> None:
    s = world.api.scene
    order = world.gid("Order", "order_a")
    supplier_view = [c["state"] for c in _states(world, "supplier-a", "order") if c["entityId"] == order]
    dealer_view = [c["state"] for c in _states(world, "dealer-group", "order") if c["entityId"] == order]
    owner_view = [c["state"] for c in _states(world, "owner", "order") if c["entityId"] == order]
    assert supplier_view and dealer_view and owner_view
    assert {(st["dealer_id"], st["supplier_id"]) for st in supplier_view} == {(None, s.orgs["supplier-a"].id)}
    assert {(st["dealer_id"], st["supplier_id"]) for st in dealer_view} == {
        (s.orgs["dealer-branch"].id, None)
    }
    assert {(st["dealer_id"], st["supplier_id"]) for st in owner_view} == {
        (s.orgs["dealer-branch"].id, s.orgs["supplier-a"].id)
    }


def test_owner_internal_comments_leave_no_trace_in_an_external_feed(world: World) -> None:
    s = world.api.scene
    case = world.gid("Case", "case")
    before = _states(world, "partner", "case")
    updated = world.api.ok(
        f'{{ node(id: "{case}") {{ ... on Case {{ updatedAt version }} }} }}', as_="partner"
    )
    with s.uow() as uow:
        cases.add_comment(
            uow=uow, principal=s.p("owner"), case_id=world.ids["case"], body="intern", internal=True
        )
        cases.add_attachment(
            uow=uow,
            principal=s.p("owner"),
            case_id=world.ids["case"],
            filename="intern.txt",
            content_type="text/plain",
            data=b"intern",
            internal=True,
        )
    assert _states(world, "partner", "case") == before
    assert world.api.ok(
        f'{{ node(id: "{case}") {{ ... on Case {{ updatedAt version }} }} }}', as_="partner"
    ) == (updated)
    owner_kinds = [c["kind"] for c in _states(world, "owner", "case") if c["entityId"] == case]
    assert owner_kinds[-2:] == ["case.commented", "case.attachment_added"]
    with s.uow() as uow:
        cases.add_comment(uow=uow, principal=s.p("owner"), case_id=world.ids["case"], body="für alle")
    assert [c["kind"] for c in _states(world, "partner", "case")][-1] == "case.commented"
