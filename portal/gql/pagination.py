"""Keyset pagination for Relay connections.

A cursor names the row's id only; the sort value is read back through the access policy, so
``after`` and ``before`` cost one index lookup and page 1,000 costs what page 1 costs (no OFFSET).
A cursor of a row the caller may not see matches nothing: no ordering information leaks.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, and_, func, or_

from portal.access import visible
from portal.errors import InvalidInput
from portal.gql import types as t
from portal.gql.ids import decode_cursor, encode_cursor
from portal.gql.loaders import Loaders, build_all, scoped_rows

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


def paginate(
    loaders: Loaders,
    model: type[Any],
    build: type[B],
    conditions: list[ColumnElement[bool]],
    sort: Any,
    descending: bool,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> t.Connection[B]:
    size, backwards = page_size(first, last)
    after_id, before_id = _cursor("after", after), _cursor("before", before)
    principal = loaders.principal
    ident = model.id
    conds = list(conditions)

    def beyond(pk: int, forward: bool) -> ColumnElement[bool]:
        value = visible(principal, model).with_only_columns(sort).where(ident == pk).scalar_subquery()
        greater = forward != descending  # "after" in the requested order
        if sort is ident:
            return cast("ColumnElement[bool]", ident > pk if greater else ident < pk)
        if greater:
            return or_(sort > value, and_(sort == value, ident > pk))
        return or_(sort < value, and_(sort == value, ident < pk))

    if after_id is not None:
        conds.append(beyond(after_id, forward=True))
    if before_id is not None:
        conds.append(beyond(before_id, forward=False))
    reverse = descending != backwards
    order: tuple[Any, ...] = (sort.desc(), ident.desc()) if reverse else (sort.asc(), ident.asc())
    if sort is ident:
        order = order[1:]
    stmt = scoped_rows(principal, model).where(*conds).order_by(*order).limit(size + 1)
    rows = list(loaders.rows(stmt)) if size else []
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    nodes = build_all(build, model, rows)
    edges = [t.Edge(cursor=encode_cursor(node.pk), node=node) for node in nodes]
    info = t.PageInfo(
        has_next_page=more if not backwards else before_id is not None,
        has_previous_page=more if backwards else after_id is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    count = visible(principal, model).where(*conditions).with_only_columns(func.count(ident))
    return t.Connection(edges=edges, page_info=info, count_query=count)
