"""The strawberry internals that portal.gql._strawberry relies on, pinned: after an upgrade that
changes one, these fail by name (and the schema refuses to build) instead of the API breaking
silently or getting slow."""

from __future__ import annotations

import inspect

import pytest
import strawberry
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.types.field import StrawberryField

from graphql import GraphQLObjectType, GraphQLSchema, graphql_sync, print_schema
from portal.gql import _strawberry
from portal.gql._strawberry import (
    FIELD_ATTRIBUTES,
    RESOLVER_ATTRIBUTES,
    StrawberryChanged,
    core_schema,
    direct_resolvers,
    field_definition,
)
from portal.gql.endpoint import _TransportWS
from portal.gql.schema import build_schema


def test_the_core_schema_is_the_one_strawberry_executes() -> None:
    schema = build_schema()
    core = core_schema(schema)
    assert isinstance(core, GraphQLSchema)
    assert sorted(print_schema(core).splitlines()) == sorted(schema.as_str().splitlines())

    # Changing the core schema changes what strawberry runs: it is the very object, not a copy.
    ran: list[str] = []

    def patched(*_: object, **arguments: object) -> None:
        ran.append("patched")

    assert core.query_type is not None
    core.query_type.fields["products"].resolve = patched
    schema.execute_sync("{ products { totalCount } }")
    assert ran == ["patched"]


def test_a_schema_without_the_private_attribute_is_refused_loudly() -> None:
    class Stranger:
        pass

    with pytest.raises(StrawberryChanged, match=r"Schema\._schema"):
        core_schema(Stranger())  # type: ignore[arg-type]


def test_graphql_core_fields_lead_back_to_their_strawberry_fields() -> None:
    assert isinstance(GraphQLCoreConverter.DEFINITION_BACKREF, str)
    core = core_schema(build_schema())
    order = core.get_type("Order")
    assert isinstance(order, GraphQLObjectType)
    definition = field_definition(order.fields["number"])
    assert isinstance(definition, StrawberryField) and definition.python_name == "number"
    for name in FIELD_ATTRIBUTES:
        assert hasattr(definition, name), f"StrawberryField.{name} is gone"
    status = field_definition(order.fields["status"])
    assert status is not None and status.base_resolver is not None
    for name in RESOLVER_ATTRIBUTES:
        assert hasattr(status.base_resolver, name), f"StrawberryResolver.{name} is gone"


def test_plain_method_fields_get_their_function_and_still_answer() -> None:
    """Built with direct resolvers: graphql-core calls our function, not strawberry's wrapper."""
    schema = build_schema()
    core = core_schema(schema)
    order = core.get_type("Order")
    assert isinstance(order, GraphQLObjectType)
    resolve = order.fields["status"].resolve
    assert resolve is not None and resolve.__module__ in {"portal.gql.types", _strawberry.__name__}
    assert direct_resolvers(schema) > 50  # again: idempotent, and many fields take the short path


def test_direct_resolvers_notice_when_fields_no_longer_lead_back() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def answer(self) -> int:
            return 42

    schema = strawberry.Schema(query=Query)
    assert direct_resolvers(schema) == 1
    assert graphql_sync(core_schema(schema), "{ answer }", root_value=Query()).data == {"answer": 42}
    upgraded = strawberry.Schema(query=Query)
    query_type = core_schema(upgraded).query_type
    assert query_type is not None
    for graphql_field in query_type.fields.values():
        graphql_field.extensions = {}  # as if the converter kept its back reference elsewhere
    with pytest.raises(StrawberryChanged, match="strawberry definitions"):
        direct_resolvers(upgraded)


def test_the_websocket_handler_hooks_we_override_are_still_there() -> None:
    """portal.gql.endpoint._TransportWS overrides these; a rename would silently bypass our caps."""
    for name in ("handle_connection_init", "handle_subscribe", "shutdown", "send_message"):
        assert inspect.iscoroutinefunction(getattr(BaseGraphQLTransportWSHandler, name)), name
        assert getattr(_TransportWS, name) is not None
