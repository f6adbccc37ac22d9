"""The keyset paginator: one per entity, behind every list of that entity.

A page is ``WHERE <visible> AND <conditions> AND (sort, id) > (:value, :id) ORDER BY sort, id
LIMIT n + 1``: page 1,000 costs what page 1 costs (no OFFSET), and a row inserted meanwhile never
shifts a page. The position is the row-value comparison of :meth:`Keyset._beyond` (SQLite >= 3.15
and PostgreSQL), one place to change for another keyset form.

Rows are Core rows of the entity's table (every column that is not deferred, in table order, then
the sort value as ``_sort_key``), executed on the session's connection: no ORM loading step, and
the same rows for a web list, its CSV export and a GraphQL connection. They are handed out as named
tuples (`portal.records`: a Row's attribute reads cost twenty times more). Reads start from
:func:`portal.access.visible`; the conditions come from the entity's conditions function.

The finished statement is cached: building it through the access policy, and SQLAlchemy computing
a fresh statement's cache key, cost more than running it on a page of 50 rows. The key is made
here, of everything the statement is built from (the entity, the principal, the query, the sort,
the direction and the page's shape; the cursor's values are bound parameters), so no caller can
forget a part of it. A conditions function must therefore depend on its query alone (a moment
such as "now" is a field of the query, filled at the edge).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, TypeDecorator, bindparam, func, inspect, tuple_
from sqlalchemy.orm import QueryableAttribute, Session

from portal.access import Principal, visible
from portal.reading import cursor
from portal.reading.page import FIRST_PAGE, Page, PageRequest
from portal.reading.search import ColumnLike
from portal.records import Record, records

S = TypeVar("S", bound=enum.Enum)
Q = TypeVar("Q", bound=Hashable)

CACHE_SIZE = 256  # statements per entity; a key holding a moment ("now") makes a new one each time

_KINDS = (datetime, date, Decimal, int, str)  # datetime before date: it is one


@dataclass(frozen=True, slots=True, eq=False)
class SortKey:
    """A sort of a list: its name in cursors, its SQL expression (never NULL), its Python type."""

    name: str
    expression: ColumnElement[Any]
    kind: type


def _sort_key(name: str, expression: ColumnLike) -> SortKey:
    element: ColumnElement[Any] = (
        expression.__clause_element__() if isinstance(expression, QueryableAttribute) else expression
    )
    sql_type = element.type
    # A TypeDecorator (UTC times, amounts) says ``object``; the type it decorates knows better.
    python_type = (sql_type.impl_instance if isinstance(sql_type, TypeDecorator) else sql_type).python_type
    kind = next((k for k in _KINDS if issubclass(python_type, k)), None)
    if kind is None:
        raise TypeError(f"cannot page by a {python_type.__name__} ({name})")
    return SortKey(name, element, kind)


class Keyset(Generic[Q, S]):
    """The lists of one entity: ``entity`` names it in cursors, ``sorts`` maps each value of its
    sort enum to a column or expression that is never NULL (ties are broken by id), and
    ``conditions`` turns the entity's query (a frozen, hashable dataclass) into SQL conditions."""

    def __init__(
        self,
        entity: str,
        model: type[Any],
        sorts: Mapping[S, ColumnLike],
        conditions: Callable[[Q], list[ColumnElement[bool]]],
    ) -> None:
        self.entity = entity
        self.model = model
        self.conditions = conditions
        self._statements: dict[Hashable, Select[Any]] = {}
        self._projections: dict[tuple[str, ...], tuple[ColumnElement[Any], ...]] = {}  # a few per list
        table = model.__table__
        deferred = {prop.columns[0].key for prop in inspect(model).column_attrs if prop.deferred}
        self.columns = tuple(c for c in table.columns if c.key not in deferred)
        self.id: ColumnElement[int] = table.c.id
        self._id_index = next(i for i, c in enumerate(self.columns) if c.key == "id")
        self.sorts = {sort: _sort_key(str(sort.value), expr) for sort, expr in sorts.items()}

    def page(
        self,
        session: Session,
        principal: Principal,
        query: Q,
        *,
        sort: S,
        descending: bool,
        page: PageRequest = FIRST_PAGE,
        columns: tuple[str, ...] | None = None,
    ) -> Page[Record]:
        """One page of the rows the principal may see that match ``query``: every column, or ``id``
        and the named ``columns`` (a list that shows a few columns of many rows reads only those)."""
        key = self.sorts[sort]
        selected = self.columns if columns is None else self._projection(columns)
        size = page.size()
        params: dict[str, Any] = {}
        if page.after is not None:
            params["after_value"], params["after_id"] = self.position(page.after, "after", key)
        if page.before is not None:
            params["before_value"], params["before_id"] = self.position(page.before, "before", key)
        shape = (page.backward, page.after is not None, page.before is not None, size)
        stmt = self._statement(
            ("page", principal, query, sort, descending, shape, columns),
            lambda: self._page_statement(principal, query, key, descending, page, size, selected),
        )
        rows: list[Record] = []
        if size:
            result = session.connection().execute(stmt, params)
            rows = records(result.keys(), result.all())
        more = len(rows) > size
        rows = rows[:size]
        if page.backward:
            rows.reverse()
        at = self._id_index if columns is None else 0
        keys = [(row[-1], row[at]) for row in rows]

        def encode(value: Any, ident: int) -> str:
            return cursor.encode(self.entity, key.name, value, ident)

        def count() -> int:
            return self.count(session, principal, query)

        if page.backward:
            return Page(rows, page.before is not None, more, keys, encode, count)
        return Page(rows, more, page.after is not None, keys, encode, count)

    def count(self, session: Session, principal: Principal, query: Q) -> int:
        """How many rows the principal may see match ``query`` (one COUNT)."""
        stmt = self._statement(
            ("count", principal, query),
            lambda: (
                visible(principal, self.model)
                .with_only_columns(func.count(self.id))
                .where(*self.conditions(query))
            ),
        )
        return int(session.connection().execute(stmt).scalar() or 0)

    def position(self, value: str, argument: str, key: SortKey) -> tuple[Any, int]:
        """The ``(sort value, id)`` of a cursor of this list and sort; else InvalidInput."""
        return cursor.decode(value, argument=argument, entity=self.entity, sort=key.name, kind=key.kind)

    def _statement(self, key: Hashable, build: Callable[[], Select[Any]]) -> Select[Any]:
        found = self._statements.get(key)
        if found is None:
            found = build()
            if len(self._statements) >= CACHE_SIZE:
                self._statements.clear()
            self._statements[key] = found
        return found

    def _projection(self, names: tuple[str, ...]) -> tuple[ColumnElement[Any], ...]:
        found = self._projections.get(names)
        if found is None:
            by_name = {c.key: c for c in self.columns}
            unknown = [name for name in names if name not in by_name]
            if unknown:
                raise ValueError(f"{self.entity} has no column {', '.join(unknown)}")
            found = self._projections[names] = (self.id, *(by_name[name] for name in names if name != "id"))
        return found

    def _page_statement(
        self,
        principal: Principal,
        query: Q,
        key: SortKey,
        descending: bool,
        page: PageRequest,
        size: int,
        columns: tuple[ColumnElement[Any], ...],
    ) -> Select[Any]:
        stmt = visible(principal, self.model).with_only_columns(*columns).where(*self.conditions(query))
        if page.after is not None:
            stmt = stmt.where(self._beyond(key, "after", greater=not descending))
        if page.before is not None:
            stmt = stmt.where(self._beyond(key, "before", greater=descending))
        column, ident = key.expression, self.id
        order = (column.asc(), ident.asc()) if descending == page.backward else (column.desc(), ident.desc())
        return stmt.add_columns(column.label("_sort_key")).order_by(*order).limit(size + 1)

    def _beyond(self, key: SortKey, name: str, *, greater: bool) -> ColumnElement[bool]:
        """Rows past the cursor bound as ``{name}_value`` and ``{name}_id``."""
        here = tuple_(key.expression, self.id)
        there = tuple_(
            bindparam(f"{name}_value", type_=key.expression.type), bindparam(f"{name}_id", type_=Integer())
        )
        return here > there if greater else here < there
