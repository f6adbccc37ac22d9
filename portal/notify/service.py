"""Use cases of the inbox: mark read, and each user's preferences per kind.

Both change only the user's own rows (``portal.access`` finds them) and write no outbox event:
they are the reader's bookkeeping, not business data any other party follows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.access import Principal, permissions, rule_for, visible
from portal.db import UnitOfWork
from portal.errors import InvalidInput
from portal.models import Notification, NotificationPreference
from portal.models.base import utcnow
from portal.notify.rules import LEAD_CHOICES, RULE_OF, Choice, Email, Kind, Rule, rules_for


def mark_read(
    uow: UnitOfWork, principal: Principal, ids: Collection[int] | None, *, now: datetime | None = None
) -> int:
    """Mark the principal's own notifications ``ids`` (None: all of them) read; ids of others are
    ignored, like missing ones. Returns how many changed."""
    permissions.require(principal, permissions.can_use_inbox(principal), "use an inbox")
    stmt = (
        update(Notification)
        .where(rule_for(principal, Notification), Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        wanted = sorted({i for i in ids if isinstance(i, int)})
        if not wanted:
            return 0
        stmt = stmt.where(Notification.id.in_(wanted))
    result = uow.session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]


def mark_read_on_opening(
    uow: UnitOfWork, principal: Principal, entity: str, entity_id: int, *, now: datetime | None = None
) -> int:
    """The principal opened the object ``entity`` ``entity_id``: its own unread notifications about
    that object are read (one UPDATE by user and object; nobody else's). Returns how many."""
    if not permissions.can_use_inbox(principal):
        return 0  # an API token has no inbox: nothing to mark
    unread = (
        rule_for(principal, Notification),
        Notification.read_at.is_(None),
        Notification.entity == entity,
        Notification.entity_id == entity_id,
    )
    # Most pages are opened with nothing unread about them: no write (on SQLite, no write lock).
    if uow.session.scalar(select(Notification.id).where(*unread).limit(1)) is None:
        return 0
    result = uow.session.execute(
        update(Notification)
        .where(*unread)
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Preference:
    rule: Rule
    choice: Choice
    chosen: bool  # the user's own choice, not the default of its roles


def preferences(session: Session, principal: Principal) -> list[Preference]:
    """Every kind the principal can be told of (`rules_for`: its organization's kind and its roles)
    with its choice or its roles' default, in the rules' order."""
    permissions.require(principal, permissions.can_use_inbox(principal), "use an inbox")
    own = {p.kind: p for p in session.scalars(visible(principal, NotificationPreference))}
    result: list[Preference] = []
    for rule in rules_for(principal.org_kind.value, principal.roles):
        default = rule.default_for(principal.roles)
        pref = own.get(rule.kind.value)
        if pref is None:
            result.append(Preference(rule, default, False))
        else:
            lead = pref.lead_minutes if pref.lead_minutes is not None else default.lead_minutes
            result.append(Preference(rule, Choice(pref.inbox, Email(pref.email), lead), True))
    return result


def set_preferences(uow: UnitOfWork, principal: Principal, choices: Mapping[str, Choice]) -> None:
    """Store the principal's choice for each kind given (others keep theirs)."""
    permissions.require(principal, permissions.can_use_inbox(principal), "use an inbox")
    assert principal.user_id is not None
    for kind, choice in choices.items():
        if kind not in RULE_OF:
            raise InvalidInput("kind", "unknown value")
        if not isinstance(choice.email, Email):
            raise InvalidInput(f"{kind}.email", "unknown value")
        if kind == Kind.APPOINTMENT_REMINDER.value:
            if choice.lead_minutes not in LEAD_CHOICES:
                raise InvalidInput(f"{kind}.lead_minutes", "unknown value")
        elif choice.lead_minutes is not None:
            raise InvalidInput(f"{kind}.lead_minutes", "only appointment reminders have a lead time")
    existing = {
        p.kind: p
        for p in uow.session.scalars(
            select(NotificationPreference).where(rule_for(principal, NotificationPreference))
        )
    }
    for kind, choice in choices.items():
        pref = existing.get(kind)
        if pref is None:
            pref = NotificationPreference(user_id=principal.user_id, kind=kind)
            uow.session.add(pref)
        pref.inbox, pref.email, pref.lead_minutes = choice.inbox, choice.email.value, choice.lead_minutes
    uow.flush()
