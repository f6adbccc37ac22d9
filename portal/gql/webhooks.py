"""Webhook endpoints in GraphQL: the endpoints of the caller's organization and their deliveries
(read model `portal.notify.webhooks.queries`), and mutations to create, update, rotate the secret,
delete, send a delivery again and send a test event (`portal.notify.webhooks.service` decides:
admins, their own organization only)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry

from portal import models as m
from portal.access import Principal
from portal.access import permissions as may
from portal.config import Settings
from portal.db import UnitOfWork
from portal.gql.base import PageInfo, ctx, field, mutation, pk, run
from portal.gql.connection import filter_id, page_info, page_request
from portal.gql.errors import UserError
from portal.gql.ids import encode_id
from portal.notify.webhooks import guard, service
from portal.notify.webhooks.queries import DeliveryQuery, EndpointQuery, list_deliveries, list_endpoints


@strawberry.enum(description="Where a webhook delivery stands.")
class WebhookDeliveryStatus(enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    SKIPPED = "skipped"


@strawberry.type(description="One event sent (or to be sent) to one endpoint, with its last outcome.")
class WebhookDelivery:
    pk: strawberry.Private[int]
    endpoint_pk: strawberry.Private[int]
    webhook_id: str = strawberry.field(description="The `webhook-id` header: the same on every attempt.")
    event_kind: str
    status: WebhookDeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    duration_ms: int | None
    response_excerpt: str | None = strawberry.field(description="The start of the receiver's last answer.")
    created_at: datetime
    delivered_at: datetime | None

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("WebhookDelivery", self.pk))

    @field(description="The endpoint's global id.")
    def endpoint_id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("WebhookEndpoint", self.endpoint_pk))

    @classmethod
    def of(cls, row: Any) -> WebhookDelivery:
        return cls(
            pk=row.id,
            endpoint_pk=row.endpoint_id,
            webhook_id=row.webhook_id,
            event_kind=row.event_kind,
            status=WebhookDeliveryStatus(m.DeliveryStatus(row.status).value),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            duration_ms=row.duration_ms,
            response_excerpt=row.response_excerpt,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[WebhookDelivery]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A URL of your organization that receives signed events (Standard Webhooks).")
class WebhookEndpoint:
    pk: strawberry.Private[int]
    url: str
    event_kinds: list[str]
    description: str
    enabled: bool
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="During a rotation: until when the previous secret signs as well."
    )
    created_at: datetime
    updated_at: datetime

    @field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id("WebhookEndpoint", self.pk))

    @field(description="This endpoint's deliveries, newest first.")
    def deliveries(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        statuses: list[WebhookDeliveryStatus] | None = None,
    ) -> WebhookDeliveryConnection:
        return _deliveries(
            info, self.pk, first=first, after=after, last=last, before=before, statuses=statuses
        )

    @classmethod
    def of(cls, row: Any) -> WebhookEndpoint:
        return cls(
            pk=row.id,
            url=row.url,
            event_kinds=list(row.event_kinds),
            description=row.description,
            enabled=row.enabled,
            disabled_reason=row.disabled_reason,
            previous_secret_expires_at=row.previous_secret_expires_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type
class WebhookEndpointEdge:
    cursor: str
    node: WebhookEndpoint


@strawberry.type
class WebhookEndpointConnection:
    edges: list[WebhookEndpointEdge]
    page_info: PageInfo
    total_count: int

    @strawberry.field
    def nodes(self) -> list[WebhookEndpoint]:
        return [edge.node for edge in self.edges]


def _require(principal: Principal) -> None:
    may.require(
        principal, may.can_manage_webhooks(principal), "manage webhooks", only="your organization's admins"
    )


def _deliveries(
    info: strawberry.Info,
    endpoint_id: int | None,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    statuses: list[WebhookDeliveryStatus] | None,
) -> WebhookDeliveryConnection:
    c = ctx(info)
    _require(c.principal)
    query = DeliveryQuery(
        organization_id=c.principal.org_id,
        endpoint_id=endpoint_id,
        statuses=frozenset(m.DeliveryStatus(s.value) for s in statuses or ()),
    )
    page = list_deliveries(
        c.session, c.principal, query, page=page_request(first=first, after=after, last=last, before=before)
    )
    edges = [
        WebhookDeliveryEdge(cursor=cursor, node=WebhookDelivery.of(row))
        for row, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return WebhookDeliveryConnection(edges=edges, page_info=page_info(page), total_count=page.total_count())


@strawberry.type
class WebhooksQuery:
    @field(description="Your organization's webhook endpoints (admins).")
    def webhook_endpoints(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        search: str | None = None,
        enabled: bool | None = None,
    ) -> WebhookEndpointConnection:
        c = ctx(info)
        _require(c.principal)
        query = EndpointQuery(organization_id=c.principal.org_id, search=search, enabled=enabled)
        page = list_endpoints(
            c.session,
            c.principal,
            query,
            page=page_request(first=first, after=after, last=last, before=before),
        )
        edges = [
            WebhookEndpointEdge(cursor=cursor, node=WebhookEndpoint.of(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return WebhookEndpointConnection(
            edges=edges, page_info=page_info(page), total_count=page.total_count()
        )

    @field(description="Deliveries of your organization's endpoints, newest first (admins).")
    def webhook_deliveries(
        self,
        info: strawberry.Info,
        endpoint: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        statuses: list[WebhookDeliveryStatus] | None = None,
    ) -> WebhookDeliveryConnection:
        endpoint_id = filter_id("endpoint", endpoint, "WebhookEndpoint")
        return _deliveries(
            info, endpoint_id, first=first, after=after, last=last, before=before, statuses=statuses
        )


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    event_kinds: list[str]
    description: str = ""


@strawberry.input
class UpdateWebhookEndpointInput:
    endpoint: strawberry.ID
    url: str | None = None
    event_kinds: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


@strawberry.input
class WebhookEndpointInput:
    endpoint: strawberry.ID


@strawberry.input
class RedeliverWebhookInput:
    delivery: strawberry.ID


@strawberry.type
class WebhookSecretPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(description="The signing secret, shown this once.")
    user_errors: list[UserError]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None
    user_errors: list[UserError]


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    user_errors: list[UserError]


def _allowed(info: strawberry.Info) -> tuple[guard.Network, ...]:
    settings: Settings | None = getattr(ctx(info).request.app.state, "settings", None)
    return guard.allowed_networks(settings.webhook_allow_networks if settings else "")


def _endpoint_pk(value: strawberry.ID) -> int:
    return pk(value, "WebhookEndpoint", "webhook endpoint")


@strawberry.type
class WebhooksMutation:
    @mutation(
        description="Register a webhook endpoint of your organization; the secret is shown once (admins)."
    )
    def create_webhook_endpoint(
        self, info: strawberry.Info, input: CreateWebhookEndpointInput
    ) -> WebhookSecretPayload:
        def act(uow: UnitOfWork, p: Principal) -> tuple[WebhookEndpoint, str]:
            made = service.create_endpoint(
                uow,
                p,
                url=input.url,
                event_kinds=input.event_kinds,
                description=input.description,
                allowed_networks=_allowed(info),
            )
            return WebhookEndpoint.of(made.endpoint), made.secret

        done, errors = run(info, act)
        return WebhookSecretPayload(
            endpoint=done[0] if done else None, secret=done[1] if done else None, user_errors=errors
        )

    @mutation(
        description="Change an endpoint's URL, event kinds, description, or disable/enable it (admins)."
    )
    def update_webhook_endpoint(
        self, info: strawberry.Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        def act(uow: UnitOfWork, p: Principal) -> WebhookEndpoint:
            endpoint = service.update_endpoint(
                uow,
                p,
                _endpoint_pk(input.endpoint),
                url=input.url,
                event_kinds=input.event_kinds,
                description=input.description,
                enabled=input.enabled,
                allowed_networks=_allowed(info),
            )
            return WebhookEndpoint.of(endpoint)

        endpoint, errors = run(info, act)
        return WebhookEndpointPayload(endpoint=endpoint, user_errors=errors)

    @mutation(
        description="A new signing secret, shown once; the previous one signs as well for 24 hours (admins)."
    )
    def rotate_webhook_secret(
        self, info: strawberry.Info, input: WebhookEndpointInput
    ) -> WebhookSecretPayload:
        def act(uow: UnitOfWork, p: Principal) -> tuple[WebhookEndpoint, str]:
            made = service.rotate_secret(uow, p, _endpoint_pk(input.endpoint))
            return WebhookEndpoint.of(made.endpoint), made.secret

        done, errors = run(info, act)
        return WebhookSecretPayload(
            endpoint=done[0] if done else None, secret=done[1] if done else None, user_errors=errors
        )

    @mutation(description="Delete an endpoint and its delivery log (admins).")
    def delete_webhook_endpoint(
        self, info: strawberry.Info, input: WebhookEndpointInput
    ) -> DeleteWebhookEndpointPayload:
        def act(uow: UnitOfWork, p: Principal) -> strawberry.ID:
            service.delete_endpoint(uow, p, _endpoint_pk(input.endpoint))
            return input.endpoint

        deleted, errors = run(info, act)
        return DeleteWebhookEndpointPayload(deleted_id=deleted, user_errors=errors)

    @mutation(description="Send a delivery again, with the same webhook-id (admins).")
    def redeliver_webhook(
        self, info: strawberry.Info, input: RedeliverWebhookInput
    ) -> WebhookDeliveryPayload:
        def act(uow: UnitOfWork, p: Principal) -> WebhookDelivery:
            delivery = service.redeliver(uow, p, pk(input.delivery, "WebhookDelivery", "webhook delivery"))
            return WebhookDelivery.of(delivery)

        delivery, errors = run(info, act)
        return WebhookDeliveryPayload(delivery=delivery, user_errors=errors)

    @mutation(description="Send a webhook.test event to this endpoint (admins).")
    def send_webhook_test_event(
        self, info: strawberry.Info, input: WebhookEndpointInput
    ) -> WebhookDeliveryPayload:
        def act(uow: UnitOfWork, p: Principal) -> WebhookDelivery:
            return WebhookDelivery.of(service.send_test(uow, p, _endpoint_pk(input.endpoint)))

        delivery, errors = run(info, act)
        return WebhookDeliveryPayload(delivery=delivery, user_errors=errors)
