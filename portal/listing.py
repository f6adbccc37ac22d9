"""Keyset pagination for every list in the portal and the API.

A page is fetched with ``WHERE (sort_key, id) > (last_key, last_id) ORDER BY sort_key, id LIMIT n+1``:
page 1,000 costs what page 1 costs, unlike OFFSET. Cursors are opaque (URL-safe base64 of the sort
value and the id); a malformed cursor raises :class:`~portal.errors.InvalidInput` naming the argument.

Usage from a domain's ``queries.py``::

    stmt = visible(principal, Order).where(...filters...)
    return paginate(session, stmt, Order, sort_column=Order.created_at, descending=True, page=page)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from portal.access.principal import Principal
from portal.access.queries import fetch_rows, table_rows, visible
from portal.errors import InvalidInput

T = TypeVar("T")

ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Relay-style arguments. ``first``/``after`` page forward, ``last``/``before`` backward."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def size(self) -> int:
        size = self.last if self.last is not None and self.first is None else self.first
        if size is None:
            return DEFAULT_PAGE_SIZE
        if size < 0:
            raise InvalidInput("first" if self.first is not None else "last", "must not be negative")
        return min(size, MAX_PAGE_SIZE)

    @property
    def backward(self) -> bool:
        return self.first is None and (self.last is not None or self.before is not None)


FIRST_PAGE = PageRequest()


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    keys: list[tuple[Any, int]]  # (sort value, id) of each item, for its cursor
    has_next_page: bool
    has_previous_page: bool
    _count: Callable[[], int] = field(repr=False)

    @property
    def cursors(self) -> list[str]:
        """One cursor per item (encoded on demand: a web page needs only the first and last)."""
        return [encode_cursor(value, ident) for value, ident in self.keys]

    @property
    def start_cursor(self) -> str | None:
        return encode_cursor(*self.keys[0]) if self.keys else None

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(*self.keys[-1]) if self.keys else None

    def total_count(self) -> int:
        """All rows matching the filters (one COUNT query, run only when asked)."""
        return self._count()


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "dec" in value:
            return Decimal(value["dec"])
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(sort_value: Any, ident: int) -> str:
    raw = json.dumps([_encode_value(sort_value), ident], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, argument: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, ident = json.loads(raw)
        if not isinstance(ident, int):
            raise ValueError("id is not an integer")
        return _decode_value(value), ident
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(argument, "is not a valid cursor; use a cursor from a previous page") from None


def _after(
    column: ColumnLike, id_column: ColumnLike, value: Any, ident: Any, forward: bool
) -> ColumnElement[bool]:
    if forward:
        return or_(column > value, and_(column == value, id_column > ident))
    return or_(column < value, and_(column == value, id_column < ident))


def paginate(
    session: Session,
    stmt: Select[T],
    model: type[Any],
    *,
    sort_column: ColumnLike,
    descending: bool = False,
    page: PageRequest | None = None,
) -> Page[T]:
    """One page of ``stmt`` (a pre-filtered ``select(model)``) ordered by ``sort_column`` then id.

    ``sort_column`` must not be NULL for any row (wrap nullable columns in ``coalesce``).
    """
    page = page or FIRST_PAGE
    size = page.size()
    query = _page_query(stmt, model.id, sort_column, descending, page, size)
    rows = list(session.execute(query, _cursor_params(page)).all())
    return _page_of(session, stmt, page, size, rows, entities=True)


def paginate_rows(
    session: Session,
    build: Callable[[], Select[*tuple[Any, ...]]],
    id_column: ColumnLike,
    *,
    sort_column: ColumnLike,
    descending: bool = False,
    page: PageRequest | None = None,
    cache_key: Hashable | None = None,
) -> Page[Row[Any]]:
    """:func:`paginate` for a select of columns (``id_column`` among them): plain rows, no ORM
    objects, for lists that show a few columns of many rows.

    ``build`` makes the filtered select. With a ``cache_key`` (everything the select depends on:
    the principal, the filter, the sort), the finished page query is built once per key and page
    shape and reused with the cursor as bound parameters: building a statement through the access
    policy and compiling its result columns costs more than running it on a page of 50 rows."""
    page = page or FIRST_PAGE
    size = page.size()
    shape = (cache_key, size, page.backward, page.after is not None, page.before is not None, descending)
    cached = _ROW_QUERIES.get(shape) if cache_key is not None else None
    if cached is None:
        base = build()
        cached = (base, _page_query(base, id_column, sort_column, descending, page, size))
        if cache_key is not None:
            if len(_ROW_QUERIES) >= 512:
                _ROW_QUERIES.clear()
            _ROW_QUERIES[shape] = cached
    base, query = cached
    # Plain column rows need none of the ORM's loading: run them on the connection (Core).
    rows = list(session.connection().execute(query, _cursor_params(page)).all())
    return _page_of(session, base, page, size, rows, entities=False)


_ROW_QUERIES: dict[tuple[Any, ...], tuple[Select[Any], Select[Any]]] = {}


def _page_query(
    base: Select[Any],
    id_column: ColumnLike,
    sort_column: ColumnLike,
    descending: bool,
    page: PageRequest,
    size: int,
) -> Select[Any]:
    """The page query of ``base`` with the cursors as bound parameters (``after_value``, ...)."""
    filtered = base
    if page.after is not None:
        value = bindparam("after_value", type_=sort_column.type)
        filtered = filtered.where(
            _after(sort_column, id_column, value, bindparam("after_id"), not descending)
        )
    if page.before is not None:
        value = bindparam("before_value", type_=sort_column.type)
        filtered = filtered.where(_after(sort_column, id_column, value, bindparam("before_id"), descending))
    ascending_walk = descending == page.backward
    order = (sort_column.asc(), id_column.asc()) if ascending_walk else (sort_column.desc(), id_column.desc())
    return (
        filtered.add_columns(sort_column.label("_sort_key"), id_column.label("_sort_id"))
        .order_by(*order)
        .limit(size + 1)
    )


def _cursor_params(page: PageRequest) -> dict[str, Any]:
    """The decoded cursors as the bound parameters of :func:`_page_query`."""
    params: dict[str, Any] = {}
    if page.after is not None:
        params["after_value"], params["after_id"] = decode_cursor(page.after, "after")
    if page.before is not None:
        params["before_value"], params["before_id"] = decode_cursor(page.before, "before")
    return params


def _page_of(
    session: Session, stmt: Select[Any], page: PageRequest, size: int, rows: list[Any], *, entities: bool
) -> Page[Any]:
    backward = page.backward
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    items: list[Any] = [row[0] for row in rows] if entities else rows
    keys = [(row[-2], row[-1]) for row in rows]

    def count() -> int:
        return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)

    if backward:
        return Page(items, keys, has_next_page=page.before is not None, has_previous_page=more, _count=count)
    return Page(items, keys, has_next_page=more, has_previous_page=page.after is not None, _count=count)


def search_pattern(text: str) -> str:
    """A LIKE pattern for a user's search text, with LIKE's own wildcards escaped (escape char ``\\``)."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches(pattern: str, *columns: ColumnLike) -> ColumnElement[bool]:
    """Case-insensitive substring search over several columns (names and numbers)."""
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))


# --- Core rows by id cursor (the GraphQL API) ---------------------------------------------------
#
# The API's cursors name a row's id only (``portal.gql.ids``); the sort value is read back through
# the access policy, so a cursor of a row the caller may not see matches nothing and leaks no
# ordering. Rows are Core rows of every column of the table, executed on the session's connection
# (no ORM loading step): a page of 50 orders with 500 lines is read at the speed of the driver.


@dataclass(frozen=True, slots=True)
class IdWindow:
    """Relay arguments with the cursors already decoded to row ids."""

    size: int
    backward: bool = False
    after_id: int | None = None
    before_id: int | None = None


@dataclass(slots=True)
class RowPage:
    rows: list[Row[Any]]
    has_next_page: bool
    has_previous_page: bool
    _count: Callable[[], int] = field(repr=False)

    def total_count(self) -> int:
        """All rows matching the filters (one COUNT query, run only when asked)."""
        return self._count()


def keyset_rows(
    session: Session,
    principal: Principal,
    model: type[Any],
    conditions: Sequence[ColumnElement[bool]],
    *,
    sort: str,
    descending: bool,
    window: IdWindow,
) -> RowPage:
    """One page of the visible rows of ``model`` matching ``conditions``, ordered by the column
    named ``sort`` (not NULL) then id; ``window`` says where the page starts and how long it is."""
    ident: ColumnElement[Any] = model.__table__.c.id
    column: ColumnElement[Any] = model.__table__.c[sort]
    conds = list(conditions)

    def beyond(pk: int, forward: bool) -> ColumnElement[bool]:
        greater = forward != descending  # "after" in the requested order
        if column is ident:
            return ident > pk if greater else ident < pk
        value = visible(principal, model).with_only_columns(column).where(ident == pk).scalar_subquery()
        if greater:
            return or_(column > value, and_(column == value, ident > pk))
        return or_(column < value, and_(column == value, ident < pk))

    if window.after_id is not None:
        conds.append(beyond(window.after_id, forward=True))
    if window.before_id is not None:
        conds.append(beyond(window.before_id, forward=False))
    size = window.size
    reverse = descending != window.backward
    order = [column.desc(), ident.desc()] if reverse else [column.asc(), ident.asc()]
    if column is ident:
        order = order[1:]
    rows = (
        fetch_rows(session, table_rows(principal, model).where(*conds).order_by(*order).limit(size + 1))
        if size
        else []
    )
    more = len(rows) > size
    rows = rows[:size]
    if window.backward:
        rows.reverse()

    def count() -> int:
        stmt = visible(principal, model).where(*conditions).with_only_columns(func.count(ident))
        return int(session.connection().execute(stmt).scalar() or 0)

    if window.backward:
        return RowPage(rows, window.before_id is not None, more, count)
    return RowPage(rows, more, window.after_id is not None, count)


def contains(column: ColumnLike, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match of the text as typed (LIKE's wildcards escaped)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
