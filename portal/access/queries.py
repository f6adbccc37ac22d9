"""Scoped reads: every repository query starts from :func:`visible`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from portal.access.policy import rule_for
from portal.access.principal import Principal
from portal.errors import NotFound

T = TypeVar("T")

ENTITY_NAMES: dict[str, str] = {
    "CustomerAssignment": "customer assignment",
    "OrderLine": "order line",
    "ShipmentLine": "shipment line",
    "InvoiceLine": "invoice line",
    "CaseComment": "case comment",
    "CaseAttachment": "case attachment",
    "ApiToken": "API token",
}


def entity_name(model: type[Any]) -> str:
    return ENTITY_NAMES.get(model.__name__, model.__name__.lower())


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
    stmt = visible(principal, model).where(model.id == ident).options(*options)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    obj = session.scalars(stmt).unique().one_or_none()
    if obj is None:
        raise NotFound(entity_name(model), ident)
    return obj


def visible_ids(session: Session, principal: Principal, model: type[Any]) -> set[int]:
    return set(session.scalars(select(model.id).where(rule_for(principal, model))))
