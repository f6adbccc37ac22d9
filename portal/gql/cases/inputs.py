"""The case connection's filter and ordering, and the inputs of the case mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from portal import models as m
from portal.access import Principal
from portal.cases.queries import CaseQuery, CaseSort
from portal.gql.base import SortDirection
from portal.gql.cases.types import CaseAction
from portal.gql.connection import filter_id, one_search, readable_filters

CaseSortField = strawberry.enum(CaseSort, name="CaseSortField")


@strawberry.input
class CaseFilter:
    status: list[m.CaseStatus] | None = None
    priority: list[m.CasePriority] | None = None
    category: list[m.CaseCategory] | None = None
    customer: strawberry.ID | None = None
    order: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="A part of the case number or the subject."
    )
    subject_contains: str | None = strawberry.field(
        default=None, deprecation_reason="Use search (it matches the subject and the case number)."
    )
    updated_after: datetime | None = None


@strawberry.input
class CaseOrder:
    field: CaseSort = CaseSort.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def case_query(f: CaseFilter | None, principal: Principal) -> CaseQuery:
    if f is None:
        return CaseQuery()
    readable_filters(principal, f, ("customer",))
    return CaseQuery(
        search=one_search(f.search, f.subject_contains, "subjectContains"),
        statuses=frozenset(f.status or ()),
        priorities=frozenset(f.priority or ()),
        categories=frozenset(f.category or ()),
        customer_id=filter_id("filter.customer", f.customer, "Customer"),
        order_id=filter_id("filter.order", f.order, "Order"),
        updated_after=f.updated_after,
    )


# --- mutations -----------------------------------------------------------------------------------


@strawberry.input
class CreateCaseInput:
    subject: str
    description: str = ""
    priority: m.CasePriority = m.CasePriority.NORMAL
    category: m.CaseCategory = m.CaseCategory.OTHER
    customer: strawberry.ID | None = None
    order: strawberry.ID | None = None
    routed_to: strawberry.ID | None = None


@strawberry.input
class UpdateCaseInput:
    """Its editable fields carry the names of ``portal.cases.service.CaseChanges``."""

    case: strawberry.ID
    subject: str | None = None
    description: str | None = None
    priority: m.CasePriority | None = None
    category: m.CaseCategory | None = None
    action: CaseAction | None = strawberry.field(default=None, description="Change the status.")
    expected_version: int | None = None


@strawberry.input
class RouteCaseInput:
    case: strawberry.ID
    organization: strawberry.ID | None = strawberry.field(description="null keeps the case in-house")
    expected_version: int | None = None


@strawberry.input
class ChangeCaseStatusInput:
    case: strawberry.ID
    action: CaseAction
    expected_version: int | None = None


@strawberry.input
class AddCaseAttachmentInput:
    case: strawberry.ID
    filename: str
    content_type: str = strawberry.field(description="One of the accepted types, e.g. application/pdf.")
    content_base64: str = strawberry.field(
        description="The file, base64-encoded; at most the server's PORTAL_MAX_ATTACHMENT_BYTES once decoded."
    )
    internal: bool = strawberry.field(default=False, description="Owner staff only: hidden from partners.")


@strawberry.input
class AddCaseCommentInput:
    case: strawberry.ID
    body: str
    internal: bool = False
