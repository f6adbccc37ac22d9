"""What every domain of the API builds on: typed field decorators, the resolver's context, the
``Node`` interface, objects filled from rows (``Built``), the Relay connection types, and the
helpers that run a mutation's use case in the operation's unit of work."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import strawberry

from portal.access import Principal
from portal.db import UnitOfWork
from portal.errors import InvalidInput, NotFound, PortalError
from portal.gql.errors import UserError, user_errors
from portal.gql.ids import decode_id, encode_id

if TYPE_CHECKING:
    from portal.gql.context import Context

N = TypeVar("N")
X = TypeVar("X")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def field(**options: Any) -> Callable[[F], F]:
    """``strawberry.field(description=...)`` as a typed decorator (strawberry's overload is untyped)."""
    return cast("Callable[[F], F]", strawberry.field(**options))


def mutation(**options: Any) -> Callable[[F], F]:
    return cast("Callable[[F], F]", strawberry.mutation(**options))


def subscription(**options: Any) -> Callable[[F], F]:
    return cast("Callable[[F], F]", strawberry.subscription(**options))


def ctx(info: strawberry.Info) -> Context:
    return cast("Context", info.context)


MAX_CHILDREN = 500  # the most items of a list of children with `first` (contacts, comments...)


def children(items: list[X], first: int) -> list[X]:
    """The first ``first`` of an object's children: every list has a cap, so the cost model can
    count each list at its true size before execution (``portal.gql.limits``)."""
    if not 0 <= first <= MAX_CHILDREN:
        raise InvalidInput("first", f"must be between 0 and {MAX_CHILDREN}")
    return items[:first]


class Built:
    """An object type filled from a row of its table (see ``portal.gql.loaders.build_all``): it
    declares every column, ``pk`` for ``id``, as a field or a private field."""

    if TYPE_CHECKING:
        pk: int
        _siblings: list[Any]  # the batch this object was loaded with (see portal.gql.loaders)


@strawberry.interface(description="An object with an opaque global id, fetchable with node(id:).")
class Node:
    pk: strawberry.Private[int]

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(type(self).__name__, self.pk))


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], int]]

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]

    @field(description="Number of items matching the filter (costs a COUNT; ask only when needed).")
    def total_count(self) -> int:
        return self.count()


# --- mutations -----------------------------------------------------------------------------------


def pk(value: strawberry.ID, type_name: str, entity: str) -> int:
    """The row id of a global id naming a ``type_name``; any other id is a missing one."""
    decoded = decode_id(value)
    if decoded is None or decoded[0] != type_name:
        raise NotFound(entity, value)
    return decoded[1]


def opt_pk(value: strawberry.ID | None, type_name: str, entity: str) -> int | None:
    return None if value is None else pk(value, type_name, entity)


def run(
    info: strawberry.Info, action: Callable[[UnitOfWork, Principal], R]
) -> tuple[R | None, list[UserError]]:
    """Run one use case in the operation's unit of work; a domain error undoes it and becomes a user error."""
    c = ctx(info)
    try:
        return action(c.uow, c.principal), []
    except PortalError as exc:
        c.session.rollback()
        return None, user_errors(exc)


B = TypeVar("B", bound=Built)


def reload(info: strawberry.Info, model: type[Any], build: type[B], ident: int | None) -> B | None:
    if ident is None:
        return None
    found = ctx(info).loaders.by_ids(model, build, [ident])
    return found[0] if found else None
