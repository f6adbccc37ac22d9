"""The read model of opportunities: the list (web, CSV, GraphQL), the pipeline board's stage
totals and the forecast by month."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portal.access import Principal, load_by_ids, opportunity_tally_rule, visible
from portal.models import (
    OPEN_STAGES,
    Campaign,
    DealRegistration,
    Lead,
    Opportunity,
    OpportunityStage,
    OpportunityTally,
)
from portal.models.opportunity_tallies import to_money, won_day
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class OpportunityQuery:
    """Which opportunities a list shows; one meaning per field (docs/developing.md, "Read models")."""

    search: str | None = None  # a substring of the number or the name
    stages: frozenset[OpportunityStage] = field(default_factory=frozenset)
    customer_id: int | None = None
    dealer_id: int | None = None
    owner_user_id: int | None = None
    closes_from: date | None = None  # expected_close at or after
    closes_before: date | None = None  # expected_close before


class OpportunitySort(enum.StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    EXPECTED_CLOSE = "expected_close"
    AMOUNT = "amount"
    NAME = "name"


def opportunity_conditions(q: OpportunityQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.search:
        conds.append(text_search(q.search, Opportunity.number, Opportunity.name))
    if q.stages:
        conds.append(Opportunity.stage.in_(q.stages))
    if q.customer_id is not None:
        conds.append(Opportunity.customer_id == q.customer_id)
    if q.dealer_id is not None:
        conds.append(Opportunity.dealer_id == q.dealer_id)
    if q.owner_user_id is not None:
        conds.append(Opportunity.owner_user_id == q.owner_user_id)
    if q.closes_from is not None:
        conds.append(Opportunity.expected_close >= q.closes_from)
    if q.closes_before is not None:
        conds.append(Opportunity.expected_close < q.closes_before)
    return conds


OPPORTUNITIES = Keyset(
    "opportunity",
    Opportunity,
    {
        OpportunitySort.CREATED_AT: Opportunity.created_at,
        OpportunitySort.UPDATED_AT: Opportunity.updated_at,
        OpportunitySort.EXPECTED_CLOSE: Opportunity.expected_close,
        OpportunitySort.AMOUNT: Opportunity.amount,
        OpportunitySort.NAME: Opportunity.name,
    },
    opportunity_conditions,
)


def list_opportunities(
    session: Session,
    principal: Principal,
    query: OpportunityQuery = OpportunityQuery(),
    *,
    sort: OpportunitySort = OpportunitySort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return OPPORTUNITIES.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


@dataclass(frozen=True, slots=True)
class StageTotal:
    stage: OpportunityStage
    count: int
    amount: Decimal  # the sum of the amounts
    weighted: Decimal  # the sum of amount x probability


def _money(value: Any) -> Decimal:
    # PostgreSQL sums NUMERIC exactly; SQLite (amounts are text there) sums as REAL: cents suffice
    return Decimal(str(value or 0)).quantize(CENT)


def stage_totals(
    session: Session, principal: Principal, query: OpportunityQuery = OpportunityQuery()
) -> dict[OpportunityStage, StageTotal]:
    """Per stage, how many opportunities the principal sees (matching ``query``) and their amounts:
    the heads of the pipeline board's columns. Without a filter from the opportunity tallies (a few
    rows per seller, stage and month, `portal.models.opportunity_tallies`); with one, from the rows."""
    if query != OpportunityQuery():
        return stage_totals_definition(session, principal, query)
    stmt = (
        select(
            OpportunityTally.stage,
            func.sum(OpportunityTally.n),
            func.sum(OpportunityTally.amount_units),
            func.sum(OpportunityTally.weighted_units),
        )
        .where(opportunity_tally_rule(principal))
        .group_by(OpportunityTally.stage)
    )
    totals = _no_totals()
    for stage, count, amount, weighted in session.execute(stmt):
        totals[OpportunityStage(stage)] = StageTotal(
            OpportunityStage(stage),
            int(count or 0),
            to_money(int(amount or 0)).quantize(CENT),
            (to_money(int(weighted or 0)) / 100).quantize(CENT),
        )
    return totals


def _no_totals() -> dict[OpportunityStage, StageTotal]:
    return {stage: StageTotal(stage, 0, Decimal("0.00"), Decimal("0.00")) for stage in OpportunityStage}


def stage_totals_definition(
    session: Session, principal: Principal, query: OpportunityQuery = OpportunityQuery()
) -> dict[OpportunityStage, StageTotal]:
    """What :func:`stage_totals` means, summed over the visible rows (filtered lists; tests)."""
    stmt = (
        visible(principal, Opportunity)
        .with_only_columns(
            Opportunity.stage,
            func.count(Opportunity.id),
            func.sum(Opportunity.amount),
            func.sum(Opportunity.amount * Opportunity.probability),
        )
        .where(*opportunity_conditions(query))
        .group_by(Opportunity.stage)
    )
    totals = _no_totals()
    for stage, count, amount, weighted in session.execute(stmt):
        totals[stage] = StageTotal(
            stage, int(count), _money(amount), _money(Decimal(str(weighted or 0)) / 100)
        )
    return totals


@dataclass(frozen=True, slots=True)
class ForecastMonth:
    month: date  # the first day of the month
    count: int
    amount: Decimal  # open opportunities expected to close in the month
    weighted: Decimal  # their amounts weighted by probability
    won: Decimal  # opportunities won in the month (the Berlin day of their closed_at)


def _first_of(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def forecast(session: Session, principal: Principal, *, start: date, months: int = 6) -> list[ForecastMonth]:
    """The forecast by month from ``start``'s month on: the open pipeline expected to close each
    month, weighted by probability, beside what was won in that month (the day it was won, whatever
    its expected close was). An open opportunity whose expected close has passed counts in the first
    month (it is still expected). From the opportunity tallies (kept by month of the expected close,
    of the day won for won ones): a few rows per seller and month."""
    first = _first_of(start)
    end = _add_months(first, months)
    stmt = (
        select(
            OpportunityTally.month,
            OpportunityTally.stage,
            func.sum(OpportunityTally.n),
            func.sum(OpportunityTally.amount_units),
            func.sum(OpportunityTally.weighted_units),
        )
        .where(
            opportunity_tally_rule(principal),
            OpportunityTally.month < end,
            OpportunityTally.stage.in_([*(str(s) for s in OPEN_STAGES), str(OpportunityStage.WON)]),
        )
        .group_by(OpportunityTally.month, OpportunityTally.stage)
    )
    rows = [
        (month, OpportunityStage(stage), int(n or 0), to_money(int(a or 0)), to_money(int(w or 0)))
        for month, stage, n, a, w in session.execute(stmt)
        if stage != OpportunityStage.WON or month >= first
    ]
    return _by_month(rows, first, months)


def forecast_definition(
    session: Session, principal: Principal, *, start: date, months: int = 6
) -> list[ForecastMonth]:
    """What :func:`forecast` means, summed over the visible rows (tests)."""
    first = _first_of(start)
    end = _add_months(first, months)
    day = Opportunity.expected_close
    stmt = (
        visible(principal, Opportunity)
        .with_only_columns(
            day,
            Opportunity.stage,
            func.count(Opportunity.id),
            func.sum(Opportunity.amount),
            func.sum(Opportunity.amount * Opportunity.probability),
        )
        .where(day < end, Opportunity.stage.in_(OPEN_STAGES))
        .group_by(day, Opportunity.stage)
    )
    rows = [
        (closes, stage, int(count), Decimal(str(amount or 0)), Decimal(str(weight or 0)))
        for closes, stage, count, amount, weight in session.execute(stmt)
    ]
    # Won ones by the Berlin calendar day they were won on (row by row: a time zone is not SQL on SQLite).
    won = visible(principal, Opportunity).with_only_columns(
        Opportunity.closed_at, Opportunity.expected_close, Opportunity.amount, Opportunity.probability
    )
    for closed_at, closes, amount, probability in session.execute(
        won.where(Opportunity.stage == OpportunityStage.WON)
    ):
        won_on = closes if closed_at is None else won_day(closed_at)
        if first <= won_on < end:
            amount = Decimal(str(amount or 0))
            rows.append((won_on, OpportunityStage.WON, 1, amount, amount * probability))
    return _by_month(rows, first, months)


def _by_month(
    rows: list[tuple[date, OpportunityStage, int, Decimal, Decimal]], first: date, months: int
) -> list[ForecastMonth]:
    """(day or month, stage, count, amount, amount x probability) summed into the forecast's months."""
    counts: dict[date, int] = defaultdict(int)
    amounts: dict[date, Decimal] = defaultdict(Decimal)
    weighted: dict[date, Decimal] = defaultdict(Decimal)
    won: dict[date, Decimal] = defaultdict(Decimal)
    for closes, stage, count, amount, weight in rows:
        month = max(_first_of(closes), first)
        if stage is OpportunityStage.WON:
            won[month] += amount
            continue
        counts[month] += count
        amounts[month] += amount
        weighted[month] += weight / 100
    return [
        ForecastMonth(
            month,
            counts[month],
            amounts[month].quantize(CENT),
            weighted[month].quantize(CENT),
            won[month].quantize(CENT),
        )
        for month in (_add_months(first, i) for i in range(months))
    ]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an opportunity came from, as far as the viewer may see it."""

    registration: DealRegistration | None  # the approved registration that opened it
    lead: Lead | None  # the converted lead
    campaign: Campaign | None  # the campaign it counts for


def origin_of(session: Session, principal: Principal, opportunity: Opportunity) -> Origin:
    registration = session.scalars(
        visible(principal, DealRegistration).where(DealRegistration.opportunity_id == opportunity.id)
    ).first()
    lead = session.scalars(visible(principal, Lead).where(Lead.opportunity_id == opportunity.id)).first()
    campaign = (
        load_by_ids(session, principal, Campaign, [opportunity.campaign_id]).get(opportunity.campaign_id)
        if opportunity.campaign_id
        else None
    )
    return Origin(registration, lead, campaign)
