"""updateCase applies an edit that sets a single field, whichever field it is (issue #14: an edit
that set only a field the mutation did not know of was dropped without a word)."""

from __future__ import annotations

from dataclasses import fields

from portal.cases.service import CaseChanges
from portal.gql.cases.inputs import UpdateCaseInput
from portal.gql.errors import camel
from tests.gql.conftest import World

# A new value for each editable field (GraphQL's spelling); the case starts as "Pumpe defekt", HIGH.
NEW = {
    "subject": "Pumpe getauscht",
    "description": "Laufrad ersetzt",
    "priority": "URGENT",
    "category": "TECHNICAL",
}
UPDATE = """mutation($input: UpdateCaseInput!) { updateCase(input: $input) {
    case { subject description priority category version } userErrors { field message code } } }"""


def test_every_editable_field_is_an_input_of_update_case_and_has_a_value_here() -> None:
    editable = {f.name for f in fields(CaseChanges)}
    inputs = {f.name for f in fields(UpdateCaseInput)}
    assert editable <= inputs
    assert set(NEW) == editable


def test_an_edit_of_one_field_changes_that_field_and_no_other(world: World) -> None:
    case = world.gid("Case", "case")
    before = world.api.ok(
        "query($id: ID!) { node(id: $id) { ... on Case { subject description priority category version } } }",
        {"id": case},
    )["node"]
    for name, value in NEW.items():
        key = camel(name)
        changed = world.api.ok(UPDATE, {"input": {"case": case, key: value}})["updateCase"]
        assert changed["userErrors"] == [], name
        after = changed["case"]
        assert after[key] == value, name
        assert {k: v for k, v in after.items() if k not in {key, "version"}} == {
            k: v for k, v in before.items() if k not in {key, "version"}
        }
        assert after["version"] > before["version"], f"{name}: nothing was written"
        before = after
