"""Writing to the transactional outbox. Every service change calls :func:`record` in its unit of work;
the audit log, change feed, subscriptions, notifications and outbound EDI read these rows."""

from __future__ import annotations

from typing import Any

from portal.access import Principal
from portal.db import UnitOfWork
from portal.models import Event


def record(
    uow: UnitOfWork, principal: Principal, kind: str, entity: str, entity_id: int, /, **payload: Any
) -> Event:
    event = Event(
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        actor_org_id=principal.org_id,
        actor_user_id=principal.user_id,
        actor_token_id=principal.token_id,
        payload={key: _jsonable(value) for key, value in payload.items()},
    )
    uow.session.add(event)
    return event


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
