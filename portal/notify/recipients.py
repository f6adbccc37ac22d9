"""Who may be told: organizations, active users and preferences as a batch of notices sees them,
each candidate's principal as it stands now (`portal.access.standing_user`) and what of the wanted
objects that principal may read (`portal.access.rule_for`, the one access policy)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, select
from sqlalchemy.orm import Session

from portal.access import Principal, rule_for, standing_user
from portal.models import NotificationPreference, Organization, OrgKind, User
from portal.notify.notice import Notice
from portal.notify.notices import ID_CHUNK
from portal.notify.rules import RULE_OF, Choice, Email, Kind, may_be_told


class Directory:
    """Organizations, active users and preferences as a batch sees them (read once per batch), and
    each candidate's principal as it stands (read once per batch per user)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.parent: dict[int, int | None] = {}
        self.owner_orgs: set[int] = set()
        org_kind: dict[int, str] = {}
        for org_id, parent_id, kind in session.execute(
            select(Organization.id, Organization.parent_id, Organization.kind)
        ):
            self.parent[org_id] = parent_id
            org_kind[org_id] = kind.value
            if kind is OrgKind.OWNER:
                self.owner_orgs.add(org_id)
        self.users_of: dict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        self.roles: dict[int, frozenset[str]] = {}
        self.org_kind_of: dict[int, str] = {}  # user -> the kind of the user's organization
        for user_id, org_id, roles in session.execute(
            select(User.id, User.organization_id, User.roles).where(User.is_active.is_(True))
        ):
            role_set = frozenset(r for r in roles.split(",") if r)
            self.users_of[org_id].append((user_id, role_set))
            self.roles[user_id] = role_set
            self.org_kind_of[user_id] = org_kind.get(org_id, "")
        self.choices: dict[tuple[int, str], Choice] = {
            (pref.user_id, pref.kind): Choice(pref.inbox, Email(pref.email), pref.lead_minutes)
            for pref in session.scalars(select(NotificationPreference))
        }
        self._principals: dict[int, Principal | None] = {}
        self._choices: dict[tuple[int, Kind], Choice] = {}
        self.postgresql = session.get_bind().dialect.name == "postgresql"

    def principal(self, user_id: int) -> Principal | None:
        if user_id not in self._principals:
            self._principals[user_id] = standing_user(self.session, user_id)
        return self._principals[user_id]

    def choice(self, user_id: int, kind: Kind) -> Choice:
        key = (user_id, kind)
        if key not in self._choices:
            self._choices[key] = self._choice(user_id, kind)
        return self._choices[key]

    def _choice(self, user_id: int, kind: Kind) -> Choice:
        chosen = self.choices.get((user_id, kind.value))
        default = RULE_OF[kind.value].default_for(self.roles.get(user_id, frozenset()))
        if chosen is None:
            return default
        if chosen.lead_minutes is None and default.lead_minutes is not None:
            return Choice(chosen.inbox, chosen.email, default.lead_minutes)
        return chosen

    def _chain(self, org_id: int) -> Iterable[int]:
        """The organization and those above it (a dealer group sees what its branches see)."""
        seen: set[int] = set()
        current: int | None = org_id
        while current is not None and current not in seen and current in self.parent:
            seen.add(current)
            yield current
            current = self.parent[current]

    def candidates(self, notice: Notice) -> set[int]:
        found: set[int] = set()
        for org_id in notice.orgs:
            if org_id is None:
                continue
            for org in self._chain(org_id):
                if org in self.owner_orgs:  # the owner's staff come by role
                    if notice.admins_only:
                        found |= {u for u, roles in self.users_of[org] if "admin" in roles}
                    continue
                found |= {u for u, roles in self.users_of[org] if not notice.admins_only or "admin" in roles}
        if notice.owner_roles:
            for org in self.owner_orgs:
                found |= {u for u, roles in self.users_of[org] if roles & notice.owner_roles}
        found |= {u for u in notice.users if u is not None and u in self.roles}
        # The rules' audience of the kind: the preferences page offers a user the same kinds.
        found = {u for u in found if may_be_told(notice.kind, self.org_kind_of[u], self.roles[u])}
        if notice.users:  # one's own export: the actor is the one to tell
            return found
        if notice.actor_user_id is not None:
            found.discard(notice.actor_user_id)
        return found

    def readable(self, wanted: dict[tuple[int, type[Any]], set[int]]) -> set[tuple[int, type[Any], int]]:
        """Of each user's wanted ids per model, those the user may read now (portal.access)."""
        seen: set[tuple[int, type[Any], int]] = set()
        for (user_id, model), ids in wanted.items():
            principal = self.principal(user_id)
            if principal is None:  # gone or deactivated since the batch began
                continue
            ordered = sorted(ids)
            for start in range(0, len(ordered), ID_CHUNK):
                chunk = ordered[start : start + ID_CHUNK]
                stmt = select(model.id).where(rule_for(principal, model), self._among(model.id, chunk))
                seen |= {(user_id, model, ident) for ident in self.session.scalars(stmt)}
        return seen

    def _among(self, column: Any, ids: list[int]) -> ColumnElement[bool]:
        """``column IN (ids)``; on PostgreSQL ``= ANY(:array)``, one parameter instead of a thousand
        (the driver parses a long query text on every execution)."""
        if self.postgresql:
            return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))  # type: ignore[no-any-return]
        return column.in_(ids)  # type: ignore[no-any-return]
