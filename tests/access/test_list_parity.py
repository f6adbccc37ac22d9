"""A web list and the GraphQL connection with the same filter are one read model: on random worlds,
for every principal, they return the same ids in the same order, and the same cursors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from portal.access import Principal, descendant_ids
from portal.db import make_sessionmaker
from portal.gql.ids import decode_id
from portal.models import ApiToken, Organization
from portal.reading import PageRequest
from portal.security import hash_token
from portal.web.views.lists import SPECS, visible_specs
from tests.access.world import WorldSpec, build, worlds
from tests.conftest import wipe
from tests.gql.conftest import make_client


@dataclass(frozen=True)
class Same:
    """One list asked for in both edges' words."""

    web: str  # the web list's name
    query: str  # its query string
    field: str  # the connection
    filter: dict[str, Any] | None = None
    order_by: dict[str, str] | None = None


def by(field: str, direction: str = "ASC") -> dict[str, str]:
    return {"field": field, "direction": direction}


ALL_CUSTOMERS = Same("customers", "", "customers")
SAME: list[Same] = [
    Same("orders", "", "orders"),
    Same("orders", "sort=number&dir=asc&q=so-1", "orders", {"search": "so-1"}, by("NUMBER")),
    Same(
        "orders",
        "status=waiting&sort=order_date",
        "orders",
        {"awaitingConfirmation": True},
        by("ORDER_DATE", "DESC"),
    ),
    Same(
        "orders",
        "review=awaiting&sort=created_at&dir=asc",
        "orders",
        {"awaitingReview": True},
        by("CREATED_AT"),
    ),
    Same(
        "orders",
        "status=awaiting_confirmation&from=2026-01-05&to=2026-01-05",
        "orders",
        {"status": ["AWAITING_CONFIRMATION"], "orderDateFrom": "2026-01-05", "orderDateTo": "2026-01-05"},
    ),
    Same("shipments", "", "shipments"),
    Same("shipments", "q=DN-1&sort=number&dir=asc", "shipments", {"search": "DN-1"}, by("NUMBER")),
    Same("invoices", "", "invoices"),
    Same(
        "invoices",
        "match=matched&sort=issue_date&dir=asc",
        "invoices",
        {"matchStatus": "MATCHED"},
        by("ISSUE_DATE"),
    ),
    Same("cases", "", "cases"),
    Same(
        "cases",
        "status=open&priority=normal&sort=priority&dir=asc",
        "cases",
        {"status": ["OPEN"], "priority": ["NORMAL"]},
        by("PRIORITY"),
    ),
    Same("cases", "q=c-1&sort=sla_due_at", "cases", {"search": "c-1"}, by("SLA_DUE_AT", "DESC")),
    ALL_CUSTOMERS,
    Same("customers", "q=t+1&sort=number&dir=desc", "customers", {"search": "t 1"}, by("NUMBER", "DESC")),
    Same("contacts", "", "contacts"),
    Same("contacts", "q=ee1&sort=created_at", "contacts", {"search": "ee1"}, by("CREATED_AT")),
    Same("activities", "", "activities"),
    Same("activities", "kind=note&sort=starts_at&dir=asc", "activities", {"kind": ["NOTE"]}, by("STARTS_AT")),
    Same("tasks", "", "tasks"),
    Same(
        "tasks",
        "state=open&from=2026-01-05&to=2026-01-05&sort=created_at&dir=desc",
        "tasks",
        {"done": False, "dueFrom": "2026-01-05", "dueBefore": "2026-01-06"},
        by("CREATED_AT", "DESC"),
    ),
    Same("opportunities", "", "opportunities"),
    Same(
        "opportunities",
        "stage=qualification&sort=expected_close&dir=asc&q=op-",
        "opportunities",
        {"stage": ["QUALIFICATION"], "search": "op-"},
        by("EXPECTED_CLOSE"),
    ),
    Same("opportunities", "sort=amount", "opportunities", None, by("AMOUNT", "DESC")),
    Same("deals", "", "dealRegistrations"),
    Same(
        "deals",
        "status=submitted&sort=amount&dir=asc&q=dr-",
        "dealRegistrations",
        {"status": ["SUBMITTED"], "search": "dr-"},
        by("AMOUNT"),
    ),
    Same("leads", "", "leads"),
    Same("leads", "status=offered&sort=company&dir=asc", "leads", {"status": ["OFFERED"]}, by("COMPANY")),
    Same("leads", "status=unassigned&q=ld-", "leads", {"unassigned": True, "search": "ld-"}),
    Same("campaigns", "", "campaigns"),
    Same("campaigns", "status=running&sort=name&dir=asc", "campaigns", {"status": ["RUNNING"]}, by("NAME")),
    Same("exchange", "", "exchangeRecords"),
    Same(
        "exchange",
        "direction=inbound&q=1.edi",
        "exchangeRecords",
        {"direction": "INBOUND", "search": "1.edi"},
    ),
]


def _graphql(same: Same, first: int) -> tuple[str, dict[str, Any]]:
    args = ["first: $first", "filter: $filter"]
    types = {"first": "Int", "filter": _FILTERS[same.field]}
    variables: dict[str, Any] = {"first": first, "filter": same.filter}
    if same.order_by is not None:
        args.append("orderBy: $orderBy")
        types["orderBy"] = _FILTERS[same.field].replace("Filter", "Order")
        variables["orderBy"] = same.order_by
    declared = ", ".join(f"${name}: {kind}" for name, kind in types.items())
    query = (
        f"query({declared}) {{ {same.field}({', '.join(args)}) "
        "{ edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }"
    )
    return query, variables


_FILTERS = {
    "opportunities": "OpportunityFilter",
    "dealRegistrations": "DealRegistrationFilter",
    "leads": "LeadFilter",
    "campaigns": "CampaignFilter",
    "orders": "OrderFilter",
    "shipments": "ShipmentFilter",
    "invoices": "InvoiceFilter",
    "cases": "CaseFilter",
    "customers": "CustomerFilter",
    "contacts": "ContactFilter",
    "activities": "ActivityFilter",
    "tasks": "TaskFilter",
    "exchangeRecords": "ExchangeRecordFilter",
}


def _web(
    session: Session, principal: Principal, same: Same, first: int
) -> tuple[list[int], str | None, bool]:
    spec = SPECS[same.web]
    if spec not in visible_specs(principal):
        return [], None, False  # the list is not offered (404): it shows nothing
    page = spec.fetch(session, principal, spec.params(QueryParams(same.query)), PageRequest(first=first))
    return [row.id for row in page.items], page.end_cursor, page.has_next_page


def _tokens(session: Session) -> dict[int, str]:
    """A token per organization (names unique per world: the endpoint remembers principals by token)."""
    secrets: dict[int, str] = {}
    run = uuid.uuid4().hex[:8]
    for org in session.scalars(select(Organization).order_by(Organization.id)):
        secret = f"ptk_parity_{run}_{org.id}"
        session.add(
            ApiToken(
                organization_id=org.id,
                name=f"parity {run} {org.id}",
                prefix=secret[:12],
                token_hash=hash_token(secret),
                roles="admin",
            )
        )
        secrets[org.id] = secret
    session.commit()
    return secrets


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds())
def test_web_lists_and_connections_return_the_same_ids_in_the_same_order(
    engine: Engine, spec: WorldSpec
) -> None:
    factory = make_sessionmaker(engine)
    try:
        with factory() as session:
            build(session, spec)
            session.commit()
            secrets = _tokens(session)
            orgs = list(session.scalars(select(Organization).order_by(Organization.id)))
        with make_client(factory) as client, factory() as session:
            for index, org in enumerate(orgs):
                principal = Principal(
                    org_id=org.id,
                    org_kind=org.kind,
                    org_ids=descendant_ids(session, org.id),
                    roles=frozenset({"admin"}),
                )
                for same in SAME:
                    for first in (100, 2):  # everything, and a first page of two with its cursor
                        web_ids, web_end, web_more = _web(session, principal, same, first)
                        query, variables = _graphql(same, first)
                        response = client.post(
                            "/graphql",
                            json={"query": query, "variables": variables},
                            headers={"Authorization": f"Bearer {secrets[org.id]}"},
                        )
                        body = response.json()
                        assert "errors" not in body, (same, body)
                        connection = body["data"][same.field]
                        api_ids = [_pk(edge["node"]["id"]) for edge in connection["edges"]]
                        where = f"{same.web}?{same.query} first={first} for org {org.slug} ({org.kind})"
                        assert api_ids == web_ids, where
                        if web_ids:
                            assert connection["pageInfo"]["endCursor"] == web_end, where
                            assert connection["pageInfo"]["hasNextPage"] == web_more, where
                        if index == 0 and same == ALL_CUSTOMERS and first == 100:
                            assert len(web_ids) == spec.customers >= 1  # the owner sees every customer
    finally:
        wipe(engine)


def _pk(global_id: str) -> int:
    decoded = decode_id(global_id)
    assert decoded is not None
    return decoded[1]


def test_every_web_list_has_its_connection_in_the_parity_check() -> None:
    assert {same.web for same in SAME} == set(SPECS)
