"""GraphQL refuses a search shorter than a trigram with INVALID_INPUT naming the argument."""

from __future__ import annotations

import pytest

from tests.gql.conftest import World

CASES = [
    ("orders", "{ orders(first: 5, filter: {search: $s}) { edges { node { number } } } }", "filter.search"),
    (
        "customers",
        "{ customers(first: 5, filter: {nameContains: $s}) { edges { node { name } } } }",
        "filter.nameContains",
    ),
]


@pytest.mark.parametrize(("name", "selection", "field"), CASES)
def test_a_short_search_is_invalid_input_naming_the_argument(
    world: World, name: str, selection: str, field: str
) -> None:
    query = "query($s: String!) " + selection.replace("{ " + name, name, 0)
    errors = world.api.errors(query, {"s": "ab"})
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT", errors
    assert errors[0]["extensions"].get("field") == field or field in errors[0]["message"], errors
    assert "at least 3 characters" in errors[0]["message"]


def test_a_full_order_number_is_found(world: World) -> None:
    data = world.api.ok("{ orders(first: 50) { edges { node { number } } } }")
    number = data["orders"]["edges"][0]["node"]["number"]
    found = world.api.ok(
        "query($s: String!) { orders(first: 5, filter: {search: $s}) { edges { node { number } } } }",
        {"s": number},
    )
    assert [e["node"]["number"] for e in found["orders"]["edges"]] == [number]
