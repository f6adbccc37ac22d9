"""The campaign connection and the segments."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.access.queries import rows_by_id
from portal.campaigns.queries import list_campaigns, list_segments
from portal.gql.base import Connection, ctx, field
from portal.gql.campaigns.inputs import CampaignFilter, CampaignOrder, campaign_query
from portal.gql.campaigns.types import Campaign, Segment
from portal.gql.connection import connection
from portal.gql.loaders import build_all


@strawberry.type
class CampaignsQuery:
    @field(
        description=(
            "Campaigns: owner staff see all; a dealer those whose segment holds a customer shared with"
            " it or that gave it a lead."
        )
    )
    def campaigns(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CampaignFilter | None = None,
        order_by: CampaignOrder | None = None,
    ) -> Connection[Campaign]:
        return connection(
            info, list_campaigns, campaign_query(filter), order_by or CampaignOrder(), Campaign, m.Campaign,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @field(description="The saved customer segments, by name (owner staff; others: none).")
    def segments(self, info: strawberry.Info) -> list[Segment]:
        c = ctx(info)
        ids = [s.id for s in list_segments(c.session, c.principal)]
        rows = {r.id: r for r in rows_by_id(c.session, c.principal, m.Segment, ids)}
        return build_all(Segment, m.Segment, [rows[i] for i in ids if i in rows])
