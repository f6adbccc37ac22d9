"""The one connection helper: Relay arguments in, a domain's list function called, a connection
out. Every list of the API (orders, cases, ..., and the exchange ledger) pages through it, so the
cursors, sizes and errors are the web's: the read model behind both is the same
(``portal.reading``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import strawberry

from portal.access import Principal, permissions
from portal.errors import InvalidInput
from portal.gql.base import Built, Connection, Edge, PageInfo, SortDirection, ctx
from portal.gql.ids import decode_id
from portal.gql.loaders import build_all
from portal.reading import Page, PageRequest
from portal.reading.search import search_text

B = TypeVar("B", bound=Built)

DEFAULT_PAGE = 20  # without first/last (Limits.default_page counts with it)


class Ordering(Protocol):
    """A connection's ``orderBy`` input: a value of the domain's sort enum and a direction."""

    @property
    def field(self) -> Any: ...
    @property
    def direction(self) -> SortDirection: ...


def page_request(
    *, first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    if first is None and last is None:
        first = DEFAULT_PAGE
    return PageRequest(first=first, after=after, last=last, before=before)


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=page.start_cursor,
        end_cursor=page.end_cursor,
    )


def connection(
    info: strawberry.Info,
    read: Callable[..., Page[Any]],
    query: Any,
    ordering: Ordering,
    build: type[B],
    model: type[Any],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[B]:
    """``read(session, principal, query, sort=..., descending=..., page=...)`` (a domain's list
    function) as a connection of ``build`` objects."""
    c = ctx(info)
    page = read(
        c.session,
        c.principal,
        query,
        sort=ordering.field,
        descending=ordering.direction is SortDirection.DESC,
        page=page_request(first=first, after=after, last=last, before=before),
    )
    nodes = build_all(build, model, page.items)
    edges = [Edge(cursor=cursor, node=node) for cursor, node in zip(page.cursors, nodes, strict=True)]
    return Connection(edges=edges, page_info=page_info(page), count=page.total_count)


# --- filters -------------------------------------------------------------------------------------


def filter_id(field: str, value: strawberry.ID | None, type_name: str) -> int | None:
    """A filter naming an id of the wrong kind matches nothing (as an id the caller cannot see)."""
    if value is None:
        return None
    decoded = decode_id(value)
    if decoded is None:
        raise InvalidInput(field, "is not an id of this API")
    return decoded[1] if decoded[0] == type_name else -1


def readable_filters(principal: Principal, given: object, relations: tuple[str, ...]) -> None:
    """A filter on a relation the caller cannot read would tell which rows have which value."""
    for relation in relations:
        if getattr(given, relation) is not None and not permissions.can_read_relation(principal, relation):
            raise InvalidInput(f"filter.{relation}", "you cannot filter by a field you cannot read")


def one_search(search: str | None, deprecated: str | None, field: str) -> str | None:
    """``search`` or the deprecated field it replaced, not both; trimmed, at least three characters
    (``InvalidInput`` naming the argument)."""
    if search is not None and deprecated is not None:
        raise InvalidInput(f"filter.{field}", "is the same as filter.search (deprecated): pass only search")
    if search is not None:
        return search_text(search, "filter.search")
    return search_text(deprecated, f"filter.{field}")


__all__ = ["connection", "filter_id", "one_search", "page_info", "page_request", "readable_filters"]
