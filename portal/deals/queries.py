"""The read model of deal registrations: the list (web, CSV, GraphQL)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, literal
from sqlalchemy.orm import Session
from sqlalchemy.types import Date

from portal.access import Principal
from portal.models import DealRegistration, DealStatus
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search

EXPIRING_DAYS = 14  # "expiring soon": protected for at most this many more days (the notice's lead)
_NEVER = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class DealQuery:
    """Which registrations a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the number, the prospect's name or city
    statuses: frozenset[DealStatus] = field(default_factory=frozenset)
    dealer_id: int | None = None  # registered by this organization
    protected_from: date | None = None  # approved, protected on or after this day
    protected_before: date | None = None  # approved, protection ending before this day

    @classmethod
    def expiring(cls, today: date, **fields: Any) -> DealQuery:
        """Approved registrations whose protection ends within :data:`EXPIRING_DAYS` from ``today``."""
        return cls(
            statuses=frozenset({DealStatus.APPROVED}),
            protected_from=today,
            protected_before=today + timedelta(days=EXPIRING_DAYS + 1),
            **fields,
        )


class DealSort(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    EXPECTED_CLOSE = "expected_close"
    AMOUNT = "amount"
    PROTECTED_UNTIL = "protected_until"  # registrations without protection last


def deal_conditions(q: DealQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(
            text_search(
                q.search, DealRegistration.number, DealRegistration.prospect_name, DealRegistration.city
            )
        )
    if q.statuses:
        conds.append(DealRegistration.status.in_(q.statuses))
    if q.dealer_id is not None:
        conds.append(DealRegistration.dealer_id == q.dealer_id)
    if q.protected_from is not None:
        conds.append(DealRegistration.protected_until >= q.protected_from)
    if q.protected_before is not None:
        conds.append(DealRegistration.protected_until < q.protected_before)
    return conds


DEALS = Keyset(
    "deal_registration",
    DealRegistration,
    {
        DealSort.CREATED_AT: DealRegistration.created_at,
        DealSort.UPDATED_AT: DealRegistration.updated_at,
        DealSort.EXPECTED_CLOSE: DealRegistration.expected_close,
        DealSort.AMOUNT: DealRegistration.amount,
        DealSort.PROTECTED_UNTIL: func.coalesce(DealRegistration.protected_until, literal(_NEVER, Date())),
    },
    deal_conditions,
)


def list_deal_registrations(
    session: Session,
    principal: Principal,
    query: DealQuery = DealQuery(),
    *,
    sort: DealSort = DealSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return DEALS.page(session, principal, query, sort=sort, descending=descending, page=page, columns=columns)
