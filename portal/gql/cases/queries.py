"""The case connection."""

from __future__ import annotations

import strawberry

from portal import models as m
from portal.cases.queries import list_cases
from portal.gql.base import Connection, ctx
from portal.gql.cases.inputs import CaseFilter, CaseOrder, case_query
from portal.gql.cases.types import Case
from portal.gql.connection import connection


@strawberry.type
class CasesQuery:
    @strawberry.field
    def cases(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: CaseFilter | None = None,
        order_by: CaseOrder | None = None,
    ) -> Connection[Case]:
        query = case_query(filter, ctx(info).principal)
        return connection(
            info, list_cases, query, order_by or CaseOrder(), Case, m.Case,
            first=first, after=after, last=last, before=before,
        )  # fmt: skip
