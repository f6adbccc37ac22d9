"""Support cases: open, route to one external organization at a time, comment, attach, resolve, close."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy.orm import Session

from portal import validation
from portal.access import Principal, get_visible
from portal.access import permissions as may
from portal.access.permissions import CaseLike
from portal.db import UnitOfWork
from portal.errors import Conflict, InvalidInput, InvalidState
from portal.events import record
from portal.models import (
    SLA,
    Case,
    CaseAttachment,
    CaseCategory,
    CaseComment,
    CasePriority,
    CaseStatus,
    Customer,
    Order,
    Organization,
    OrgKind,
)
from portal.models.base import utcnow
from portal.numbering import next_value

ALLOWED_ATTACHMENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/xml",
        "text/xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# Which status changes are allowed, and the verb used in error messages.
TRANSITIONS: dict[str, tuple[frozenset[CaseStatus], CaseStatus]] = {
    "start": (frozenset({CaseStatus.OPEN, CaseStatus.WAITING}), CaseStatus.IN_PROGRESS),
    "wait": (frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS}), CaseStatus.WAITING),
    "resolve": (
        frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING}),
        CaseStatus.RESOLVED,
    ),
    "reopen": (frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED}), CaseStatus.OPEN),
    "close": (
        frozenset({CaseStatus.RESOLVED, CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING}),
        CaseStatus.CLOSED,
    ),
}


def status_actions(principal: Principal, case: CaseLike) -> list[str]:
    """The status actions the principal may take on the case now (for buttons and API hints)."""
    return [
        name
        for name, (allowed, _target) in TRANSITIONS.items()
        if case.status in allowed and may.can_change_case_status(principal, case, name)
    ]


def load_case(uow: UnitOfWork, principal: Principal, case_id: int, *, for_update: bool = False) -> Case:
    return get_visible(uow.session, principal, Case, case_id, for_update=for_update)


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise Conflict(f"case {case.number} was changed meanwhile; reload it")
    case.updated_at = utcnow()


def open_case(
    *,
    uow: UnitOfWork,
    principal: Principal,
    subject: str,
    description: str = "",
    priority: CasePriority = CasePriority.NORMAL,
    category: CaseCategory = CaseCategory.OTHER,
    customer_id: int | None = None,
    order_id: int | None = None,
    routed_to_id: int | None = None,
    now: datetime | None = None,
) -> Case:
    may.require(principal, may.can_open_case(principal), "open cases")
    session = uow.session
    if customer_id is not None:
        get_visible(session, principal, Customer, customer_id)
    if order_id is not None:
        order = get_visible(session, principal, Order, order_id)
        if customer_id is not None and order.customer_id != customer_id:
            raise InvalidInput("order", "belongs to another customer")
        # A supplier may not learn the customer through a case: keep the customer link owner-side.
        customer_id = customer_id if not principal.is_supplier else None
    if routed_to_id is not None:
        may.require(principal, may.can_route_case(principal), "route cases", only="the owner's staff")
        _routable(session, principal, routed_to_id)
    opened = now or utcnow()
    case = Case(
        number=f"C-{next_value(session, 'case'):06d}",
        subject=validation.required_text("subject", subject),
        description=validation.text("description", description, max_length=10000, required=False) or "",
        priority=priority,
        category=category,
        customer_id=customer_id,
        order_id=order_id,
        routed_to_id=routed_to_id,
        opened_by_org_id=principal.org_id,
        opened_by_user_id=principal.user_id,
        status=CaseStatus.OPEN,
        sla_due_at=opened + SLA[priority],
        created_at=opened,
    )
    session.add(case)
    uow.flush()
    record(
        uow,
        principal,
        "case.opened",
        "case",
        case.id,
        number=case.number,
        priority=priority.value,
        routed_to_id=routed_to_id,
    )
    return case


def _routable(session: Session, principal: Principal, org_id: int) -> Organization:
    org = get_visible(session, principal, Organization, org_id)
    if org.kind is OrgKind.OWNER:
        raise InvalidInput("routed_to", "route to an external organization, or unroute to keep it in-house")
    return org


def route_case(
    *,
    uow: UnitOfWork,
    principal: Principal,
    case_id: int,
    organization_id: int | None,
    expected_version: int | None = None,
) -> Case:
    case = load_case(uow, principal, case_id, for_update=True)
    may.require(principal, may.can_route_case(principal, case), "route cases", only="the owner's staff")
    if case.status is CaseStatus.CLOSED:
        raise InvalidState("case", case.status.value, "route")
    if organization_id is not None:
        _routable(uow.session, principal, organization_id)
    _check_version(case, expected_version)
    case.routed_to_id = organization_id
    uow.flush()
    record(uow, principal, "case.routed", "case", case.id, number=case.number, routed_to_id=organization_id)
    return case


@dataclass(frozen=True, slots=True)
class CaseChanges:
    """An edit of a case: each field that is not None is set (a value equal to the current one is
    no change). Edges fill it by field name (``dataclasses.fields``), so a field added here reaches
    every edge that has an input of that name, and an edit that sets only it is never dropped."""

    subject: str | None = None
    description: str | None = None
    priority: CasePriority | None = None
    category: CaseCategory | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


def update_case(
    *,
    uow: UnitOfWork,
    principal: Principal,
    case_id: int,
    changes: CaseChanges,
    expected_version: int | None = None,
) -> Case:
    """Who may change which field: see :mod:`portal.access.permissions` (a value equal to the
    current one is no change, so a form that sends every field works for every role)."""
    case = load_case(uow, principal, case_id, for_update=True)
    may.require(principal, may.can_update_case(principal), "update cases")
    if case.status is CaseStatus.CLOSED:
        raise InvalidState("case", case.status.value, "update")
    new_subject = None if changes.subject is None else validation.required_text("subject", changes.subject)
    new_description = (
        None
        if changes.description is None
        else validation.text("description", changes.description, max_length=10000, required=False) or ""
    )
    priority, category = changes.priority, changes.category
    if (
        (new_subject is not None and new_subject != case.subject)
        or (new_description is not None and new_description != case.description)
        or (category is not None and category is not case.category)
    ):
        may.require(
            principal,
            may.can_edit_case_text(principal, case),
            "edit the subject, description and category of this case",
            only="the owner's staff and the organization that opened the case",
        )
    if priority is not None and priority is not case.priority:
        may.require(
            principal,
            may.can_change_case_priority(principal, case),
            "change the priority of this case",
            only="the owner's staff and the organization that opened the case (unless it is routed to it)",
        )
    _check_version(case, expected_version)
    if new_subject is not None:
        case.subject = new_subject
    if new_description is not None:
        case.description = new_description
    if category is not None:
        case.category = category
    if priority is not None and priority is not case.priority:
        case.priority = priority
        case.sla_due_at = case.created_at + SLA[priority]
    uow.flush()
    record(uow, principal, "case.updated", "case", case.id, number=case.number, priority=case.priority.value)
    return case


def change_status(
    *, uow: UnitOfWork, principal: Principal, case_id: int, action: str, expected_version: int | None = None
) -> Case:
    """``action`` is one of start, wait, resolve, reopen, close."""
    if action not in TRANSITIONS:
        raise InvalidInput("action", f"unknown action {action!r}; use one of {', '.join(TRANSITIONS)}")
    case = load_case(uow, principal, case_id, for_update=True)
    may.require(principal, may.can_change_case_status(principal, case, action), f"{action} cases")
    allowed_from, target = TRANSITIONS[action]
    if case.status not in allowed_from:
        raise InvalidState("case", case.status.value, action)
    _check_version(case, expected_version)
    now = utcnow()
    case.status = target
    if target is CaseStatus.RESOLVED:
        case.resolved_at = now
    elif target is CaseStatus.CLOSED:
        case.closed_at = now
    elif target is CaseStatus.OPEN:
        case.resolved_at = case.closed_at = None
    uow.flush()
    record(uow, principal, f"case.{target.value}", "case", case.id, number=case.number, status=target.value)
    return case


def add_comment(
    *, uow: UnitOfWork, principal: Principal, case_id: int, body: str, internal: bool = False
) -> CaseComment:
    case = load_case(uow, principal, case_id)
    may.require(
        principal,
        may.can_comment_case(principal, internal=internal),
        "write internal comments" if internal else "comment on cases",
    )
    if case.status is CaseStatus.CLOSED:
        raise InvalidState("case", case.status.value, "comment on")
    comment = CaseComment(
        case_id=case.id,
        author_org_id=principal.org_id,
        author_user_id=principal.user_id,
        author_name=principal.name or "unknown",
        body=validation.required_text("body", body, max_length=20000),
        internal=internal,
    )
    uow.session.add(comment)
    if not internal:  # an internal note does not change what partners see, not even the case's time
        case.updated_at = utcnow()
    uow.flush()
    record(uow, principal, "case.commented", "case", case.id, comment_id=comment.id, internal=internal)
    return comment


def add_attachment(
    *,
    uow: UnitOfWork,
    principal: Principal,
    case_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    internal: bool = False,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> CaseAttachment:
    case = load_case(uow, principal, case_id)
    may.require(
        principal,
        may.can_attach_file(principal, internal=internal),
        "add internal attachments" if internal else "attach files",
    )
    name = validation.required_text("filename", filename.replace("\\", "/").rsplit("/", 1)[-1])
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise InvalidInput("file", f"files of type {content_type} are not accepted")
    if not data:
        raise InvalidInput("file", "the file is empty")
    if len(data) > max_bytes:
        raise InvalidInput("file", f"the file has {len(data)} bytes; the limit is {max_bytes}")
    attachment = CaseAttachment(
        case_id=case.id,
        uploaded_by_org_id=principal.org_id,
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        internal=internal,
        data=data,
    )
    uow.session.add(attachment)
    uow.flush()
    record(
        uow,
        principal,
        "case.attachment_added",
        "case",
        case.id,
        attachment_id=attachment.id,
        filename=name,
        internal=internal,
    )
    return attachment
