"""Who may do what to an object they can see: one function per action.

The services enforce these (``require``); the web templates and the GraphQL API call the same
functions to show or hide an action. Visibility (may the principal see the object at all?) is the
policy's business (:mod:`portal.access.policy`); these functions assume the object is visible.

Cases (decided for issue #12.10): the owner's staff run the case; external organizations take
part in it.

=====================  ==========================================================================
action                 who
=====================  ==========================================================================
edit subject and       the owner's staff, and the organization that opened the case (its own
description            words); not the organization a case is routed to
change the priority    the owner's staff, and the organization that opened the case while the case
                       is not routed to it: the priority sets the SLA deadline that binds the
                       organization working the case, and nobody sets the deadline it must meet
change the status      whoever may write and sees the case; ``close`` only the owner's staff and
                       the organization that opened the case
route                  the owner's staff
internal comments and  the owner's staff
attachments
=====================  ==========================================================================
"""

from __future__ import annotations

from typing import Protocol

from portal.access.principal import Principal
from portal.errors import PermissionDenied
from portal.models import CaseStatus


class CaseLike(Protocol):
    """What the case rules look at: a model ``Case`` or the API's ``Case`` object."""

    @property
    def opened_by_org_id(self) -> int: ...

    @property
    def routed_to_id(self) -> int | None: ...

    @property
    def status(self) -> CaseStatus: ...


def can_edit_case_text(principal: Principal, case: CaseLike) -> bool:
    """Subject and description."""
    return principal.can_write and (principal.is_owner or case.opened_by_org_id in principal.org_ids)


def can_change_case_priority(principal: Principal, case: CaseLike) -> bool:
    """Priority, and with it the SLA deadline."""
    if not principal.can_write:
        return False
    if principal.is_owner:
        return True
    return case.opened_by_org_id in principal.org_ids and case.routed_to_id not in principal.org_ids


def can_change_case_status(principal: Principal, case: CaseLike, action: str) -> bool:
    """One of the status actions (start, wait, resolve, reopen, close), whatever the current state."""
    if not principal.can_write:
        return False
    if action == "close":
        return principal.is_owner or case.opened_by_org_id in principal.org_ids
    return True


def can_route_case(principal: Principal, case: CaseLike | None = None) -> bool:
    return (
        principal.can_write and principal.is_owner and bool(principal.roles & {"admin", "sales", "support"})
    )


def can_add_internal(principal: Principal) -> bool:
    """Internal comments and attachments (never shown to external organizations)."""
    return principal.can_write and principal.is_owner


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with ``message`` (what the caller may not do, and who may) unless allowed."""
    if not allowed:
        raise PermissionDenied(message)


def can_read_relation(principal: Principal, relation: str) -> bool:
    """Whether the principal may read an order's or a case's ``customer``, ``dealer`` or ``supplier``
    (and so filter by it): suppliers never see the customer master or who sold an order; dealers
    and partners do not see which supplier an order is routed to. Lists use it to refuse a filter
    on a field the caller cannot read (it would tell which rows have which value)."""
    if principal.is_owner:
        return True
    if relation in ("customer", "dealer"):
        return not principal.is_supplier
    if relation == "supplier":
        return principal.is_supplier
    return True
