"""Translatable labels of enum values and list columns. ``N_`` only marks a string for extraction;
templates translate it with ``_()`` at render time."""

from __future__ import annotations

import re
from collections.abc import Callable

from portal.entities import ENTITIES
from portal.models import (
    ActivityKind,
    CampaignChannel,
    CampaignStatus,
    CaseCategory,
    CasePriority,
    CaseStatus,
    DealStatus,
    Direction,
    InvoiceStatus,
    LeadStatus,
    LineResponse,
    MatchStatus,
    OfferOutcome,
    OpportunityStage,
    OrderStatus,
    OrgKind,
    ReceiptReason,
    RecordState,
)
from portal.notify.webhooks.kinds import DISABLED_BY_ADMIN, EVERY_ATTEMPT_FAILED


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
CASE_CATEGORY = {
    CaseCategory.COMPLAINT: N_("Complaint"),
    CaseCategory.QUESTION: N_("Question"),
    CaseCategory.RETURN: N_("Return"),
    CaseCategory.TECHNICAL: N_("Technical"),
    CaseCategory.OTHER: N_("Other"),
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
MATCH = {
    MatchStatus.MATCHED: N_("Matched"),
    MatchStatus.OVER_BILLED: N_("Over-billed"),
    MatchStatus.ABOVE_RECEIVED: N_("Billed above received"),
}
RECEIPT_REASON = {
    ReceiptReason.SHORT: N_("Short delivery"),
    ReceiptReason.DAMAGED: N_("Damaged"),
    ReceiptReason.WRONG_ITEM: N_("Wrong item"),
    ReceiptReason.OTHER: N_("Other"),
}
INVOICE_STATUS = {
    InvoiceStatus.RECEIVED: N_("Received"),
    InvoiceStatus.DISPUTED: N_("Disputed"),
    InvoiceStatus.APPROVED: N_("Approved"),
    InvoiceStatus.REJECTED: N_("Rejected"),
    InvoiceStatus.PAID: N_("Paid"),
    InvoiceStatus.CREDITED: N_("Credited"),
}
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
TASK_STATE = {"task_open": N_("Open"), "task_done": N_("Done")}
# The level of an e-invoice finding (Schematron flags, as the KoSIT validator names them).
FINDING_LEVEL = {
    "fatal": N_("Fatal"),
    "error": N_("Error"),
    "warning": N_("Warning"),
    "information": N_("Information"),
}
# Entities by their catalogue name (portal.entities, whose labels the catalog extracts too).
STAGE = {
    OpportunityStage.QUALIFICATION: N_("Qualification"),
    OpportunityStage.PROPOSAL: N_("Proposal"),
    OpportunityStage.NEGOTIATION: N_("Negotiation"),
    OpportunityStage.WON: N_("Won"),
    OpportunityStage.LOST: N_("Lost"),
}
DEAL_STATUS = {
    DealStatus.SUBMITTED: N_("Submitted"),
    DealStatus.APPROVED: N_("Approved"),
    DealStatus.REJECTED: N_("Rejected"),
    DealStatus.WITHDRAWN: N_("Withdrawn"),
    DealStatus.EXPIRED: N_("Expired"),
}
ENTITY = {entity.name: entity.label for entity in ENTITIES}
ENTITY_PLURAL = {entity.name: entity.plural for entity in ENTITIES}
DIRECTION = {Direction.INBOUND: N_("Received from partner"), Direction.OUTBOUND: N_("Sent to partner")}
EVENTS = {
    "order.created": N_("Order created"),
    "order.routed": N_("Routed to the supplier"),
    "order.confirmed": N_("Supplier answered"),
    "order.change_reviewed": N_("Buyer reviewed the supplier's changes"),
    "order.cancelled": N_("Order cancelled"),
    "order.changed": N_("Order changed by the buyer"),
    "shipment.created": N_("Ship notice recorded"),
    "goods_receipt.recorded": N_("Goods receipt recorded"),
    "invoice.submitted": N_("Invoice submitted"),
    "invoice.approved": N_("Invoice approved"),
    "invoice.disputed": N_("Invoice disputed"),
    "invoice.rejected": N_("Invoice rejected"),
    "invoice.payment_scheduled": N_("Invoice payment planned"),
    "invoice.paid": N_("Invoice payment recorded"),
    "invoice.dispute_answered": N_("Invoice dispute answered"),
    "invoice.credited": N_("Credit note issued"),
}
LEAD_STATUS = {
    LeadStatus.NEW: N_("Unassigned"),
    LeadStatus.OFFERED: N_("Offered"),
    LeadStatus.ACCEPTED: N_("Accepted"),
    LeadStatus.DECLINED: N_("Declined by every dealer"),
    LeadStatus.CONVERTED: N_("Converted"),
    LeadStatus.DISQUALIFIED: N_("Disqualified"),
}
CAMPAIGN_STATUS = {
    CampaignStatus.PLANNED: N_("Planned"),
    CampaignStatus.RUNNING: N_("Running"),
    CampaignStatus.ENDED: N_("Ended"),
}
CAMPAIGN_CHANNEL = {
    CampaignChannel.EMAIL: N_("E-mail"),
    CampaignChannel.EVENT: N_("Event or seminar"),
    CampaignChannel.TRADE_FAIR: N_("Trade fair"),
    CampaignChannel.PRINT: N_("Print"),
    CampaignChannel.ONLINE: N_("Online"),
    CampaignChannel.PHONE: N_("Phone"),
}
# The list cells name a channel by this key (a channel's value alone, "email", would not be unique
# among the labels).
CHANNEL_CELL = {f"channel_{key.value}": text for key, text in CAMPAIGN_CHANNEL.items()}
# The countries the customers list filters by (customers are segmented by where they are).
COUNTRIES = {
    "DE": N_("Germany"),
    "AT": N_("Austria"),
    "CH": N_("Switzerland"),
    "NL": N_("Netherlands"),
    "BE": N_("Belgium"),
    "LU": N_("Luxembourg"),
    "FR": N_("France"),
    "DK": N_("Denmark"),
    "PL": N_("Poland"),
    "CZ": N_("Czechia"),
    "IT": N_("Italy"),
}
OFFER_OUTCOME = {
    OfferOutcome.ACCEPTED: N_("Accepted"),
    OfferOutcome.DECLINED: N_("Declined"),
    OfferOutcome.EXPIRED: N_("Not answered in time"),
    OfferOutcome.WITHDRAWN: N_("Taken back by marketing"),
}
ALL: dict[str, str] = {
    str(key): value
    for table in (
        STATUS,
        CASE_STATUS,
        PRIORITY,
        CASE_CATEGORY,
        ACTIVITY,
        RESPONSE,
        MATCH,
        INVOICE_STATUS,
        ORG_KIND,
        EXCHANGE_STATE,
        OVERDUE,
        DIRECTION,
        FINDING_LEVEL,
        TASK_STATE,
        STAGE,
        DEAL_STATUS,
        LEAD_STATUS,
        CAMPAIGN_STATUS,
        CHANNEL_CELL,
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
    N_("cannot be used for a new user: use another address, or ask the portal's operator"),
    N_("is one of the most common passwords: choose a phrase of several unrelated words"),
    N_("repeats characters or runs through a sequence: choose a phrase of several unrelated words"),
    N_("contains your e-mail address or name: choose something others cannot guess"),
    N_("the two new passwords differ"),
    N_("must have at least 10 characters"),
    N_("the file is empty"),
    N_("an order needs at least one line"),
    N_("answer at least one line"),
    N_("choose a file"),
    N_("must not be before the order date"),
    N_("choose the supplier to route the order to"),
    N_("must be an active user of the task's organization who may write"),
    N_("must lie in the years 2000 to 2099"),
    N_("an API token must name the user to assign the task to"),
]
# A number typed in the user's language (portal.web.forms.Form.decimal), by the locale's decimal mark.
NOT_A_NUMBER = {
    ",": N_("is not a number: write it like 1.234,5"),
    ".": N_("is not a number: write it like 1,234.5"),
}
AMBIGUOUS_NUMBER = {
    ",": N_("is ambiguous: write 1000 (or 1.000) for a thousand, 1 for one"),
    ".": N_("is ambiguous: write 1000 (or 1,000) for a thousand, 1 for one"),
}
SERVICE_MESSAGES += [*NOT_A_NUMBER.values(), *AMBIGUOUS_NUMBER.values()]
SERVICE_MESSAGES += [
    # raised by the order services (portal.orders.units, portal.orders.service)
    N_("a rejected line has no deliveries"),
    N_("must be a whole number for a unit counted in pieces"),
    N_("only the owner's sales staff may set a price: leave it out to use the catalogue price"),
    N_("must be at least 1"),
    N_("must be a finite number"),
    N_("is too large"),
    N_("has more than 4 decimal places"),
    N_("must carry a time zone"),
    N_("belongs to another customer"),
    N_("answered twice"),
    N_("must be accepted, changed or rejected"),
    N_("unknown value"),
    N_("must be a positive number of days"),
    N_("a GLN has 13 digits"),
    N_("an SSCC has 18 digits"),
    N_("use a two-letter ISO 3166 code"),
    N_("use a three-letter ISO 4217 code"),
    N_("a ship notice needs at least one line"),
    N_("an invoice needs at least one line"),
    N_("is a percentage and must not exceed 100"),
    N_("route to an external organization, or unroute to keep it in-house"),
    N_("at least one role is required"),
    N_("you cannot deactivate your own account"),
    N_("exchange profiles are for partners, suppliers and dealers"),
    N_("a folder profile needs a root folder"),
    N_("an interchange id has 1 to 35 characters"),
    N_("configure a private key file (or a password variable)"),
    N_("use 2-63 lower-case letters, digits and dashes"),
    # raised by the customer master (portal.customers.service)
    N_("a VAT id starts with the two-letter country code"),
    N_("must not be in the future"),
    N_("say how the consent was given or withdrawn"),
    # raised by the opportunity service (portal.opportunities.service)
    N_("say why the opportunity was lost"),
    N_("add the products sold before marking the opportunity won: they become the order"),
    N_("is the sum of the lines; change the lines instead"),
    N_("an opportunity starts in qualification, proposal or negotiation"),
    N_("unknown product; choose one from the catalogue"),
    N_("must be between 0 and 100"),
    # raised by deal registration (portal.deals.service)
    N_("say why the registration is rejected"),
    N_("must be after today"),
    N_("must lie within two years"),
    N_("another dealer's registration protects this prospect: confirm to approve anyway"),
    # raised by the lead services (portal.leads)
    N_("say why you decline the lead"),
    N_("say why the lead is disqualified"),
    N_("choose a dealer"),  # giving a lead by hand (portal.web.views.leads)
    N_("the file is not UTF-8: save it as “CSV UTF-8”"),
    N_("the file is empty: the first line names the columns"),
    N_("the file has no company column (Firma or Company)"),
    N_("the file has no rows below its header"),
    # raised by the campaign services (portal.campaigns)
    N_("choose a channel"),
    N_("a campaign runs three years at most"),
    N_("is too large"),
    N_("another campaign has this name"),
    N_("another segment has this name"),
    N_("filter the customers list first: a segment of every customer is no segment"),
    N_("use the first digits of postal codes, separated by commas (60, 61)"),
    # postal addresses (portal.validation: customers, leads, deal registrations)
    N_("use letters, digits, spaces and hyphens only"),
    N_("a German postal code has five digits"),
    # the buyer's order changes (portal.orders.changes)
    N_("change, cancel or add at least one line"),
    N_("changed twice"),
    N_("a cancelled line takes no new quantity or date"),
]
ROLES = {
    "admin": N_("Administrator"),
    "sales": N_("Sales"),
    "support": N_("Support"),
    "viewer": N_("Read only"),
    "member": N_("Member"),
}
# Kinds of file (MIME types) by name, for the attachment form and its errors.
FILE_TYPES = {
    "application/pdf": N_("PDF document"),
    "image/png": N_("PNG image"),
    "image/jpeg": N_("JPEG image"),
    "image/gif": N_("GIF image"),
    "image/webp": N_("WebP image"),
    "text/plain": N_("text file"),
    "text/csv": N_("CSV table"),
    "application/zip": N_("ZIP archive"),
    "application/xml": N_("XML file"),
    "text/xml": N_("XML file"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": N_("Excel workbook"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": N_("Word document"),
}
# Field names as the user knows them (service names and form names), for messages that name a
# field and for the list of errors at the top of a form.
FIELDS = {
    "starts_on": N_("Starts on"),
    "ends_on": N_("Ends on"),
    "channel": N_("Channel"),
    "budget": N_("Budget (EUR)"),
    "segment_id": N_("Segment"),
    "postal": N_("Postal codes starting with"),
    "country": N_("Country"),
    "subject": N_("Subject"),
    "company": N_("Company"),
    "contact_name": N_("Contact person"),
    "region": N_("Region"),
    "source": N_("Source"),
    "campaign": N_("Campaign"),
    "campaign_id": N_("Campaign"),
    "capacity": N_("Capacity (open leads at most)"),
    "postal_ranges": N_("Postal-code ranges, one a line"),
    "regions": N_("Regions, one a line"),
    "opportunity_name": N_("Opportunity"),
    "mode": N_("If a row is bad"),
    "description": N_("Description"),
    "priority": N_("Priority"),
    "category": N_("Category"),
    "body": N_("Text"),
    "comment": N_("Comment"),
    "file": N_("File"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "position": N_("Position"),
    "email": N_("E-mail address"),
    "phone": N_("Phone"),
    "kind": N_("Kind"),
    "contact_id": N_("Contact"),
    "contact": N_("Contact"),
    "starts_at": N_("Starts"),
    "ends_at": N_("Ends"),
    "due_at": N_("Due"),
    "occurred_at": N_("Date"),
    "name": N_("Name"),
    "password": N_("Password"),
    "current_password": N_("Current password"),
    "new_password": N_("New password"),
    "new_password_repeat": N_("Repeat the new password"),
    "roles": N_("Role"),
    "expires_in_days": N_("Valid for (days)"),
    "expires": N_("Valid for (days)"),
    "organization_id": N_("Organization"),
    "organization": N_("Organization"),
    "routed_to_id": N_("Route to"),
    "routed_to": N_("Route to"),
    "customer_id": N_("Customer"),
    "assignee_id": N_("Assigned to"),
    "assignee": N_("Assigned to"),
    "due_on": N_("Due on"),
    "notes": N_("Notes"),
    "customer": N_("Customer"),
    "order_id": N_("Order"),
    "order": N_("Order"),
    "supplier_id": N_("Supplier"),
    "supplier": N_("Supplier"),
    "requested_date": N_("Requested delivery date"),
    "promised_date": N_("Promised date"),
    "shipped_on": N_("Shipped on"),
    "delivery_date": N_("Delivery date"),
    "invoice_date": N_("Invoice date"),
    "number": N_("Number"),
    "carrier": N_("Carrier"),
    "tracking_number": N_("Tracking number"),
    "packages": N_("Packages"),
    "quantity": N_("Quantity"),
    "unit_price": N_("Unit price"),
    "tax_rate": N_("Tax rate"),
    "lines": N_("Lines"),
    "version": N_("Version"),
    "action": N_("Action"),
    "from": N_("From"),
    "to": N_("To"),
    "url": N_("URL"),
    "event_kinds": N_("Events"),
    "reason": N_("Reason"),
    "message": N_("Your answer"),
    "gross_total": N_("Amount credited (gross)"),
    "tax_total": N_("Tax"),
    "paid_on": N_("Paid on"),
    "reference": N_("Payment reference"),
    "payment_scheduled_on": N_("Payment planned on"),
    "issue_date": N_("Issue date"),
    "street": N_("Street"),
    "postal_code": N_("Postal code"),
    "city": N_("City"),
    "country_code": N_("Country"),
    "vat_id": N_("VAT ID"),
    "gln": N_("GLN"),
    "email_consent": N_("consent to e-mail"),
    "phone_consent": N_("consent to phone calls"),
    "email_consent_source": N_("How the e-mail consent was given or withdrawn"),
    "phone_consent_source": N_("How the phone consent was given or withdrawn"),
    "email_consent_at": N_("Day of the e-mail consent"),
    "phone_consent_at": N_("Day of the phone consent"),
    "expected_close": N_("Expected close"),
    "amount": N_("Amount"),
    "probability": N_("Probability (percent)"),
    "stage": N_("Stage"),
    "lost_reason": N_("Reason for the loss"),
    "note": N_("Note"),
    "owner": N_("Owner of the opportunity"),  # the person, not the owner organization
    "dealer": N_("Dealer"),
    "dealer_id": N_("Dealer"),
    "product": N_("Product"),
    "sku": N_("Product"),
    "line": N_("Line"),
    "prospect_name": N_("Prospect (company)"),
    "contact_email": N_("Contact's e-mail"),
    "contact_phone": N_("Contact's phone"),
    "protected_until": N_("Protected until"),
    "confirm_over_protection": N_("Approve over another dealer's protection"),
    "new_customer": N_("Customer"),
    # the order page's line forms (answer, review, change, goods receipt)
    "decision": N_("Decision"),
    "review": N_("Decision"),
    "schedule": N_("Deliveries"),
    "received": N_("Arrived"),
    "damaged": N_("Of it damaged"),
    "cancel": N_("Cancel this line"),
    "date": N_("Date"),
}

# The event kinds a webhook endpoint may want (portal.notify.webhooks.kinds.EVENT_KINDS).
WEBHOOK_EVENT_KINDS: dict[str, str] = {
    "order.created": N_("Order created"),
    "order.routed": N_("Order routed to a supplier"),
    "order.confirmed": N_("Order lines answered by the supplier"),
    "order.change_reviewed": N_("Supplier's changes reviewed by the buyer"),
    "order.cancelled": N_("Order cancelled"),
    "order.changed": N_("Order changed by the buyer (a new version)"),
    "shipment.created": N_("Ship notice received"),
    "goods_receipt.recorded": N_("Goods receipt recorded"),
    "invoice.submitted": N_("Invoice submitted"),
    "case.opened": N_("Case opened"),
    "case.routed": N_("Case routed"),
    "case.updated": N_("Case changed"),
    "case.commented": N_("Case commented"),
    "case.attachment_added": N_("File attached to a case"),
    "case.in_progress": N_("Case in progress"),
    "case.waiting": N_("Case waiting"),
    "case.resolved": N_("Case resolved"),
    "case.closed": N_("Case closed"),
    "case.open": N_("Case reopened"),
    "customer.created": N_("Customer created"),
    "customer.updated": N_("Customer changed"),
    "customer.shared": N_("Customer shared"),
    "customer.unshared": N_("Customer no longer shared"),
    "contact.created": N_("Contact created"),
    "contact.updated": N_("Contact changed"),
    "contact.erased": N_("Contact erased on request"),
    "activity.completed": N_("Task completed"),
    "opportunity.created": N_("Opportunity opened"),
    "opportunity.updated": N_("Opportunity changed"),
    "opportunity.assigned": N_("Opportunity given to another user"),
    "opportunity.stage_changed": N_("Opportunity moved to another stage"),
    "opportunity.won": N_("Opportunity won"),
    "opportunity.lost": N_("Opportunity lost"),
    "lead.offered": N_("Lead offered to a dealer"),
    "lead.accepted": N_("Lead accepted by the dealer"),
    "lead.declined": N_("Lead declined by the dealer"),
    "lead.expired": N_("Lead not answered in time"),
    "lead.converted": N_("Lead converted"),
    "webhook.test": N_("Test event"),  # "Send test event" (never offered to subscribe to)
}
WEBHOOK_STATUSES: dict[str, str] = {
    "pending": N_("waiting"),
    "sending": N_("sending"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
    "skipped": N_("not sent (no longer visible)"),
}

# raised by the webhook services (portal.notify.webhooks.service, .guard)
SERVICE_MESSAGES += [
    N_("must be an http or https URL"),
    N_("must be an http or https URL of at most 2000 characters"),
    N_("must not contain a user name or password"),
    N_("is not a valid URL"),
    N_("choose at least one event kind"),
    N_("an organization may register at most 20 endpoints"),
    N_("must not contain NUL characters"),
]


# Why an endpoint was disabled, as `portal.notify.webhooks` stores it (English, for the API), read
# back into the reader's language on the portal.
_EVERY_ATTEMPT = re.compile(
    "^"
    + re.escape(EVERY_ATTEMPT_FAILED)
    .replace(r"\{delivery\}", r"(?P<delivery>\S+)")
    .replace(r"\{error\}", "(?P<error>.*)")
    + "$",
    re.S,
)
_BY_ADMIN_TEXT = N_("An admin disabled it.")
_EVERY_ATTEMPT_TEXT = N_(
    "Every attempt of delivery %(delivery)s failed for more than a day (last: %(error)s), so it was disabled."
)


def webhook_disabled_reason(reason: str, gettext: Callable[[str], str]) -> str:
    """The stored reason in the reader's language (an unknown one as it is)."""
    if reason == DISABLED_BY_ADMIN:
        return gettext(_BY_ADMIN_TEXT)
    found = _EVERY_ATTEMPT.match(reason)
    if found:
        return gettext(_EVERY_ATTEMPT_TEXT) % found.groupdict()
    return reason


# raised by the order page's answer form (portal.web.views.orders) and the procure-to-pay fixes (#17)
SERVICE_MESSAGES += [
    N_("a reason goes with a rejection: choose “Rejected”"),
    N_("a goods receipt needs at least one line"),
    N_("a supplier does not sell orders"),
    N_("decide on at least one line"),
    N_("decided twice"),
    N_("give a reason code for the damaged or missing goods (short, damaged, wrong item, other)"),
    N_("has more than 2 decimal places"),
    N_("is more than the credit note's gross total"),
    N_("must be a percentage between 0 and 100 (two decimals)"),
    N_("choose accept or reject for at least one line"),
    N_("enter what arrived of at least one line"),
    N_("the invoice names no order (RFF+ON / BIG04 / OrderReference)"),
]
