"""What each outbox event tells whom: an event -> `Notice`s (kind, link, the object a recipient
must be able to read, the candidate organizations, roles or users), before access and preferences.

The rows an event refers to are read once per batch (`Lookup`): events carry what they carried
when written; the rows say what is true now (numbers, parties)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Case,
    CaseComment,
    CaseStatus,
    Customer,
    DealRegistration,
    Event,
    GoodsReceipt,
    Invoice,
    MatchStatus,
    Opportunity,
    Order,
    Organization,
    Shipment,
    Task,
)
from portal.notify.notice import OWNER_CASE_STAFF, OWNER_ORDER_STAFF, Notice, is_int
from portal.notify.rules import Kind, review_outcome
from portal.notify.sales_notices import (
    DEAL_EVENTS,
    LEAD_EVENTS,
    OPPORTUNITY_EVENTS,
    deal_notices,
    lead_notices,
    opportunity_notices,
)

ID_CHUNK = 1000  # ids per IN (...) of a lookup or an access check

STATUS_EVENTS = {f"case.{status.value}" for status in CaseStatus}
# The invoice workflow's events: (kind, told to the supplier; else to the owner's order staff).
INVOICE_EVENTS: dict[str, tuple[Kind, bool]] = {
    "invoice.approved": (Kind.INVOICE_APPROVED, True),
    "invoice.disputed": (Kind.INVOICE_DISPUTED, True),
    "invoice.rejected": (Kind.INVOICE_REJECTED, True),
    "invoice.paid": (Kind.INVOICE_PAID, True),
    "invoice.dispute_answered": (Kind.INVOICE_DISPUTE_ANSWERED, False),
    "invoice.credited": (Kind.CREDIT_NOTE_RECEIVED, False),
}


# --- the events that notify ----------------------------------------------------------------------


class Lookup:
    """The rows a batch of events refers to, read once per batch (one query per table): events
    carry what they carried when written; the rows say what is true now (numbers, parties)."""

    def __init__(self, session: Session, events: Sequence[Event]) -> None:
        def ids(*kinds: str) -> set[int]:
            return {e.entity_id for e in events if e.kind in kinds}

        self.shipments = _rows(session, Shipment, ids("shipment.created"), Shipment.number, Shipment.order_id)
        self.invoices = _rows(
            session,
            Invoice,
            ids("invoice.submitted", *INVOICE_EVENTS),
            Invoice.number,
            Invoice.order_id,
            Invoice.match_status,
            Invoice.supplier_id,
        )
        self.receipts = _rows(
            session,
            GoodsReceipt,
            ids("goods_receipt.recorded"),
            GoodsReceipt.order_id,
            GoodsReceipt.has_discrepancy,
        )
        order_ids = (
            ids("order.confirmed", "order.change_reviewed")
            | {r.order_id for r in self.shipments.values()}
            | {r.order_id for r in self.receipts.values()}
        )
        self.orders = _rows(session, Order, order_ids, Order.number, Order.dealer_id, Order.supplier_id)
        case_ids = ids("case.commented", "case.routed", "case.opened", *STATUS_EVENTS)
        self.cases = _rows(session, Case, case_ids, Case.number, Case.routed_to_id, Case.opened_by_org_id)
        self.customers = _rows(session, Customer, ids("customer.shared"), Customer.number)
        self.opportunities = _rows(
            session,
            Opportunity,
            ids(*OPPORTUNITY_EVENTS),
            Opportunity.number,
            Opportunity.dealer_id,
        )
        self.registrations = _rows(
            session,
            DealRegistration,
            ids(*DEAL_EVENTS),
            DealRegistration.number,
            DealRegistration.dealer_id,
            DealRegistration.prospect_name,
        )


def _rows(session: Session, model: type[Any], ids: set[int], *columns: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        for row in session.execute(select(model.id, *columns).where(model.id.in_(chunk))):
            found[row[0]] = row
    return found


def notices_of(event: Event, lookup: Lookup) -> list[Notice]:
    """What ``event`` tells whom (before access and preferences)."""
    p = event.payload
    base: dict[str, Any] = {"event_id": event.id, "actor_user_id": event.actor_user_id}
    kind = event.kind
    if kind == "order.routed":
        return [
            Notice(Kind.ORDER_ROUTED, "order", event.entity_id, (Order, event.entity_id),
                   {"number": p.get("number")}, orgs=(p.get("supplier_id"),), **base)
        ]  # fmt: skip
    if kind == "order.confirmed":
        changed = any(
            isinstance(line, dict) and line.get("action") in {"changed", "rejected"}
            for line in p.get("lines", [])
        )
        order = lookup.orders.get(event.entity_id)
        if not changed or order is None:
            return []
        return [
            Notice(Kind.ORDER_LINES_CHANGED, "order", order.id, (Order, order.id), {"number": order.number},
                   orgs=(order.dealer_id,), owner_roles=OWNER_ORDER_STAFF, **base)
        ]  # fmt: skip
    if kind in ("order.changed", "order.cancelled"):
        # The supplier the order is routed to: it must confirm the changed lines (issue #17).
        supplier = p.get("supplier_id")
        if not is_int(supplier):
            return []
        rule = Kind.ORDER_CHANGED if kind == "order.changed" else Kind.ORDER_CANCELLED
        return [
            Notice(rule, "order", event.entity_id, (Order, event.entity_id), {"number": p.get("number")},
                   orgs=(supplier,), **base)
        ]  # fmt: skip
    if kind == "order.change_reviewed":
        order = lookup.orders.get(event.entity_id)
        if order is None:
            return []
        # The supplier whose change it was; the dealer, whose customer's order it is.
        return [
            Notice(Kind.ORDER_CHANGE_REVIEWED, "order", order.id, (Order, order.id),
                   {"number": order.number, **review_outcome(p.get("lines"))},
                   orgs=(order.supplier_id, order.dealer_id), **base)
        ]  # fmt: skip
    if kind == "shipment.created":
        shipment = lookup.shipments.get(event.entity_id)
        order = lookup.orders.get(shipment.order_id) if shipment is not None else None
        if shipment is None or order is None:
            return []
        return [
            Notice(Kind.SHIPMENT_RECEIVED, "order", order.id, (Shipment, shipment.id),
                   {"number": shipment.number, "order": order.number},
                   orgs=(order.dealer_id,), owner_roles=OWNER_ORDER_STAFF, **base)
        ]  # fmt: skip
    if kind == "goods_receipt.recorded":
        receipt = lookup.receipts.get(event.entity_id)
        order = lookup.orders.get(receipt.order_id) if receipt is not None else None
        if receipt is None or order is None or not receipt.has_discrepancy:
            return []
        # The supplier hears of damages and shortfalls (it ships the rest or credits them).
        return [
            Notice(Kind.RECEIPT_DISCREPANCY, "order", order.id, (GoodsReceipt, receipt.id),
                   {"number": order.number}, orgs=(order.supplier_id,), **base)
        ]  # fmt: skip
    if kind == "invoice.submitted":
        invoice = lookup.invoices.get(event.entity_id)
        if invoice is None or invoice.match_status is not MatchStatus.OVER_BILLED:
            return []
        return [
            Notice(Kind.INVOICE_OVERBILLED, "order", invoice.order_id, (Invoice, invoice.id),
                   {"number": invoice.number}, owner_roles=OWNER_ORDER_STAFF, **base)
        ]  # fmt: skip
    if kind in INVOICE_EVENTS:
        invoice = lookup.invoices.get(event.entity_id)
        if invoice is None:
            return []
        rule, to_supplier = INVOICE_EVENTS[kind]
        shown = {"number": invoice.number}
        if kind == "invoice.credited" and isinstance(p.get("credit_note_number"), str):
            shown["credit_note"] = p["credit_note_number"]
        who: dict[str, Any] = (
            {"orgs": (invoice.supplier_id,)} if to_supplier else {"owner_roles": OWNER_ORDER_STAFF}
        )
        return [Notice(rule, "invoice", invoice.id, (Invoice, invoice.id), shown, **who, **base)]
    if kind in {"case.routed", "case.opened"}:
        case = lookup.cases.get(event.entity_id)
        routed_to = p.get("routed_to_id") if is_int(p.get("routed_to_id")) else None
        if case is None or (routed_to is None and kind == "case.routed"):
            return []
        routed_to = routed_to if routed_to is not None else case.routed_to_id
        if routed_to is None:
            return []
        return [
            Notice(Kind.CASE_ROUTED, "case", case.id, (Case, case.id),
                   {"number": case.number}, orgs=(routed_to,), **base)
        ]  # fmt: skip
    if kind == "case.commented" or kind in STATUS_EVENTS:
        case = lookup.cases.get(event.entity_id)
        if case is None:
            return []
        orgs = (case.routed_to_id, case.opened_by_org_id)
        if kind == "case.commented":
            if not is_int(p.get("comment_id")):
                return []
            # Checked on the comment: an internal comment is readable by the owner's staff only.
            return [
                Notice(Kind.CASE_COMMENTED, "case", case.id, (CaseComment, p["comment_id"]),
                       {"number": case.number}, orgs=orgs, owner_roles=OWNER_CASE_STAFF, **base)
            ]  # fmt: skip
        return [
            Notice(Kind.CASE_STATUS_CHANGED, "case", case.id, (Case, case.id),
                   {"number": case.number, "status": kind.removeprefix("case.")},
                   orgs=orgs, owner_roles=OWNER_CASE_STAFF, **base)
        ]  # fmt: skip
    if kind == "customer.shared":
        customer = lookup.customers.get(event.entity_id)
        if customer is None or not is_int(p.get("organization_id")):
            return []
        return [
            Notice(Kind.CUSTOMER_SHARED, "customer", customer.id, (Customer, customer.id),
                   {"number": customer.number}, orgs=(p["organization_id"],), **base)
        ]  # fmt: skip
    if kind in OPPORTUNITY_EVENTS:
        return opportunity_notices(event, lookup, base)
    if kind in DEAL_EVENTS:
        return deal_notices(event, lookup, base)
    if kind in LEAD_EVENTS:
        return lead_notices(event, base)
    if kind == "webhook.disabled":
        org_id = p.get("organization_id", event.actor_org_id)
        if not isinstance(org_id, int):
            return []
        return [
            Notice(Kind.WEBHOOK_DISABLED, "webhook", event.entity_id, (Organization, org_id),
                   {"url": p.get("url")} if isinstance(p.get("url"), str) else {},
                   orgs=(org_id,), admins_only=True, **base)
        ]  # fmt: skip
    if kind == "task.assigned":
        if not is_int(p.get("assignee_id")) or p["assignee_id"] == event.actor_user_id:
            return []
        return [
            Notice(Kind.TASK_ASSIGNED, "task", event.entity_id, (Task, event.entity_id),
                   {"subject": p.get("subject")}, users=(p["assignee_id"],), **base)
        ]  # fmt: skip
    if kind in {"export.finished", "export.failed"}:
        requester = p.get("user_id", event.actor_user_id)
        if not is_int(requester):
            return []
        rule = Kind.EXPORT_FINISHED if kind == "export.finished" else Kind.EXPORT_FAILED
        shown = {k: v for k, v in p.items() if k in {"url", "name", "list"} and isinstance(v, str)}
        return [Notice(rule, "export", event.entity_id, None, shown, event_id=event.id, users=(requester,))]
    return []


NOTIFYING_EVENTS = (
    set(INVOICE_EVENTS)
    | {
        "order.routed",
        "order.confirmed",
        "order.change_reviewed",
        "order.changed",
        "order.cancelled",
        "shipment.created",
        "goods_receipt.recorded",
        "invoice.submitted",
        "case.routed",
        "case.opened",
    }
    | {"case.commented", "customer.shared", "webhook.disabled", "export.finished", "export.failed"}
    | {"task.assigned"}
    | STATUS_EVENTS
    | OPPORTUNITY_EVENTS
    | DEAL_EVENTS
    | LEAD_EVENTS
)
