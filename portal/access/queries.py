"""Scoped reads: every repository query starts from :func:`visible`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from portal.access.policy import rule_for
from portal.access.principal import Principal
from portal.access.statements import remembered
from portal.errors import NotFound
from portal.records import Record, records
from portal.validation import MAX_ID

T = TypeVar("T")

ENTITY_NAMES: dict[str, str] = {"ApiToken": "API token"}


def entity_name(model: type[Any]) -> str:
    """The name used in NotFound messages: "order line" for OrderLine."""
    name = model.__name__
    return ENTITY_NAMES.get(name) or re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def visible(principal: Principal, model: type[T]) -> Select[T]:
    """``SELECT model WHERE <the principal may see it>``: the starting point of every read."""
    return select(model).where(rule_for(principal, model))


def get_visible(
    session: Session,
    principal: Principal,
    model: type[T],
    ident: int,
    *,
    options: Sequence[ExecutableOption] = (),
    for_update: bool = False,
) -> T:
    """The object with id ``ident`` if the principal may see it. A hidden id raises exactly the same
    :class:`~portal.errors.NotFound` as a missing one."""
    if isinstance(ident, int) and not 0 < ident <= MAX_ID:  # cannot exist (the database refuses it)
        raise NotFound(entity_name(model), ident)
    stmt = visible(principal, model).where(model.id == ident).options(*options)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    obj = session.scalars(stmt).unique().one_or_none()
    if obj is None:
        raise NotFound(entity_name(model), ident)
    return obj


def visible_ids(session: Session, principal: Principal, model: type[Any]) -> set[int]:
    return set(session.scalars(select(model.id).where(rule_for(principal, model))))


def load_by_ids(session: Session, principal: Principal, model: type[T], ids: Iterable[int]) -> dict[int, T]:
    """The visible objects among ``ids``, by id (for dataloaders: one query for a whole page)."""
    wanted = set(ids)
    if not wanted:
        return {}
    stmt = visible(principal, model).where(model.id.in_(wanted))  # type: ignore[attr-defined]
    return {obj.id: obj for obj in session.scalars(stmt)}  # type: ignore[attr-defined]


def load_children(
    session: Session, principal: Principal, model: type[T], parent_column: str, parent_ids: Iterable[int]
) -> dict[int, list[T]]:
    """Visible children of many parents at once, grouped by parent id, in id order."""
    wanted = set(parent_ids)
    result: dict[int, list[T]] = {ident: [] for ident in wanted}
    if not wanted:
        return result
    column = getattr(model, parent_column)
    stmt = visible(principal, model).where(column.in_(wanted)).order_by(model.id)  # type: ignore[attr-defined]
    for obj in session.scalars(stmt):
        result[getattr(obj, parent_column)].append(obj)
    return result


# --- Core rows: the API's batch reads -----------------------------------------------------------


def _table_select(principal: Principal, model: type[Any]) -> Select[Any]:
    """``visible(principal, model)`` narrowed to the table's columns, in table order: Core rows,
    no ORM objects."""
    return visible(principal, model).with_only_columns(*model.__table__.columns)


def _fetch(session: Session, stmt: Select[Any], ids: list[int]) -> list[Record]:
    """Rows of a Core select, executed on the session's connection: no ORM loading step."""
    result = session.connection().execute(stmt, {"ids": ids})
    return records(result.keys(), result.all())


# The batch reads of a request run the same few statements with other ids: one statement per
# principal, model and column, with the ids as an expanding parameter (`portal.access.statements`),
# instead of one per relation of every page: a third of a relation's load.
def _by_column(principal: Principal, model: type[Any], column: str, order_by: str | None) -> Select[Any]:
    def build() -> Select[Any]:
        table = model.__table__
        stmt = _table_select(principal, model).where(table.c[column].in_(bindparam("ids", expanding=True)))
        return stmt if order_by is None else stmt.order_by(table.c[order_by])

    return remembered(("rows_by_column", principal, model, column, order_by), build)


def rows_by_id(session: Session, principal: Principal, model: type[Any], ids: Iterable[int]) -> list[Record]:
    """The visible rows among ``ids`` (every column of the table), in no particular order."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return _fetch(session, _by_column(principal, model, "id", None), wanted)


def rows_by_parent(
    session: Session,
    principal: Principal,
    model: type[Any],
    parent_column: str,
    parent_ids: Iterable[int],
    *,
    order_by: str = "id",
) -> list[Record]:
    """Visible rows of many parents at once (every column of the table), ordered by ``order_by``."""
    wanted = sorted(set(parent_ids))
    if not wanted:
        return []
    return _fetch(session, _by_column(principal, model, parent_column, order_by), wanted)
