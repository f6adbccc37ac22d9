"""The strawberry internals the API relies on, fenced in this one module.

Everything else in ``portal.gql`` uses strawberry's public API. Two things have no public form:

* :func:`core_schema`: the graphql-core schema strawberry executes (``Schema._schema``), which the
  cost limit walks (field types, arguments and their defaults).
* :func:`direct_resolvers`: graphql-core calls the plain method of a field without arguments
  instead of strawberry's wrapper (which builds an ``Info``, converts arguments and chains field
  extensions on every call: a page of 50 orders has hundreds of such calls; graphql_bench measures
  what it saves). It finds the strawberry field behind each graphql-core field through the schema
  converter's back reference and reads the field's resolver description.

``tests/gql/test_strawberry_internals.py`` pins each of these: a strawberry upgrade that moves or
renames one fails there, by name, instead of breaking the API silently; and :func:`core_schema`
and :func:`direct_resolvers` raise at schema build time when what they expect is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

# What direct_resolvers reads of strawberry's field and resolver descriptions.
FIELD_ATTRIBUTES = ("base_resolver", "arguments", "extensions", "permission_classes")
RESOLVER_ATTRIBUTES = ("is_async", "self_parameter", "info_parameter", "wrapped_func")


class StrawberryChanged(RuntimeError):
    """A strawberry internal this module relies on is gone or changed shape (after an upgrade)."""


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema that ``schema`` executes."""
    core = getattr(schema, "_schema", None)
    if not isinstance(core, GraphQLSchema):
        raise StrawberryChanged("strawberry.Schema._schema is no longer the graphql-core schema")
    return core


def field_definition(graphql_field: GraphQLField) -> StrawberryField | None:
    """The strawberry field a graphql-core field was made from (None for introspection fields)."""
    definition = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return definition if isinstance(definition, StrawberryField) else None


def direct_resolvers(schema: strawberry.Schema) -> int:
    """Hand graphql-core the plain function of every method field without arguments (``id``,
    ``status``, ``lines``, ``customer``...), and return how many there are. Safe because these
    resolvers use nothing of ``info`` but ``info.context``, which graphql-core's
    ``GraphQLResolveInfo`` has as well, and none of them has arguments, permission classes or field
    extensions (those keep strawberry's path). Raises :class:`StrawberryChanged` when no field could
    be traced back to its strawberry definition."""
    traced = installed = 0
    for graphql_type in core_schema(schema).type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            definition = field_definition(graphql_field)
            if definition is None:
                continue
            traced += 1
            resolver = definition.base_resolver
            if (
                resolver is None
                or definition.arguments
                or definition.extensions
                or definition.permission_classes
                or resolver.is_async
                or resolver.self_parameter is None
                or graphql_field.subscribe is not None
            ):
                continue
            func = resolver.wrapped_func
            if not isinstance(func, staticmethod | classmethod):
                graphql_field.resolve = _direct(func, takes_info=resolver.info_parameter is not None)
                installed += 1
    if not traced:
        raise StrawberryChanged("graphql-core fields no longer lead back to their strawberry definitions")
    return installed


def _direct(func: Callable[..., Any], *, takes_info: bool) -> Callable[..., Any]:
    if takes_info:
        return func  # func(source, info): graphql-core's own calling convention

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return func(source)

    return resolve
