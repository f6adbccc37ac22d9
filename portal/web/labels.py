"""Translatable labels of enum values and list columns. ``N_`` only marks a string for extraction;
templates translate it with ``_()`` at render time."""

from __future__ import annotations

from portal.models import (
    ActivityKind,
    CasePriority,
    CaseStatus,
    Direction,
    LineResponse,
    MatchStatus,
    OrderStatus,
    OrgKind,
    RecordState,
)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


STATUS = {
    OrderStatus.DRAFT: N_("Draft"),
    OrderStatus.AWAITING_CONFIRMATION: N_("Awaiting confirmation"),
    OrderStatus.PARTIALLY_CONFIRMED: N_("Partially confirmed"),
    OrderStatus.CONFIRMED: N_("Confirmed"),
    OrderStatus.REJECTED: N_("Rejected"),
    OrderStatus.PARTIALLY_SHIPPED: N_("Partially shipped"),
    OrderStatus.SHIPPED: N_("Shipped"),
    OrderStatus.PARTIALLY_INVOICED: N_("Partially invoiced"),
    OrderStatus.INVOICED: N_("Invoiced"),
    OrderStatus.CANCELLED: N_("Cancelled"),
}
CASE_STATUS = {
    CaseStatus.OPEN: N_("Open"),
    CaseStatus.IN_PROGRESS: N_("In progress"),
    CaseStatus.WAITING: N_("Waiting"),
    CaseStatus.RESOLVED: N_("Resolved"),
    CaseStatus.CLOSED: N_("Closed"),
}
PRIORITY = {
    CasePriority.URGENT: N_("Urgent"),
    CasePriority.HIGH: N_("High"),
    CasePriority.NORMAL: N_("Normal"),
    CasePriority.LOW: N_("Low"),
}
ACTIVITY = {
    ActivityKind.CALL: N_("Call"),
    ActivityKind.MEETING: N_("Meeting"),
    ActivityKind.APPOINTMENT: N_("Appointment"),
    ActivityKind.EMAIL: N_("E-mail"),
    ActivityKind.NOTE: N_("Note"),
    ActivityKind.TASK: N_("Task"),
}
RESPONSE = {
    LineResponse.PENDING: N_("Pending"),
    LineResponse.ACCEPTED: N_("Accepted"),
    LineResponse.CHANGED: N_("Changed"),
    LineResponse.REJECTED: N_("Rejected"),
}
MATCH = {MatchStatus.MATCHED: N_("Matched"), MatchStatus.OVER_BILLED: N_("Over-billed")}
ORG_KIND = {
    OrgKind.OWNER: N_("Owner"),
    OrgKind.PARTNER: N_("Partner"),
    OrgKind.SUPPLIER: N_("Supplier"),
    OrgKind.DEALER: N_("Dealer"),
}
EXCHANGE_STATE = {
    RecordState.RECEIVED: N_("Received"),
    RecordState.APPLIED: N_("Applied"),
    RecordState.PARTIALLY_APPLIED: N_("Partially applied"),
    RecordState.FAILED: N_("Failed"),
    RecordState.DUPLICATE: N_("Duplicate"),
    RecordState.DISCARDED: N_("Discarded"),
    RecordState.QUEUED: N_("Queued"),
    RecordState.SENDING: N_("Sending"),
    RecordState.SENT: N_("Sent"),
    RecordState.ACKNOWLEDGED: N_("Acknowledged"),
    RecordState.REJECTED: N_("Rejected"),
}
OVERDUE = {"overdue": N_("Acknowledgement overdue")}
DIRECTION = {Direction.INBOUND: N_("Received from partner"), Direction.OUTBOUND: N_("Sent to partner")}
EVENTS = {
    "order.created": N_("Order created"),
    "order.routed": N_("Routed to the supplier"),
    "order.confirmed": N_("Supplier answered"),
    "order.cancelled": N_("Order cancelled"),
    "shipment.created": N_("Ship notice recorded"),
    "invoice.submitted": N_("Invoice submitted"),
}
ALL: dict[str, str] = {
    str(key): value
    for table in (
        STATUS,
        CASE_STATUS,
        PRIORITY,
        ACTIVITY,
        RESPONSE,
        MATCH,
        ORG_KIND,
        EXCHANGE_STATE,
        OVERDUE,
        DIRECTION,
    )
    for key, value in table.items()
}
# Messages the services raise in InvalidInput that the catalog translates (others show as written).
SERVICE_MESSAGES = [
    N_("must not be empty"),
    N_("is not a number"),
    N_("is not a whole number"),
    N_("is not a date"),
    N_("is not a date and time"),
    N_("must be greater than zero"),
    N_("must not be negative"),
    N_("must not be in the past"),
    N_("must be after starts_at"),
    N_("is not correct"),
    N_("is already registered"),
    N_("the two new passwords differ"),
    N_("must have at least 10 characters"),
    N_("the file is empty"),
    N_("an order needs at least one line"),
    N_("answer at least one line"),
    N_("choose a file"),
    N_("must not be before the order date"),
]
