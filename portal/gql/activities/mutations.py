"""The activity mutations: thin, decode ids, call one service, return a payload."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.access import Principal
from portal.activities import service as activities
from portal.db import UnitOfWork
from portal.gql.activities.inputs import LogActivityInput, ScheduleAppointmentInput
from portal.gql.activities.types import Activity
from portal.gql.base import mutation, opt_pk, pk, reload, run
from portal.gql.errors import UserError


@strawberry.type
class ActivityPayload:
    activity: Activity | None
    user_errors: list[UserError]


@strawberry.type
class ActivitiesMutation:
    @mutation(description="A call, meeting, appointment, e-mail, note or task on a customer.")
    def log_activity(self, info: strawberry.Info, input: LogActivityInput) -> ActivityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            activity = activities.log_activity(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                kind=input.kind,
                subject=input.subject,
                body=input.body,
                contact_id=opt_pk(input.contact, "Contact", "contact"),
                occurred_at=input.occurred_at,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                due_at=input.due_at,
            )
            return activity.id

        ident, errors = run(info, act)
        return ActivityPayload(activity=reload(info, m.Activity, Activity, ident), user_errors=errors)

    @strawberry.mutation
    def schedule_appointment(self, info: strawberry.Info, input: ScheduleAppointmentInput) -> ActivityPayload:
        def act(uow: UnitOfWork, p: Principal) -> int:
            activity = activities.schedule_appointment(
                uow=uow,
                principal=p,
                customer_id=pk(input.customer, "Customer", "customer"),
                subject=input.subject,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                contact_id=opt_pk(input.contact, "Contact", "contact"),
                body=input.body,
            )
            return activity.id

        ident, errors = run(info, act)
        return ActivityPayload(activity=reload(info, m.Activity, Activity, ident), user_errors=errors)
