"""Relay connections over the read layer's keyset pages (``portal.listing.keyset_rows``).

A cursor names the row's id only; the read layer reads the sort value back through the access
policy, so ``after`` and ``before`` cost one index lookup and page 1,000 costs what page 1 costs (no
OFFSET). A cursor of a row the caller may not see matches nothing: no ordering information leaks.
"""

from __future__ import annotations

from typing import TypeVar

from portal.errors import InvalidInput
from portal.gql import types as t
from portal.gql.ids import decode_cursor, encode_cursor
from portal.gql.loaders import build_all
from portal.listing import IdWindow, RowPage

B = TypeVar("B", bound=t.Built)

MAX_PAGE = 100
DEFAULT_PAGE = 20


def _cursor(field: str, value: str | None) -> int | None:
    if value is None:
        return None
    pk = decode_cursor(value)
    if pk is None:
        raise InvalidInput(field, "is not a cursor of this API")
    return pk


def page_size(first: int | None, last: int | None) -> tuple[int, bool]:
    """``(size, backwards)``; refuses negative sizes, both at once, and more than MAX_PAGE."""
    if first is not None and last is not None:
        raise InvalidInput("last", "pass either first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise InvalidInput(name, f"must be between 0 and {MAX_PAGE}")
    if last is not None:
        return last, True
    return (DEFAULT_PAGE if first is None else first), False


def window(*, first: int | None, after: str | None, last: int | None, before: str | None) -> IdWindow:
    size, backward = page_size(first, last)
    return IdWindow(size, backward, _cursor("after", after), _cursor("before", before))


def connection(build: type[B], model: type[object], page: RowPage) -> t.Connection[B]:
    nodes = build_all(build, model, page.rows)
    edges = [t.Edge(cursor=encode_cursor(node.pk), node=node) for node in nodes]
    info = t.PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return t.Connection(edges=edges, page_info=info, count=page.total_count)
