"""Who may do what: one function per action (**rule**).

Each ``can_*`` function answers for one principal (and, where it matters, the object acted on).
The service that performs the action enforces it with `require`; the web templates and the GraphQL
layer call the same function to show or hide the action, so a control is shown exactly when the
service would accept it (the object's state is checked separately by the service: InvalidState).
Seeing an object at all is the policy's business (`portal.access.policy`), not these functions'.
"""

from __future__ import annotations

from typing import Protocol

from portal.access.principal import Principal
from portal.errors import PermissionDenied
from portal.models import OrgKind

OWNER_STAFF = frozenset({"admin", "sales", "support"})
OWNER_SALES = frozenset({"admin", "sales"})


class _Routed(Protocol):
    @property
    def supplier_id(self) -> int | None: ...
    @property
    def dealer_id(self) -> int | None: ...


class _Opened(Protocol):
    @property
    def opened_by_org_id(self) -> int | None: ...


class _Logged(Protocol):
    @property
    def organization_id(self) -> int | None: ...


def require(principal: Principal, allowed: bool, action: str, *, only: str = "") -> None:
    """Raise PermissionDenied naming ``action`` unless ``allowed`` (the answer of a ``can_*``);
    ``only`` says who may (``"admins"`` -> "only admins may add users")."""
    if allowed:
        return
    if not can_write(principal):
        raise PermissionDenied(f"your role is read-only: you may not {action}")
    if only:
        raise PermissionDenied(f"only {only} may {action}")
    raise PermissionDenied(f"your role or organization may not {action}")


def can_write(p: Principal) -> bool:
    """Any change at all: every role except the read-only viewer."""
    return bool(p.roles - {"viewer"})


def _owner_with(p: Principal, roles: frozenset[str]) -> bool:
    return p.is_owner and can_write(p) and bool(p.roles & roles)


# -- customers and activities ----------------------------------------------------------------
def can_create_customer(p: Principal) -> bool:
    return _owner_with(p, OWNER_SALES)


def can_share_customer(p: Principal) -> bool:
    """Share a customer with a dealer or partner, and stop sharing it."""
    return _owner_with(p, OWNER_SALES)


def can_add_contact(p: Principal) -> bool:
    return can_write(p) and not p.is_supplier


def can_log_activity(p: Principal) -> bool:
    """Log a call, meeting, note or task, or schedule an appointment, on a visible customer."""
    return can_write(p) and not p.is_supplier


def can_complete_task(p: Principal, activity: _Logged) -> bool:
    return can_write(p) and (p.is_owner or activity.organization_id in p.org_ids)


# -- orders ----------------------------------------------------------------------------------
def can_create_order(p: Principal) -> bool:
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and p.org_kind in (OrgKind.DEALER, OrgKind.PARTNER)


def can_route_order(p: Principal) -> bool:
    return _owner_with(p, OWNER_SALES)


def can_act_as_supplier(p: Principal, order: _Routed) -> bool:
    """Answer (confirm, change, reject lines), ship and invoice an order: the supplier it is routed
    to, or an owner admin on the supplier's behalf."""
    if not can_write(p):
        return False
    if p.is_owner:
        return "admin" in p.roles
    return order.supplier_id is not None and order.supplier_id in p.org_ids


def can_cancel_order(p: Principal, order: _Routed) -> bool:
    if p.is_owner:
        return _owner_with(p, OWNER_SALES)
    return can_write(p) and order.dealer_id is not None and order.dealer_id in p.org_ids


# -- cases -----------------------------------------------------------------------------------
def can_open_case(p: Principal) -> bool:
    return can_write(p)


def can_route_case(p: Principal) -> bool:
    return _owner_with(p, OWNER_STAFF)


def can_update_case(p: Principal) -> bool:
    """Subject, description and priority."""
    return can_write(p)


def can_change_case_status(p: Principal, case: _Opened, action: str) -> bool:
    """Start, wait, resolve, reopen; closing is for the owner or the organization that opened it."""
    if not can_write(p):
        return False
    return action != "close" or p.is_owner or case.opened_by_org_id in p.org_ids


def can_comment_case(p: Principal, *, internal: bool = False) -> bool:
    return can_write(p) and (not internal or p.is_owner)


def can_attach_file(p: Principal, *, internal: bool = False) -> bool:
    return can_write(p) and (not internal or p.is_owner)


# -- administration --------------------------------------------------------------------------
def can_manage_users(p: Principal, organization_id: int | None = None) -> bool:
    """Add, deactivate and reactivate users and issue and revoke API tokens: admins, for their own
    organizations (owner admins: for every organization). Without ``organization_id``: whether
    the principal manages any."""
    if not (can_write(p) and "admin" in p.roles):
        return False
    return organization_id is None or p.is_owner or organization_id in p.org_ids


def can_create_organization(p: Principal) -> bool:
    return _owner_with(p, frozenset({"admin"}))


def can_manage_exchange_profiles(p: Principal) -> bool:
    return _owner_with(p, frozenset({"admin"}))


def can_reprocess_file(p: Principal) -> bool:
    if p.is_owner:
        return _owner_with(p, OWNER_STAFF)
    return can_write(p) and "admin" in p.roles
