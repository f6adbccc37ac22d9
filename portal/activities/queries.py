"""The read model of activities (calls, meetings, appointments, e-mails, notes, tasks)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import Session

from portal.access import Principal
from portal.models import Activity, ActivityKind
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    """Which activities a list shows; one meaning per field (docs/developing.md, "Read models").

    An appointment has a start (``starts_at``); every activity has the time it happened or was
    logged (``occurred_at``): the two are different fields, filtered by different ranges."""

    kinds: frozenset[ActivityKind] = field(default_factory=frozenset)
    customer_id: int | None = None
    user_id: int | None = None  # logged or scheduled by this user ("my day", the calendar feed)
    starts_from: datetime | None = None  # starts_at at or after (activities without a start: never)
    starts_before: datetime | None = None  # starts_at before
    occurred_from: datetime | None = None  # occurred_at at or after
    occurred_before: datetime | None = None  # occurred_at before
    open_tasks_only: bool = False


class ActivitySort(enum.StrEnum):
    OCCURRED_AT = "occurred_at"
    STARTS_AT = "starts_at"  # the start, else when it occurred (so every activity has a place)
    CREATED_AT = "created_at"


def activity_conditions(q: ActivityQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.kinds:
        conds.append(Activity.kind.in_(q.kinds))
    if q.customer_id is not None:
        conds.append(Activity.customer_id == q.customer_id)
    if q.user_id is not None:
        conds.append(Activity.user_id == q.user_id)
    if q.starts_from is not None:
        conds.append(Activity.starts_at >= q.starts_from)
    if q.starts_before is not None:
        conds.append(Activity.starts_at < q.starts_before)
    if q.occurred_from is not None:
        conds.append(Activity.occurred_at >= q.occurred_from)
    if q.occurred_before is not None:
        conds.append(Activity.occurred_at < q.occurred_before)
    if q.open_tasks_only:
        conds.extend((Activity.kind == ActivityKind.TASK, Activity.done_at.is_(None)))
    return conds


ACTIVITIES = Keyset(
    "activity",
    Activity,
    {
        ActivitySort.OCCURRED_AT: Activity.occurred_at,
        ActivitySort.STARTS_AT: func.coalesce(Activity.starts_at, Activity.occurred_at),
        ActivitySort.CREATED_AT: Activity.created_at,
    },
    activity_conditions,
)


def list_activities(
    session: Session,
    principal: Principal,
    query: ActivityQuery = ActivityQuery(),
    *,
    sort: ActivitySort = ActivitySort.OCCURRED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return ACTIVITIES.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )
