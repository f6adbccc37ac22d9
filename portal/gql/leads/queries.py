"""The lead connection and the territories."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.gql.base import Connection, ctx, field
from portal.gql.connection import connection
from portal.gql.leads.inputs import LeadFilter, LeadOrder, lead_query
from portal.gql.leads.types import Lead, Territory
from portal.leads import territories
from portal.leads.queries import list_leads


def territory_of(row: m.Territory, open_leads: int) -> Territory:
    return Territory(
        postal_ranges=list(row.postal_ranges or []),
        regions=list(row.regions or []),
        capacity=row.capacity,
        active=row.active,
        updated_at=row.updated_at,
        version=row.version,
        open_leads=open_leads,
        organization_id=row.organization_id,
    )


@strawberry.type
class LeadsQuery:
    @field(
        description="Leads: marketing sees all; a dealer the leads offered to, accepted or converted by it."
    )
    def leads(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: LeadFilter | None = None,
        order_by: LeadOrder | None = None,
    ) -> Connection[Lead]:
        return connection(
            info, list_leads, lead_query(filter), order_by or LeadOrder(), Lead, m.Lead,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip

    @field(description="The lead territories you see (owner staff: every dealer's; a dealer: its own).")
    def lead_territories(self, info: strawberry.Info) -> list[Territory]:
        c = ctx(info)
        return [territory_of(t, n) for t, n in territories.list_territories(c.uow, c.principal)]
