"""The activity connection's filter and ordering, and the inputs of the activity mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from portal import models as m
from portal.activities.queries import ActivityQuery, ActivitySort
from portal.gql.base import SortDirection
from portal.gql.connection import filter_id

ActivitySortField = strawberry.enum(ActivitySort, name="ActivitySortField")


@strawberry.input
class ActivityFilter:
    customer: strawberry.ID | None = None
    kind: list[m.ActivityKind] | None = None
    occurred_from: datetime | None = strawberry.field(
        default=None, description="Happened (or logged) at or after this moment."
    )
    occurred_to: datetime | None = strawberry.field(default=None, description="Happened before this moment.")
    starts_from: datetime | None = strawberry.field(
        default=None, description="Starts (appointments, meetings) at or after this moment."
    )
    starts_before: datetime | None = strawberry.field(default=None, description="Starts before this moment.")


@strawberry.input
class ActivityOrder:
    field: ActivitySort = ActivitySort.OCCURRED_AT
    direction: SortDirection = SortDirection.DESC


def activity_query(f: ActivityFilter | None) -> ActivityQuery:
    if f is None:
        return ActivityQuery()
    return ActivityQuery(
        kinds=frozenset(f.kind or ()),
        customer_id=filter_id("filter.customer", f.customer, "Customer"),
        occurred_from=f.occurred_from,
        occurred_before=f.occurred_to,
        starts_from=f.starts_from,
        starts_before=f.starts_before,
    )


@strawberry.input
class LogActivityInput:
    customer: strawberry.ID
    kind: m.ActivityKind
    subject: str
    body: str = ""
    contact: strawberry.ID | None = None
    occurred_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    due_at: datetime | None = None


@strawberry.input
class ScheduleAppointmentInput:
    customer: strawberry.ID
    subject: str
    starts_at: datetime
    ends_at: datetime
    contact: strawberry.ID | None = None
    body: str = ""
