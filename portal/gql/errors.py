"""Domain errors in GraphQL's shape: the one place where ``portal.errors`` meets the API.

* In a mutation, a :class:`~portal.errors.PortalError` becomes a ``UserError`` in the payload's
  ``userErrors`` list (``field`` names the input field, camelCased, when the error has one).
* Anywhere else it becomes a top-level error with ``extensions.code`` = the error's code.
* Any other exception is an internal failure: logged, and masked as ``INTERNAL_SERVER_ERROR``
  (see :mod:`portal.gql.limits`).
"""

from __future__ import annotations

import re

import strawberry

from graphql import GraphQLError
from portal.errors import InvalidInput, NotFound, PortalError


@strawberry.type(description="A problem with the mutation's input or with the state of the object.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path of the input field, e.g. ["lines", "2", "quantity"].'
    )
    message: str
    code: str


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def field_path(field: str) -> list[str]:
    """``"lines[2].unit_price"`` -> ``["lines", "2", "unitPrice"]``."""
    return [camel(part) for part in re.split(r"[.\[\]]+", field) if part]


def user_error(exc: PortalError) -> UserError:
    if isinstance(exc, InvalidInput):
        return UserError(field=field_path(exc.field), message=exc.detail, code=exc.code)
    if isinstance(exc, NotFound):
        return UserError(field=None, message=exc.message, code=exc.code)
    return UserError(field=None, message=exc.message, code=exc.code)


def graphql_error(exc: PortalError) -> GraphQLError:
    return GraphQLError(exc.message, extensions={"code": exc.code}, original_error=exc)


def not_found_for_input(field: str, entity: str, ident: object) -> UserError:
    """An id that names nothing the caller may see, exactly as a missing id."""
    return UserError(field=field_path(field), message=f"{entity} {ident} not found", code=NotFound.code)
