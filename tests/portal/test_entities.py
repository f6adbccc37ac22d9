"""The entity catalogue (portal.entities) is the one place an entity is named: what derives from it
does, and what names entities elsewhere (events, the API's object types) names only known ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import inspect

import portal
from portal import changes
from portal.entities import BY_NAME, BY_TYPE_NAME, ENTITIES, FEED, LIST_CAPS, type_name
from portal.gql import limits
from portal.gql.nodes import NODE_CLASSES, NODE_TYPES
from portal.web import labels
from portal.web.views.lists import SPECS

PORTAL = Path(portal.__file__).parent


def test_names_and_type_names_are_unique() -> None:
    assert len(BY_NAME) == len(BY_TYPE_NAME) == len(ENTITIES)
    assert type_name("exchange_record") == "ExchangeRecord"
    assert type_name("nothing-known") == "nothing-known"


def test_every_node_type_of_the_api_is_in_the_catalogue_and_resolves_by_id() -> None:
    names = {cls.__name__ for cls in NODE_CLASSES}
    assert {"Order", "Case", "Customer", "Activity"} <= names
    assert names - set(BY_TYPE_NAME) == set(), "add the type to portal.entities"
    assert set(NODE_TYPES) == names
    for name, (model, _build) in NODE_TYPES.items():
        assert model is BY_TYPE_NAME[name].model


@pytest.mark.parametrize("entity", list(FEED.values()), ids=list(FEED))
def test_feed_fields_are_columns_and_organization_refs_among_them(entity: object) -> None:
    from portal.entities import Entity

    assert isinstance(entity, Entity) and entity.feed is not None
    columns = {attr.key for attr in inspect(entity.model).column_attrs}
    assert set(entity.feed) <= columns
    assert set(entity.organization_refs) <= set(entity.feed)


def test_the_change_feed_and_the_cost_limit_take_the_catalogues_tables() -> None:
    assert {name: e.model for name, e in FEED.items()} == changes.ENTITY_MODELS
    assert {name: e.feed for name, e in FEED.items()} == changes.STATE_FIELDS
    assert {
        name: e.organization_refs for name, e in FEED.items() if e.organization_refs
    } == changes.ORGANIZATION_REFS
    assert limits.LIST_CAPS is LIST_CAPS
    assert LIST_CAPS[("Order", "lines")] == 500


def test_the_web_names_lists_and_entities_from_the_catalogue() -> None:
    assert labels.ENTITY_PLURAL["order"] == "Orders" and labels.ENTITY["exchange_record"] == "EDI message"
    assert {spec.title for spec in SPECS.values()} <= set(labels.ENTITY_PLURAL.values())


def _recorded_entities() -> set[str]:
    """The entity named by every ``record(uow, principal, kind, entity, id)`` in the services."""
    found: set[str] = set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "record"
                and len(node.args) >= 4
            ):
                entity = node.args[3]
                assert isinstance(entity, ast.Constant), (
                    f"{path.name}:{node.lineno}: name the entity literally"
                )
                found.add(str(entity.value))
    return found


def test_every_entity_an_event_names_is_in_the_catalogue() -> None:
    named = _recorded_entities()
    assert {"order", "case", "customer", "user"} <= named
    assert named - set(BY_NAME) == set()
