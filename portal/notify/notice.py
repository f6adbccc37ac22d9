"""One thing to tell (:class:`Notice`), and the owner's staff that hear of orders and of cases: what
the event rules (`portal.notify.notices`, `portal.notify.sales_notices`) and the scheduler make,
and the recipients and delivery steps take."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal.notify.rules import Kind

OWNER_ORDER_STAFF = frozenset({"admin", "sales"})
OWNER_CASE_STAFF = frozenset({"admin", "support"})


def is_int(value: Any) -> bool:
    """A payload value that is an id (JSON has no int/bool distinction Python keeps)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell: its kind, what it links to, what a recipient must be able to read, who
    the candidates are, and its key (an event, or a scheduler's occasion)."""

    kind: Kind
    entity: str
    entity_id: int
    check: tuple[type[Any], int] | None  # None: only ``users`` (their own export)
    payload: dict[str, Any] = field(default_factory=dict)
    event_id: int | None = None
    occasion: str | None = None
    actor_user_id: int | None = None
    orgs: tuple[int | None, ...] = ()  # external organizations (and those above them) concerned
    owner_roles: frozenset[str] = frozenset()  # the owner's staff of these roles
    admins_only: bool = False  # of ``orgs``, only admins (and the owner's admins, for the owner)
    users: tuple[int | None, ...] = ()  # these users themselves
    starts_at: datetime | None = None  # a reminder: due at starts_at minus the user's lead time
