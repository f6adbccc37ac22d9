"""The opportunity connection, the pipeline's stage totals and the forecast by month."""

from __future__ import annotations

from datetime import date

import strawberry

from portal import models as m
from portal.errors import InvalidInput
from portal.gql.base import Connection, ctx, field
from portal.gql.connection import connection
from portal.gql.opportunities.inputs import OpportunityFilter, OpportunityOrder, opportunity_query
from portal.gql.opportunities.types import ForecastMonth, Opportunity, PipelineStage
from portal.opportunities import queries

MAX_FORECAST_MONTHS = 24


@strawberry.type
class OpportunitiesQuery:
    @strawberry.field
    def opportunities(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: OpportunityFilter | None = None,
        order_by: OpportunityOrder | None = None,
    ) -> Connection[Opportunity]:
        return connection(
            info, queries.list_opportunities, opportunity_query(filter), order_by or OpportunityOrder(),
            Opportunity, m.Opportunity, first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @field(description="Per stage, how many opportunities you see match the filter and their amounts.")
    def pipeline(self, info: strawberry.Info, filter: OpportunityFilter | None = None) -> list[PipelineStage]:
        c = ctx(info)
        totals = queries.stage_totals(c.session, c.principal, opportunity_query(filter))
        return [
            PipelineStage(stage=t.stage, count=t.count, amount=t.amount, weighted_amount=t.weighted)
            for t in totals.values()
        ]

    @field(
        description=(
            "The forecast by month from `start`'s month (today's by default): open opportunities by"
            " expected close (overdue ones in the first month), weighted by probability,"
            " and what was won in each month."
        )
    )
    def opportunity_forecast(
        self, info: strawberry.Info, start: date | None = None, months: int = 6
    ) -> list[ForecastMonth]:
        if not 1 <= months <= MAX_FORECAST_MONTHS:
            raise InvalidInput("months", f"must be between 1 and {MAX_FORECAST_MONTHS}")
        c = ctx(info)
        found = queries.forecast(c.session, c.principal, start=start or date.today(), months=months)
        return [
            ForecastMonth(
                month=f.month, count=f.count, amount=f.amount, weighted_amount=f.weighted, won_amount=f.won
            )
            for f in found
        ]
