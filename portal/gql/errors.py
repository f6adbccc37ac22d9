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
from portal.errors import InvalidFields, InvalidInput, NotFound, PortalError
from portal.gql.ids import encode_id


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


def public_message(exc: PortalError) -> str:
    """The message as an API client may see it: a NotFound names the object by the global id the
    client knows (the one it sent), never by the database's internal id."""
    if isinstance(exc, NotFound) and isinstance(exc.ident, int):
        type_name = "".join(word[:1].upper() + word[1:].lower() for word in exc.entity.split())
        return f"{exc.entity} {encode_id(type_name, exc.ident)} not found"
    return exc.message


def user_error(exc: PortalError) -> UserError:
    if isinstance(exc, InvalidInput):
        return UserError(field=field_path(exc.field), message=exc.detail, code=exc.code)
    return UserError(field=None, message=public_message(exc), code=exc.code)


def user_errors(exc: PortalError) -> list[UserError]:
    """One user error per wrong field when several were found at once."""
    if isinstance(exc, InvalidFields):
        return [user_error(error) for error in exc.errors]
    return [user_error(exc)]


def graphql_error(exc: PortalError) -> GraphQLError:
    return GraphQLError(public_message(exc), extensions={"code": exc.code}, original_error=exc)


def not_found_for_input(field: str, entity: str, ident: object) -> UserError:
    """An id that names nothing the caller may see, exactly as a missing id."""
    return UserError(field=field_path(field), message=f"{entity} {ident} not found", code=NotFound.code)
