"""Use cases of webhook endpoints: register, change, rotate the secret, disable and enable, delete,
send a delivery again, send a test event. Each checks
`portal.access.permissions.can_manage_webhooks` (admins, their own organization only) and reads
through `portal.access`; each records an outbox event. Services flush; the edge commits."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal import events
from portal.access import Principal, descendant_ids, get_visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput, InvalidState, NotFound
from portal.models import DeliveryStatus, Organization, OrgKind, WebhookDelivery, WebhookEndpoint
from portal.models.base import utcnow
from portal.notify.webhooks import guard
from portal.notify.webhooks.kinds import DISABLED_BY_ADMIN, EVENT_KINDS, TEST_KIND
from portal.notify.webhooks.queries import ENDPOINTS, EndpointQuery
from portal.notify.webhooks.signing import ROTATION_OVERLAP, new_secret, new_webhook_id

MAX_DESCRIPTION = 500
MAX_ENDPOINTS_PER_ORGANIZATION = 20


@dataclass(frozen=True, slots=True)
class Registered:
    """An endpoint and its secret: the only moment the secret is shown."""

    endpoint: WebhookEndpoint
    secret: str


def organization_principal(session: Session, organization_id: int) -> Principal:
    """The organization as a reader (no user, no token): what its webhooks may carry is what this
    principal may see, decided by `portal.access` like every other read."""
    org = session.get_one(Organization, organization_id)
    return Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=descendant_ids(session, org.id),
        roles=frozenset({"viewer" if org.kind is OrgKind.OWNER else "member"}),
        name=f"webhooks of {org.name}",
    )


def _require(principal: Principal, organization_id: int | None = None) -> None:
    may.require(
        principal,
        may.can_manage_webhooks(principal, organization_id),
        "manage webhooks",
        only="your organization's admins",
    )


def _kinds(kinds: Collection[str]) -> list[str]:
    chosen = sorted(set(kinds))
    unknown = [k for k in chosen if k not in EVENT_KINDS]
    if unknown:
        raise InvalidInput("event_kinds", f"unknown event kind {unknown[0]}")
    if not chosen:
        raise InvalidInput("event_kinds", "choose at least one event kind")
    return chosen


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput("description", f"must have at most {MAX_DESCRIPTION} characters")
    if "\x00" in text:
        raise InvalidInput("description", "must not contain NUL characters")
    return text


def _url(url: str, allowed: tuple[guard.Network, ...]) -> str:
    try:
        return guard.check(url, allowed).url
    except guard.TargetRefused as exc:
        raise InvalidInput("url", str(exc)) from exc


def _endpoint(uow: UnitOfWork, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint if the principal may manage it; another organization's is NotFound."""
    _require(principal)
    endpoint = get_visible(uow.session, principal, WebhookEndpoint, endpoint_id, for_update=True)
    if endpoint.organization_id != principal.org_id:  # a branch's or, for the owner, anyone else's
        raise NotFound("webhook endpoint", endpoint_id)
    return endpoint


def get_endpoint(session: Session, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    """An endpoint of the principal's own organization (read), for an admin."""
    _require(principal)
    endpoint = get_visible(session, principal, WebhookEndpoint, endpoint_id)
    if endpoint.organization_id != principal.org_id:
        raise NotFound("webhook endpoint", endpoint_id)
    return endpoint


def create_endpoint(
    uow: UnitOfWork,
    principal: Principal,
    *,
    url: str,
    event_kinds: Collection[str],
    description: str = "",
    allowed_networks: tuple[guard.Network, ...] = (),
) -> Registered:
    _require(principal, principal.org_id)
    session = uow.session
    kinds = _kinds(event_kinds)
    text = _description(description)
    target = _url(url, allowed_networks)
    count = ENDPOINTS.count(session, principal, EndpointQuery(organization_id=principal.org_id))
    if count >= MAX_ENDPOINTS_PER_ORGANIZATION:
        raise InvalidInput(
            "url", f"an organization may register at most {MAX_ENDPOINTS_PER_ORGANIZATION} endpoints"
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=principal.org_id,
        url=target,
        event_kinds=kinds,
        description=text,
        secret=secret,
        enabled=True,
        created_by_id=principal.user_id,
    )
    session.add(endpoint)
    uow.flush()
    events.record(uow, principal, "webhook.created", "webhook_endpoint", endpoint.id, url=target, kinds=kinds)
    return Registered(endpoint, secret)


def update_endpoint(
    uow: UnitOfWork,
    principal: Principal,
    endpoint_id: int,
    *,
    url: str | None = None,
    event_kinds: Collection[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    allowed_networks: tuple[guard.Network, ...] = (),
) -> WebhookEndpoint:
    endpoint = _endpoint(uow, principal, endpoint_id)
    if url is not None:
        endpoint.url = _url(url, allowed_networks)
    if event_kinds is not None:
        endpoint.event_kinds = _kinds(event_kinds)
    if description is not None:
        endpoint.description = _description(description)
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled = enabled
        endpoint.disabled_reason = None if enabled else DISABLED_BY_ADMIN
    endpoint.updated_at = utcnow()
    uow.flush()
    events.record(
        uow,
        principal,
        "webhook.updated",
        "webhook_endpoint",
        endpoint.id,
        url=endpoint.url,
        enabled=endpoint.enabled,
    )
    return endpoint


def rotate_secret(
    uow: UnitOfWork, principal: Principal, endpoint_id: int, *, now: datetime | None = None
) -> Registered:
    """A new secret; the previous one signs as well for `ROTATION_OVERLAP` (24 hours), so receivers
    can switch without losing a delivery."""
    endpoint = _endpoint(uow, principal, endpoint_id)
    now = now or utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    uow.flush()
    events.record(uow, principal, "webhook.rotated", "webhook_endpoint", endpoint.id)
    return Registered(endpoint, endpoint.secret)


def delete_endpoint(uow: UnitOfWork, principal: Principal, endpoint_id: int) -> None:
    endpoint = _endpoint(uow, principal, endpoint_id)
    uow.session.query(WebhookDelivery).filter(WebhookDelivery.endpoint_id == endpoint.id).delete(
        synchronize_session=False
    )
    events.record(uow, principal, "webhook.deleted", "webhook_endpoint", endpoint.id, url=endpoint.url)
    uow.session.delete(endpoint)
    uow.flush()


def redeliver(
    uow: UnitOfWork, principal: Principal, delivery_id: int, *, now: datetime | None = None
) -> WebhookDelivery:
    """ "Send again": the same delivery (the same ``webhook-id``) once more, as soon as the worker
    runs; one attempt, no backoff. The endpoint must be enabled."""
    _require(principal)
    delivery = get_visible(uow.session, principal, WebhookDelivery, delivery_id, for_update=True)
    endpoint = _endpoint(uow, principal, delivery.endpoint_id)
    if not endpoint.enabled:
        raise InvalidState("webhook endpoint", "disabled", "send again")
    if delivery.status is DeliveryStatus.SENDING:
        raise InvalidState("webhook delivery", "being sent", "send again")
    delivery.status = DeliveryStatus.PENDING
    delivery.manual = True
    delivery.next_attempt_at = now or utcnow()
    uow.flush()
    events.record(
        uow, principal, "webhook.redelivered", "webhook_endpoint", endpoint.id, delivery_id=delivery.id
    )
    return delivery


def send_test(
    uow: UnitOfWork, principal: Principal, endpoint_id: int, *, now: datetime | None = None
) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint alone (its payload names no object)."""
    endpoint = _endpoint(uow, principal, endpoint_id)
    event = events.record(uow, principal, TEST_KIND, "webhook_endpoint", endpoint.id)
    uow.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        organization_id=endpoint.organization_id,
        event_id=event.id,
        event_kind=TEST_KIND,
        webhook_id=new_webhook_id(),
        status=DeliveryStatus.PENDING,
        manual=True,
        attempts=0,
        next_attempt_at=now or utcnow(),
    )
    uow.session.add(delivery)
    uow.flush()
    return delivery
