"""Inputs that used to end in INTERNAL_SERVER_ERROR (issue #12, Low): NUL characters in any text and
numbers beyond what a column holds answer INVALID_INPUT naming the field; not-found messages name
the public id."""

from __future__ import annotations

import pytest

from portal.customers import service as customers
from portal.errors import InvalidInput, NotFound
from portal.models import Order
from tests.gql.conftest import World, gid

ERRORS = "userErrors { field message code }"
NUL = "Pumpe\x00 defekt"


def test_nul_in_a_mutations_variable_names_the_field(world: World) -> None:
    query = f"mutation($input: CreateCaseInput!) {{ createCase(input: $input) {{ case {{ id }} {ERRORS} }} }}"
    [error] = world.api.errors(query, {"input": {"subject": NUL}})
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == ["input", "subject"]
    assert error["message"] == "input.subject: must not contain NUL characters"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ('{ orders(filter: {number: "SO\\u0000"}) { nodes { id } } }', ["filter", "number"]),
        ('{ cases(filter: {subjectContains: "\\u0000"}) { nodes { id } } }', ["filter", "subjectContains"]),
        ('{ exchangeRecords(filter: {search: "a\\u0000"}) { edges { cursor } } }', ["filter", "search"]),
    ],
)
def test_nul_in_a_literal_filter_is_invalid_input_not_a_database_error(
    world: World, query: str, field: list[str]
) -> None:
    [error] = world.api.errors(query)
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}


def test_the_services_refuse_nul_for_the_portals_forms_too(world: World) -> None:
    s = world.api.scene
    with pytest.raises(InvalidInput) as refused, s.uow() as uow:
        customers.add_contact(
            uow=uow, principal=s.p("owner"), customer_id=world.ids["shared"], first_name="A", last_name=NUL
        )
    assert refused.value.field == "last_name" and "NUL" in refused.value.detail


def test_huge_numbers_are_invalid_input(world: World) -> None:
    query = (
        f"mutation($input: CreateOrderInput!) {{ createOrder(input: $input) {{ order {{ id }} {ERRORS} }} }}"
    )
    line = {"product": gid("Product", world.api.scene.products[0].id), "quantity": "1e30"}
    data = world.api.ok(query, {"input": {"customer": world.gid("Customer", "shared"), "lines": [line]}})
    assert data["createOrder"]["userErrors"] == [
        {"field": ["lines", "1", "quantity"], "message": "is too large", "code": "INVALID_INPUT"}
    ]
    token = "mutation($input: IssueApiTokenInput!) { issueApiToken(input: $input) { secret " + ERRORS + " } }"
    response = world.api.client.post(
        "/graphql",
        json={"query": token, "variables": {"input": {"name": "x", "expiresInDays": 2_000_000_000}}},
        headers={"Authorization": f"Bearer {world.api.token('owner', 'admin')}"},
    )
    [issued] = response.json()["data"]["issueApiToken"]["userErrors"]
    assert issued["field"] == ["expiresInDays"] and issued["code"] == "INVALID_INPUT"


def test_an_id_beyond_any_column_is_a_missing_id(world: World) -> None:
    huge = gid("Order", 10**17)
    confirm = f"mutation($input: ConfirmOrderInput!) {{ confirmOrder(input: $input) {{ {ERRORS} }} }}"
    data = world.api.ok(confirm, {"input": {"order": huge, "lines": [{"lineNo": 1, "action": "ACCEPT"}]}})
    assert data["confirmOrder"]["userErrors"] == [
        {"field": None, "message": f"order {huge} not found", "code": "NOT_FOUND"}
    ]
    assert world.api.ok("query($id: ID!) { node(id: $id) { id } }", {"id": huge}) == {"node": None}
    with pytest.raises(NotFound), world.api.scene.factory() as session:
        from portal.access import get_visible

        get_visible(session, world.api.scene.p("owner"), Order, 2**40)


def test_not_found_names_the_public_id_never_the_internal_one(world: World) -> None:
    query = f"mutation($input: ChangeCaseStatusInput!) {{ changeCaseStatus(input: $input) {{ {ERRORS} }} }}"
    hidden = gid("Case", world.ids["case"])
    [error] = world.api.ok(query, {"input": {"case": hidden, "action": "START"}}, as_="supplier-a")[
        "changeCaseStatus"
    ]["userErrors"]
    assert error["message"] == f"case {hidden} not found"
    assert f" {world.ids['case']} " not in error["message"]
