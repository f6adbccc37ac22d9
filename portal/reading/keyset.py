"""The keyset paginator: one per entity, behind every list of that entity.

A page is ``WHERE <visible> AND <conditions> AND (sort, id) > (:value, :id) ORDER BY sort, id
LIMIT n + 1``: page 1,000 costs what page 1 costs (no OFFSET), and a row inserted meanwhile never
shifts a page. The position is the row-value comparison of :meth:`Keyset._beyond` (SQLite >= 3.15
and PostgreSQL), one place to change for another keyset form.

Rows are Core rows of the entity's table (every column that is not deferred, in table order, then
the sort value as ``_sort_key``), executed on the session's connection: no ORM loading step, and
the same rows for a web list, its CSV export and a GraphQL connection. Reads start from
:func:`portal.access.visible`; conditions come from the domain's ``queries.py``.

Nothing is cached here: building the statement per call keeps every decision of the access policy
current (a cache would have to be keyed by everything the statement depends on; see ARCHITECTURE's
Access rules). Compiled SQL is cached by SQLAlchemy itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Integer, Row, Select, TypeDecorator, bindparam, func, inspect, tuple_
from sqlalchemy.orm import QueryableAttribute, Session

from portal.access import Principal, visible
from portal.reading import cursor
from portal.reading.page import FIRST_PAGE, Page, PageRequest
from portal.reading.search import ColumnLike

S = TypeVar("S", bound=enum.Enum)

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


class Keyset(Generic[S]):
    """The lists of one entity: ``entity`` names it in cursors, ``sorts`` maps each value of its
    sort enum to a column or expression that is never NULL (ties are broken by id)."""

    def __init__(self, entity: str, model: type[Any], sorts: Mapping[S, ColumnLike]) -> None:
        self.entity = entity
        self.model = model
        table = model.__table__
        deferred = {prop.columns[0].key for prop in inspect(model).column_attrs if prop.deferred}
        self.columns = tuple(c for c in table.columns if c.key not in deferred)
        self.id: ColumnElement[int] = table.c.id
        self.sorts = {sort: _sort_key(str(sort.value), expr) for sort, expr in sorts.items()}

    def page(
        self,
        session: Session,
        principal: Principal,
        conditions: Iterable[ColumnElement[bool]],
        *,
        sort: S,
        descending: bool,
        page: PageRequest = FIRST_PAGE,
    ) -> Page[Row[Any]]:
        """One page of the rows the principal may see that match ``conditions``."""
        key = self.sorts[sort]
        size = page.size()
        conds = list(conditions)
        params: dict[str, Any] = {}
        stmt = self._visible(principal, conds)
        if page.after is not None:
            params["after_value"], params["after_id"] = self.position(page.after, "after", key)
            stmt = stmt.where(self._beyond(key, "after", greater=not descending))
        if page.before is not None:
            params["before_value"], params["before_id"] = self.position(page.before, "before", key)
            stmt = stmt.where(self._beyond(key, "before", greater=descending))
        ascending_walk = descending == page.backward
        column, ident = key.expression, self.id
        order = (column.asc(), ident.asc()) if ascending_walk else (column.desc(), ident.desc())
        stmt = stmt.add_columns(key.expression.label("_sort_key")).order_by(*order).limit(size + 1)
        rows = list(session.connection().execute(stmt, params).all()) if size else []
        more = len(rows) > size
        rows = rows[:size]
        if page.backward:
            rows.reverse()
        keys = [(row._sort_key, row.id) for row in rows]

        def encode(value: Any, ident: int) -> str:
            return cursor.encode(self.entity, key.name, value, ident)

        def count() -> int:
            return self.count(session, principal, conds)

        if page.backward:
            return Page(rows, page.before is not None, more, keys, encode, count)
        return Page(rows, more, page.after is not None, keys, encode, count)

    def count(self, session: Session, principal: Principal, conditions: Iterable[ColumnElement[bool]]) -> int:
        """How many rows the principal may see match ``conditions`` (one COUNT)."""
        stmt = visible(principal, self.model).with_only_columns(func.count(self.id)).where(*conditions)
        return int(session.connection().execute(stmt).scalar() or 0)

    def position(self, value: str, argument: str, key: SortKey) -> tuple[Any, int]:
        """The ``(sort value, id)`` of a cursor of this list and sort; else InvalidInput."""
        return cursor.decode(value, argument=argument, entity=self.entity, sort=key.name, kind=key.kind)

    def _visible(self, principal: Principal, conditions: list[ColumnElement[bool]]) -> Select[Any]:
        return visible(principal, self.model).with_only_columns(*self.columns).where(*conditions)

    def _beyond(self, key: SortKey, name: str, *, greater: bool) -> ColumnElement[bool]:
        """Rows past the cursor bound as ``{name}_value`` and ``{name}_id``."""
        here = tuple_(key.expression, self.id)
        there = tuple_(
            bindparam(f"{name}_value", type_=key.expression.type), bindparam(f"{name}_id", type_=Integer())
        )
        return here > there if greater else here < there
