"""The read models of webhook endpoints and their deliveries (web page, GraphQL connections).

Both start from `portal.access` (an organization's own rows); the edge fills ``organization_id``
with the principal's own organization, because an admin manages its own organization's endpoints
only (`portal.access.permissions.can_manage_webhooks`)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from portal.access import Principal
from portal.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.reading import FIRST_PAGE, Keyset, Page, PageRequest, Record, text_search


@dataclass(frozen=True, slots=True)
class EndpointQuery:
    organization_id: int | None = None
    search: str | None = None  # a substring of the URL or the description
    enabled: bool | None = None


class EndpointSort(enum.StrEnum):
    CREATED_AT = "created_at"
    URL = "url"


def endpoint_conditions(q: EndpointQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.organization_id is not None:
        conds.append(WebhookEndpoint.organization_id == q.organization_id)
    if q.search:
        conds.append(text_search(q.search, WebhookEndpoint.url, WebhookEndpoint.description))
    if q.enabled is not None:
        conds.append(WebhookEndpoint.enabled.is_(q.enabled))
    return conds


ENDPOINTS = Keyset(
    "webhook_endpoint",
    WebhookEndpoint,
    {EndpointSort.CREATED_AT: WebhookEndpoint.created_at, EndpointSort.URL: WebhookEndpoint.url},
    endpoint_conditions,
)


def list_endpoints(
    session: Session,
    principal: Principal,
    query: EndpointQuery = EndpointQuery(),
    *,
    sort: EndpointSort = EndpointSort.CREATED_AT,
    descending: bool = False,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    return ENDPOINTS.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )


@dataclass(frozen=True, slots=True)
class DeliveryQuery:
    organization_id: int | None = None
    endpoint_id: int | None = None
    statuses: frozenset[DeliveryStatus] = field(default_factory=frozenset)


class DeliverySort(enum.StrEnum):
    CREATED_AT = "created_at"


def delivery_conditions(q: DeliveryQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if q.organization_id is not None:
        conds.append(WebhookDelivery.organization_id == q.organization_id)
    if q.endpoint_id is not None:
        conds.append(WebhookDelivery.endpoint_id == q.endpoint_id)
    if q.statuses:
        conds.append(WebhookDelivery.status.in_(sorted(q.statuses)))
    return conds


DELIVERIES = Keyset(
    "webhook_delivery",
    WebhookDelivery,
    {DeliverySort.CREATED_AT: WebhookDelivery.created_at},
    delivery_conditions,
)


def list_deliveries(
    session: Session,
    principal: Principal,
    query: DeliveryQuery = DeliveryQuery(),
    *,
    sort: DeliverySort = DeliverySort.CREATED_AT,
    descending: bool = True,
    page: PageRequest = FIRST_PAGE,
    columns: tuple[str, ...] | None = None,
) -> Page[Record]:
    """Newest first by default: the delivery log."""
    return DELIVERIES.page(
        session, principal, query, sort=sort, descending=descending, page=page, columns=columns
    )
