"""The read model of campaigns: the list behind the web page, its CSV export and the GraphQL
connection, and the results per campaign (leads, opportunities, won revenue, costs), always as far as
the reader sees: a dealer's figures count only its own leads and opportunities."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_
from sqlalchemy.orm import Session
from sqlalchemy.types import Date

from portal.access import Principal, permissions, visible
from portal.models import (
    Campaign,
    CampaignChannel,
    CampaignStatus,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStage,
    Segment,
    campaign_status,
)
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search

CENT = Decimal("0.01")
REVENUE_CURRENCY = "EUR"  # budgets are in euros; won revenue sums the won opportunities in euros
_LONG_AGO = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class CampaignQuery:
    """Which campaigns a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the name
    statuses: frozenset[CampaignStatus] = field(default_factory=frozenset)  # needs ``today``
    channels: frozenset[CampaignChannel] = field(default_factory=frozenset)
    today: date | None = None  # the day the statuses are read on (Berlin calendar)
    active_from: date | None = None  # the period overlaps [active_from, active_to]
    active_to: date | None = None


class CampaignSort(enum.StrEnum):
    STARTS_ON = "starts_on"
    NAME = "name"
    CREATED_AT = "created_at"


def _status_condition(status: CampaignStatus, today: date) -> ColumnElement[bool]:
    if status is CampaignStatus.PLANNED:
        return Campaign.starts_on > today
    if status is CampaignStatus.ENDED:
        return Campaign.ends_on < today
    return and_(
        or_(Campaign.starts_on.is_(None), Campaign.starts_on <= today),
        or_(Campaign.ends_on.is_(None), Campaign.ends_on >= today),
    )


def campaign_conditions(q: CampaignQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Campaign.name))
    if q.statuses:
        today = q.today or date.today()
        conds.append(or_(*(_status_condition(s, today) for s in sorted(q.statuses))))
    if q.channels:
        conds.append(Campaign.channel.in_([c.value for c in q.channels]))
    if q.active_from is not None:
        conds.append(or_(Campaign.ends_on.is_(None), Campaign.ends_on >= q.active_from))
    if q.active_to is not None:
        conds.append(or_(Campaign.starts_on.is_(None), Campaign.starts_on <= q.active_to))
    return conds


CAMPAIGNS = Keyset(
    "campaign",
    Campaign,
    {
        CampaignSort.STARTS_ON: func.coalesce(Campaign.starts_on, literal(_LONG_AGO, Date())),
        CampaignSort.NAME: Campaign.name,
        CampaignSort.CREATED_AT: Campaign.created_at,
    },
    campaign_conditions,
)


def list_campaigns(
    session: Session,
    principal: Principal,
    query: CampaignQuery = CampaignQuery(),
    *,
    sort: CampaignSort = CampaignSort.STARTS_ON,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return CAMPAIGNS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


def list_segments(session: Session, principal: Principal) -> list[Segment]:
    """Every segment the principal sees (owner staff: all; others: none), by name."""
    return list(session.scalars(visible(principal, Segment).order_by(Segment.name, Segment.id)))


@dataclass(frozen=True, slots=True)
class Results:
    """A campaign's responses and results as one reader sees them. ``budget`` and the costs are
    None for a reader who may not see the budget (dealers), or when there is nothing to divide by."""

    leads: int
    leads_by_status: dict[LeadStatus, int]
    opportunities: int
    won: int  # won opportunities
    won_revenue: Decimal  # their amounts, in euros
    budget: Decimal | None
    cost_per_lead: Decimal | None
    cost_per_won_euro: Decimal | None


def _money(value: Any) -> Decimal:
    # PostgreSQL sums NUMERIC exactly; SQLite (amounts are text there) sums as REAL: cents suffice
    return Decimal(str(value or 0)).quantize(CENT)


def results_for(session: Session, principal: Principal, campaigns: Iterable[Any]) -> dict[int, Results]:
    """The results of ``campaigns`` (rows or objects with ``id`` and ``budget``): two grouped queries
    over the leads and opportunities the principal sees."""
    budgets = {c.id: c.budget for c in campaigns}
    if not budgets:
        return {}
    by_status: dict[int, dict[LeadStatus, int]] = defaultdict(dict)
    leads = (
        visible(principal, Lead)
        .with_only_columns(Lead.campaign_id, Lead.status, func.count(Lead.id))
        .where(Lead.campaign_id.in_(budgets))
        .group_by(Lead.campaign_id, Lead.status)
    )
    for campaign_id, status, n in session.execute(leads):
        by_status[campaign_id or 0][LeadStatus(status)] = int(n)
    opportunities: dict[int, int] = defaultdict(int)
    won: dict[int, int] = defaultdict(int)
    revenue: dict[int, Decimal] = defaultdict(Decimal)
    stmt = (
        visible(principal, Opportunity)
        .with_only_columns(
            Opportunity.campaign_id,
            Opportunity.stage,
            Opportunity.currency,
            func.count(Opportunity.id),
            func.sum(Opportunity.amount),
        )
        .where(Opportunity.campaign_id.in_(budgets))
        .group_by(Opportunity.campaign_id, Opportunity.stage, Opportunity.currency)
    )
    for campaign_id, stage, currency, n, amount in session.execute(stmt):
        ident = campaign_id or 0  # never None: filtered by campaign_id IN (...)
        opportunities[ident] += int(n)
        if OpportunityStage(stage) is OpportunityStage.WON:
            won[ident] += int(n)
            if currency == REVENUE_CURRENCY:
                revenue[ident] += _money(amount)
    show_budget = permissions.can_see_campaign_budget(principal)
    found: dict[int, Results] = {}
    for ident, budget in budgets.items():
        counted = by_status.get(ident, {})
        total = sum(counted.values())
        money = revenue[ident].quantize(CENT)
        shown = Decimal(budget).quantize(CENT) if show_budget and budget is not None else None
        found[ident] = Results(
            leads=total,
            leads_by_status={s: counted.get(s, 0) for s in LeadStatus},
            opportunities=opportunities[ident],
            won=won[ident],
            won_revenue=money,
            budget=shown,
            cost_per_lead=(shown / total).quantize(CENT) if shown is not None and total else None,
            cost_per_won_euro=(shown / money).quantize(CENT) if shown is not None and money else None,
        )
    return found


@dataclass(frozen=True, slots=True)
class ResultsRow:
    campaign: Campaign
    status: CampaignStatus
    results: Results


def results_table(
    session: Session, principal: Principal, *, start: date, end: date, today: date
) -> list[ResultsRow]:
    """Every campaign whose period overlaps ``start``..``end``, by start, with its results."""
    query = CampaignQuery(active_from=start, active_to=end)
    stmt = (
        visible(principal, Campaign)
        .where(*campaign_conditions(query))
        .order_by(func.coalesce(Campaign.starts_on, literal(_LONG_AGO, Date())), Campaign.id)
        .limit(500)
    )
    campaigns = list(session.scalars(stmt))
    results = results_for(session, principal, campaigns)
    return [ResultsRow(c, campaign_status(c.starts_on, c.ends_on, today), results[c.id]) for c in campaigns]


def segment_size(session: Session, principal: Principal, campaign_id: int) -> int:
    """How many of the campaign's segment's customers the principal sees."""
    from portal.customers.queries import CUSTOMERS, CustomerQuery

    return CUSTOMERS.count(session, principal, CustomerQuery(campaign_id=campaign_id))


__all__ = [
    "CAMPAIGNS",
    "CampaignQuery",
    "CampaignSort",
    "Results",
    "ResultsRow",
    "list_campaigns",
    "list_segments",
    "results_for",
    "results_table",
    "segment_size",
]
