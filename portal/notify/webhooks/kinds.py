"""The event kinds an endpoint may subscribe to: outbox events about entities of the change feed
(the payload carries the feed's state of the entity, as the receiving organization may see it).
Their labels for people are in `portal.web.labels.WEBHOOK_EVENT_KINDS`."""

from __future__ import annotations

from portal.models import OrgKind

EVENT_KINDS: tuple[str, ...] = (
    "order.created",
    "order.routed",
    "order.confirmed",
    "order.change_reviewed",
    "order.changed",
    "order.cancelled",
    "shipment.created",
    "goods_receipt.recorded",
    "invoice.submitted",
    "case.opened",
    "case.routed",
    "case.updated",
    "case.commented",
    "case.attachment_added",
    "case.in_progress",
    "case.waiting",
    "case.resolved",
    "case.closed",
    "case.open",
    "customer.created",
    "customer.updated",
    "customer.shared",
    "customer.unshared",
    "contact.created",
    "contact.updated",
    "contact.erased",
    "activity.completed",
    "opportunity.created",
    "opportunity.updated",
    "opportunity.assigned",
    "opportunity.stage_changed",
    "opportunity.won",
    "opportunity.lost",
    "lead.offered",
    "lead.accepted",
    "lead.declined",
    "lead.expired",
    "lead.converted",
)
# Why an endpoint was disabled (stored in English for the API; the portal reads it back into the
# reader's language, portal.web.labels.webhook_disabled_reason).
DISABLED_BY_ADMIN = "disabled by an admin"
EVERY_ATTEMPT_FAILED = "every attempt of delivery {delivery} failed: {error}"
TEST_KIND = "webhook.test"  # "send test event": a delivery with a fixed payload, no object
DISABLED_KIND = "webhook.disabled"  # recorded when the retries ran out (the inbox tells the admins)


# Suppliers never see the customer master (ARCHITECTURE.md, "need to know"): its events could never
# reach them, so their form does not offer them.
_CUSTOMER_MASTER = ("customer.", "contact.", "activity.", "opportunity.", "lead.")


def offered_kinds(org_kind: OrgKind) -> tuple[str, ...]:
    """The event kinds worth offering an organization of this kind (all for everyone but suppliers)."""
    if org_kind is OrgKind.SUPPLIER:
        return tuple(kind for kind in EVENT_KINDS if not kind.startswith(_CUSTOMER_MASTER))
    return EVENT_KINDS
