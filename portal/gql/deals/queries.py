"""The deal registration connection."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.deals import queries
from portal.gql.base import Connection
from portal.gql.connection import connection
from portal.gql.deals.inputs import DealRegistrationFilter, DealRegistrationOrder, deal_query
from portal.gql.deals.types import DealRegistration


@strawberry.type
class DealsQuery:
    @strawberry.field
    def deal_registrations(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: DealRegistrationFilter | None = None,
        order_by: DealRegistrationOrder | None = None,
    ) -> Connection[DealRegistration]:
        return connection(
            info, queries.list_deal_registrations, deal_query(filter), order_by or DealRegistrationOrder(),
            DealRegistration, m.DealRegistration, first=first, after=after, last=last, before=before,
        )  # fmt: skip
