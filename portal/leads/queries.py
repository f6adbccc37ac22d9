"""The read model of leads: the list behind the web page, its CSV export and the GraphQL
connection."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from portal.access import Principal, remembered, visible
from portal.models import QUEUED_LEAD_STATUSES, Campaign, Lead, LeadStatus
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search


@dataclass(frozen=True, slots=True)
class LeadQuery:
    """Which leads a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the number, company, contact, e-mail or city
    statuses: frozenset[LeadStatus] = field(default_factory=frozenset)
    dealer_id: int | None = None
    campaign_id: int | None = None


QUEUE = frozenset(QUEUED_LEAD_STATUSES)  # "unassigned": marketing's queue


class LeadSort(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    COMPANY = "company"


def lead_conditions(q: LeadQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(
            text_search(q.search, Lead.number, Lead.company, Lead.contact_name, Lead.email, Lead.city)
        )
    if q.statuses:
        conds.append(Lead.status.in_(q.statuses))
    if q.dealer_id is not None:
        conds.append(Lead.dealer_id == q.dealer_id)
    if q.campaign_id is not None:
        conds.append(Lead.campaign_id == q.campaign_id)
    return conds


LEADS = Keyset(
    "lead",
    Lead,
    {
        LeadSort.CREATED_AT: Lead.created_at,
        LeadSort.UPDATED_AT: Lead.updated_at,
        LeadSort.COMPANY: Lead.company,
    },
    lead_conditions,
)


def list_leads(
    session: Session,
    principal: Principal,
    query: LeadQuery = LeadQuery(),
    *,
    sort: LeadSort = LeadSort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return LEADS.page(session, principal, query, sort=sort, descending=descending, page=page, columns=columns)


def filter_choices(session: Session, principal: Principal) -> dict[str, tuple[tuple[str, str], ...]]:
    """The options of the list's dealer and campaign filters: the dealers and partners and the
    campaigns the principal sees, by name."""
    from portal.partners.queries import seller_choices

    def build() -> Select[int, str]:
        shown = visible(principal, Campaign)
        if not principal.is_owner:
            # A dealer can only filter its leads by the campaigns that gave it some: those campaigns
            # are visible to it by that very rule, and asking only them spares the test of every
            # campaign's members against the dealer's customers (#15: 2.1x slower at scale 100).
            own_leads = (
                visible(principal, Lead).with_only_columns(Lead.id).where(Lead.campaign_id == Campaign.id)
            )
            shown = select(Campaign).where(own_leads.exists())
        return shown.with_only_columns(Campaign.id, Campaign.name).order_by(Campaign.name)

    campaigns = session.connection().execute(remembered(("lead_campaign_choices", principal), build))
    return {
        "dealer": seller_choices(session, principal),
        "campaign": tuple((str(i), name) for i, name in campaigns),
    }
