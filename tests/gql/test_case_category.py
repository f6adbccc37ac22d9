"""A case's category in the API: set with createCase and updateCase, read on the case, filtered in
the cases connection, carried in the change feed."""

from __future__ import annotations

from tests.gql.conftest import World

CREATE = """mutation($input: CreateCaseInput!) { createCase(input: $input) {
    case { id category } userErrors { field message code } } }"""
CASES = """query($f: CaseFilter) { cases(filter: $f, orderBy: {field: NUMBER, direction: ASC}) {
    totalCount nodes { subject category } } }"""


def test_cases_are_created_filtered_and_fed_with_their_category(world: World) -> None:
    made = {}
    for subject, category in (("Kratzer", "COMPLAINT"), ("Retoure", "RETURN"), ("Wie?", "QUESTION")):
        created = world.api.ok(CREATE, {"input": {"subject": subject, "category": category}})["createCase"]
        assert created["userErrors"] == [] and created["case"]["category"] == category
        made[category] = created["case"]["id"]
    found = world.api.ok(CASES, {"f": {"category": ["RETURN", "QUESTION"]}})["cases"]
    assert found == {
        "totalCount": 2,
        "nodes": [{"subject": "Retoure", "category": "RETURN"}, {"subject": "Wie?", "category": "QUESTION"}],
    }
    default = world.api.ok(CASES, {"f": {"category": ["OTHER"]}})["cases"]["nodes"]
    assert default == [{"subject": "Pumpe defekt", "category": "OTHER"}]  # the world's case, from before
    feed = world.api.feed('{ changes(first: 100, entities: ["case"]) { changes { entityId state } } }')
    states = {c["entityId"]: c["state"] for c in feed["changes"]["changes"]}
    assert states[made["RETURN"]]["category"] == "return"
    [error] = world.api.errors(CASES, {"f": {"category": ["GOSSIP"]}})
    assert "GOSSIP" in error["message"]
