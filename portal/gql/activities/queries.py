"""The activity connection."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.activities.queries import list_activities
from portal.gql.activities.inputs import ActivityFilter, ActivityOrder, activity_query
from portal.gql.activities.types import Activity
from portal.gql.base import Connection
from portal.gql.connection import connection


@strawberry.type
class ActivitiesQuery:
    @strawberry.field
    def activities(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ActivityFilter | None = None,
        order_by: ActivityOrder | None = None,
    ) -> Connection[Activity]:
        return connection(
            info, list_activities, activity_query(filter), order_by or ActivityOrder(), Activity, m.Activity,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip
