"""What notifies whom: the rules table.

Each kind of notification names the outbox events (or the scheduler's occasion) it comes from, its
title (English, translated at read time from the notification's payload: nothing in a reader's
language is stored), and a default per role of the recipient: in the inbox or not, and e-mail
immediately, in a daily digest or not at all. A user changes these per kind on the preferences page
(`portal.notify.preferences`). Who is a candidate and whether the candidate may read the object at
that moment is decided per event in `portal.notify.recipients` through `portal.access`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext marker (portal.web.catalog extracts this file)
    return message


class Kind(enum.StrEnum):
    ORDER_ROUTED = "order_routed"
    ORDER_LINES_CHANGED = "order_lines_changed"
    ORDER_CHANGE_REVIEWED = "order_change_reviewed"
    ORDER_CHANGED = "order_changed"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_LATE = "order_late"
    SHIPMENT_RECEIVED = "shipment_received"
    RECEIPT_DISCREPANCY = "receipt_discrepancy"
    INVOICE_OVERBILLED = "invoice_overbilled"
    INVOICE_APPROVED = "invoice_approved"
    INVOICE_DISPUTED = "invoice_disputed"
    INVOICE_REJECTED = "invoice_rejected"
    INVOICE_PAID = "invoice_paid"
    INVOICE_DISPUTE_ANSWERED = "invoice_dispute_answered"
    CREDIT_NOTE_RECEIVED = "credit_note_received"
    CASE_ROUTED = "case_routed"
    CASE_COMMENTED = "case_commented"
    CASE_STATUS_CHANGED = "case_status_changed"
    CASE_SLA_NEAR = "case_sla_near"
    CASE_SLA_BREACHED = "case_sla_breached"
    CUSTOMER_SHARED = "customer_shared"
    APPOINTMENT_REMINDER = "appointment_reminder"
    TASK_ASSIGNED = "task_assigned"
    TASK_DUE = "task_due"
    OPPORTUNITY_ASSIGNED = "opportunity_assigned"
    OPPORTUNITY_WON = "opportunity_won"
    DEAL_REGISTRATION_SUBMITTED = "deal_registration_submitted"
    DEAL_REGISTRATION_DECIDED = "deal_registration_decided"
    DEAL_REGISTRATION_EXPIRING = "deal_registration_expiring"
    DEAL_REGISTRATION_EXPIRED = "deal_registration_expired"
    LEAD_OFFERED = "lead_offered"
    LEAD_DECLINED = "lead_declined"
    LEAD_EXPIRED = "lead_expired"
    EXCHANGE_FAILED = "exchange_failed"
    ACK_OVERDUE = "ack_overdue"
    TOKEN_EXPIRING = "token_expiring"  # noqa: S105 - a kind of notification, not a secret
    WEBHOOK_DISABLED = "webhook_disabled"
    EXPORT_FINISHED = "export_finished"
    EXPORT_FAILED = "export_failed"


class Email(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Choice:
    """Where a kind of notification goes for one user."""

    inbox: bool = True
    email: Email = Email.OFF
    lead_minutes: int | None = None  # appointment reminders: how long before the start


@dataclass(frozen=True, slots=True)
class Rule:
    kind: Kind
    label: str  # the kind, on the preferences page and the inbox filter
    title: str  # one notification, with %(...)s fields of its payload
    source: str  # the outbox events it comes from, or "scheduler"
    defaults: Mapping[str, Choice] = field(default_factory=dict)  # role -> choice; "*" for the rest
    # Titles by the payload's "outcome" (a review accepted, rejected or partly); others: ``title``.
    outcome_titles: Mapping[str, str] = field(default_factory=dict)

    def default_for(self, roles: frozenset[str]) -> Choice:
        """The most the user's roles ask for (an admin who is also sales gets sales' e-mails)."""
        chosen = [self.defaults[r] for r in sorted(roles) if r in self.defaults]
        if not chosen:
            return self.defaults.get("*", Choice())
        return Choice(
            inbox=any(c.inbox for c in chosen),
            email=min((c.email for c in chosen), key=_EMAIL_ORDER.index),
            lead_minutes=next((c.lead_minutes for c in chosen if c.lead_minutes is not None), None),
        )


_EMAIL_ORDER = [Email.IMMEDIATE, Email.DIGEST, Email.OFF]
DEFAULT_LEAD_MINUTES = 30
LEAD_CHOICES = (10, 15, 30, 60, 120, 1440)

_ON = Choice()
_DIGEST = Choice(email=Email.DIGEST)
_MAIL = Choice(email=Email.IMMEDIATE)
_OFF = Choice(inbox=False)

RULES: tuple[Rule, ...] = (
    Rule(
        Kind.ORDER_ROUTED,
        N_("Order routed to you"),
        N_("Order %(number)s was routed to you"),
        "order.routed",
        {"*": _MAIL},
    ),
    Rule(
        Kind.ORDER_LINES_CHANGED,
        N_("Supplier changed or rejected lines"),
        N_("The supplier changed or rejected lines of order %(number)s"),
        "order.confirmed (a line changed or rejected)",
        {"sales": _MAIL, "admin": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.ORDER_CHANGE_REVIEWED,
        N_("Buyer reviewed changes"),
        N_("The buyer reviewed the changes to order %(number)s"),
        "order.change_reviewed",
        {"*": _MAIL},
        outcome_titles={
            "accepted": N_("The buyer accepted the changes to order %(number)s"),
            "rejected": N_("The buyer rejected the changes to order %(number)s"),
            "partly": N_(
                "The buyer accepted some of the changes to order %(number)s"
                " (accepted: %(accepted)s, rejected: %(rejected)s)"
            ),
        },
    ),
    Rule(
        Kind.ORDER_CHANGED,
        N_("Buyer changed an order"),
        N_("The buyer changed order %(number)s: please confirm the changed lines"),
        "order.changed",
        {"*": _MAIL},
    ),
    Rule(
        Kind.ORDER_CANCELLED,
        N_("Buyer cancelled an order"),
        N_("The buyer cancelled order %(number)s"),
        "order.cancelled (a routed order)",
        {"*": _MAIL},
    ),
    Rule(
        Kind.ORDER_LATE,
        N_("Order late"),
        N_("Order %(number)s is late against its requested date"),
        "scheduler",
        {"sales": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.SHIPMENT_RECEIVED,
        N_("Ship notice received"),
        N_("Ship notice %(number)s received for order %(order)s"),
        "shipment.created",
        {"*": _ON},
    ),
    Rule(
        Kind.RECEIPT_DISCREPANCY,
        N_("Goods received with damages or shortfalls"),
        N_("Goods of order %(number)s were received with damages or shortfalls"),
        "goods_receipt.recorded (damages or shortfalls)",
        {"*": _MAIL},
    ),
    Rule(
        Kind.INVOICE_OVERBILLED,
        N_("Invoice over-billed"),
        N_("Invoice %(number)s bills more than was shipped"),
        "invoice.submitted (over-billed)",
        {"*": _MAIL},
    ),
    Rule(
        Kind.INVOICE_APPROVED,
        N_("Invoice approved"),
        N_("Invoice %(number)s was approved"),
        "invoice.approved",
        {"*": _ON},
    ),
    Rule(
        Kind.INVOICE_DISPUTED,
        N_("Invoice disputed"),
        N_("Invoice %(number)s is disputed: please answer"),
        "invoice.disputed",
        {"*": _MAIL},
    ),
    Rule(
        Kind.INVOICE_REJECTED,
        N_("Invoice rejected"),
        N_("Invoice %(number)s was rejected"),
        "invoice.rejected",
        {"*": _MAIL},
    ),
    Rule(
        Kind.INVOICE_PAID,
        N_("Invoice paid"),
        N_("A payment of invoice %(number)s was recorded"),
        "invoice.paid",
        {"*": _ON},
    ),
    Rule(
        Kind.INVOICE_DISPUTE_ANSWERED,
        N_("Invoice dispute answered"),
        N_("The supplier answered the dispute of invoice %(number)s"),
        "invoice.dispute_answered",
        {"sales": _MAIL, "*": _ON},
    ),
    Rule(
        Kind.CREDIT_NOTE_RECEIVED,
        N_("Credit note received"),
        N_("Credit note %(credit_note)s received for invoice %(number)s"),
        "invoice.credited",
        {"sales": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.CASE_ROUTED,
        N_("Case routed to you"),
        N_("Case %(number)s was routed to your organization"),
        "case.routed, case.opened",
        {"*": _MAIL},
    ),
    Rule(
        Kind.CASE_COMMENTED,
        N_("Case commented"),
        N_("New comment on case %(number)s"),
        "case.commented",
        {"admin": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.CASE_STATUS_CHANGED,
        N_("Case status changed"),
        N_("Case %(number)s is now: %(status)s"),
        "case.in_progress, case.waiting, case.resolved, case.closed, case.open",
        {"admin": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.CASE_SLA_NEAR,
        N_("Case SLA near breach"),
        N_("Case %(number)s is close to its SLA due time"),
        "scheduler",
        {"support": _MAIL, "*": _ON},
    ),
    Rule(
        Kind.CASE_SLA_BREACHED,
        N_("Case SLA breached"),
        N_("Case %(number)s missed its SLA due time"),
        "scheduler",
        {"support": _MAIL, "admin": _MAIL, "*": _ON},
    ),
    Rule(
        Kind.CUSTOMER_SHARED,
        N_("Customer shared with you"),
        N_("Customer %(number)s was shared with your organization"),
        "customer.shared",
        {"*": _DIGEST},
    ),
    Rule(
        Kind.OPPORTUNITY_ASSIGNED,
        N_("Opportunity assigned to you"),
        N_("Opportunity %(number)s was assigned to you"),
        "opportunity.created, opportunity.assigned",
        {"*": _MAIL},
    ),
    Rule(
        Kind.OPPORTUNITY_WON,
        N_("Opportunity won"),
        N_("Opportunity %(number)s was won: order %(order)s"),
        "opportunity.won",
        {"sales": _MAIL, "admin": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.DEAL_REGISTRATION_SUBMITTED,
        N_("Deal registration submitted"),
        N_("Deal registration %(number)s submitted: %(prospect)s"),
        "deal_registration.submitted",
        {"sales": _MAIL, "admin": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.DEAL_REGISTRATION_DECIDED,
        N_("Deal registration decided"),
        N_("Deal registration %(number)s: %(status)s"),
        "deal_registration.approved, deal_registration.rejected",
        {"*": _MAIL},
    ),
    Rule(
        Kind.DEAL_REGISTRATION_EXPIRING,
        N_("Deal protection ends soon"),
        N_("The protection of deal registration %(number)s ends on %(day)s"),
        "scheduler",
        {"*": _MAIL},
    ),
    Rule(
        Kind.DEAL_REGISTRATION_EXPIRED,
        N_("Deal protection expired"),
        N_("The protection of deal registration %(number)s has expired"),
        "deal_registration.expired (scheduler)",
        {"*": _ON},
    ),
    Rule(
        Kind.LEAD_OFFERED,
        N_("Lead offered to you"),
        N_("Lead %(number)s was offered to your organization: accept or decline it in time"),
        "lead.offered",
        {"*": _MAIL},
    ),
    Rule(
        Kind.LEAD_DECLINED,
        N_("Lead declined by a dealer"),
        N_("A dealer declined lead %(number)s: %(reason)s"),
        "lead.declined",
        {"sales": _MAIL, "admin": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.LEAD_EXPIRED,
        N_("Lead not answered in time"),
        N_("Lead %(number)s was not answered in time and has been routed on"),
        "lead.expired (the worker, past the answer deadline)",
        {"sales": _DIGEST, "*": _ON},
    ),
    Rule(
        Kind.APPOINTMENT_REMINDER,
        N_("Appointment reminder"),
        N_("Appointment coming up: %(subject)s"),
        "scheduler",
        {"*": Choice(lead_minutes=DEFAULT_LEAD_MINUTES)},
    ),
    Rule(
        Kind.TASK_ASSIGNED,
        N_("Task assigned to you"),
        N_("Task assigned to you: %(subject)s"),
        "task.assigned",
        {"*": _ON},
    ),
    Rule(
        Kind.TASK_DUE,
        N_("Task due"),
        N_("Task due today: %(subject)s"),
        "scheduler",
        {"*": _DIGEST},
    ),
    Rule(
        Kind.EXCHANGE_FAILED,
        N_("EDI file failed"),
        N_("The file %(filename)s could not be processed"),
        "scheduler",
        {"admin": _MAIL, "*": _ON},
    ),
    Rule(
        Kind.ACK_OVERDUE,
        N_("Acknowledgement overdue"),
        N_("No acknowledgement yet for the file %(filename)s"),
        "scheduler",
        {"admin": _MAIL, "*": _ON},
    ),
    Rule(
        Kind.TOKEN_EXPIRING,
        N_("API token expires soon"),
        N_("The API token %(name)s expires soon"),
        "scheduler",
        {"*": _MAIL},
    ),
    Rule(
        Kind.WEBHOOK_DISABLED,
        N_("Webhook disabled"),
        N_("A webhook was disabled after failed deliveries"),
        "webhook.disabled",
        {"*": _MAIL},
    ),
    Rule(
        Kind.EXPORT_FINISHED,
        N_("Export finished"),
        N_("Your export is ready"),
        "export.finished",
        {"*": _ON},
    ),
    Rule(
        Kind.EXPORT_FAILED,
        N_("Export failed"),
        N_("Your export failed"),
        "export.failed",
        {"*": _ON},
    ),
)

RULE_OF: dict[str, Rule] = {rule.kind.value: rule for rule in RULES}

# Who can be told of each kind: "<org kind>" (any user of such an organization) or "<org kind>:<role>".
# The notifier delivers to no one else (`portal.notify.recipients.Directory.candidates`), and the
# preferences page offers a user exactly the kinds admitted for its organization's kind and roles.
# Personal kinds (one's task, one's export) reach whomever they name: PERSONAL.
_EXTERNAL = frozenset({"dealer", "partner", "supplier"})
_ORDER_STAFF = frozenset({"owner:admin", "owner:sales"})
_CASE_STAFF = frozenset({"owner:admin", "owner:support"})
_ADMINS = frozenset({"owner:admin", "dealer:admin", "partner:admin", "supplier:admin"})
_CUSTOMER_SIDE = frozenset({"owner", "dealer", "partner"})  # who works with customers (not suppliers)
PERSONAL: frozenset[str] = frozenset()
AUDIENCE: dict[Kind, frozenset[str]] = {
    Kind.ORDER_ROUTED: frozenset({"supplier"}),
    Kind.ORDER_LINES_CHANGED: _ORDER_STAFF | {"dealer"},
    Kind.ORDER_CHANGE_REVIEWED: frozenset({"supplier", "dealer"}),
    Kind.ORDER_CHANGED: frozenset({"supplier"}),
    Kind.ORDER_CANCELLED: frozenset({"supplier"}),
    Kind.ORDER_LATE: _ORDER_STAFF | {"dealer", "supplier"},
    Kind.SHIPMENT_RECEIVED: _ORDER_STAFF | {"dealer"},
    Kind.RECEIPT_DISCREPANCY: frozenset({"supplier"}),
    Kind.INVOICE_OVERBILLED: _ORDER_STAFF,
    Kind.INVOICE_APPROVED: frozenset({"supplier"}),
    Kind.INVOICE_DISPUTED: frozenset({"supplier"}),
    Kind.INVOICE_REJECTED: frozenset({"supplier"}),
    Kind.INVOICE_PAID: frozenset({"supplier"}),
    Kind.INVOICE_DISPUTE_ANSWERED: _ORDER_STAFF,
    Kind.CREDIT_NOTE_RECEIVED: _ORDER_STAFF,
    Kind.CASE_ROUTED: _EXTERNAL,
    Kind.CASE_COMMENTED: _CASE_STAFF | _EXTERNAL,
    Kind.CASE_STATUS_CHANGED: _CASE_STAFF | _EXTERNAL,
    Kind.CASE_SLA_NEAR: _CASE_STAFF | _EXTERNAL,
    Kind.CASE_SLA_BREACHED: _CASE_STAFF | _EXTERNAL,
    Kind.CUSTOMER_SHARED: frozenset({"dealer", "partner"}),
    Kind.OPPORTUNITY_ASSIGNED: _ORDER_STAFF | {"dealer", "partner"},
    Kind.OPPORTUNITY_WON: _ORDER_STAFF | {"dealer"},
    Kind.DEAL_REGISTRATION_SUBMITTED: _ORDER_STAFF,
    Kind.DEAL_REGISTRATION_DECIDED: frozenset({"dealer"}),
    Kind.DEAL_REGISTRATION_EXPIRING: frozenset({"dealer"}),
    Kind.DEAL_REGISTRATION_EXPIRED: frozenset({"dealer"}),
    Kind.LEAD_OFFERED: frozenset({"dealer"}),
    Kind.LEAD_DECLINED: _ORDER_STAFF,
    Kind.LEAD_EXPIRED: _ORDER_STAFF | {"dealer"},
    Kind.APPOINTMENT_REMINDER: _CUSTOMER_SIDE,
    Kind.TASK_ASSIGNED: PERSONAL,
    Kind.TASK_DUE: PERSONAL,
    Kind.EXCHANGE_FAILED: _ADMINS,
    Kind.ACK_OVERDUE: _ADMINS,
    Kind.TOKEN_EXPIRING: _ADMINS,
    Kind.WEBHOOK_DISABLED: _ADMINS,
    Kind.EXPORT_FINISHED: PERSONAL,
    Kind.EXPORT_FAILED: PERSONAL,
}


def may_be_told(kind: Kind | str, org_kind: str, roles: frozenset[str]) -> bool:
    """Whether a user of an organization of ``org_kind`` with ``roles`` can be told of ``kind``
    (a kind missing from AUDIENCE, or a personal one: anyone it names)."""
    audience = AUDIENCE.get(Kind(kind), PERSONAL)
    if not audience:
        return True
    return org_kind in audience or any(f"{org_kind}:{role}" in audience for role in roles)


def rules_for(org_kind: str, roles: frozenset[str]) -> list[Rule]:
    """The kinds a user of ``org_kind`` with ``roles`` can be told of, in the rules' order."""
    return [rule for rule in RULES if may_be_told(rule.kind, org_kind, roles)]


# Titles name a case's status: its label (translated with the rest of the title).
STATUS_LABELS = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "waiting": N_("Waiting"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    # a deal registration's decision
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def title(kind: str, payload: Mapping[str, Any], gettext: Callable[[str], str]) -> str:
    """The notification's title in the reader's language (``gettext`` of that language)."""
    rule = RULE_OF.get(kind)
    if rule is None:
        return kind
    fields = _Fields({k: v for k, v in payload.items() if isinstance(v, str | int)})
    if "status" in fields:
        fields["status"] = gettext(STATUS_LABELS.get(str(fields["status"]), str(fields["status"])))
    chosen = rule.outcome_titles.get(str(fields.get("outcome", "")), rule.title)
    return gettext(chosen) % fields


def review_outcome(lines: object) -> dict[str, Any]:
    """The fields of a review's title from its event's lines: how many changes were accepted and
    rejected, and the outcome ("accepted", "rejected" or "partly")."""
    decided = [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []
    accepted = sum(1 for line in decided if line.get("outcome") == "accepted")
    rejected = sum(1 for line in decided if line.get("outcome") == "rejected")
    outcome = "partly" if accepted and rejected else "rejected" if rejected else "accepted"
    return {"outcome": outcome, "accepted": accepted, "rejected": rejected}


# The objects with a page of their own, at prefix + id: a notification about one links there, and
# opening that page marks the viewer's notifications about it read (`object_at`).
OBJECT_PAGES: dict[str, str] = {
    "order": "/orders/",
    "invoice": "/invoices/",
    "case": "/cases/",
    "customer": "/customers/",
    "task": "/tasks/",
    "opportunity": "/opportunities/",
    "deal_registration": "/deals/",
    "lead": "/leads/",
    "exchange_record": "/exchange/",
}


def _page(prefix: str) -> Callable[[int, Mapping[str, Any]], str]:
    return lambda i, p: f"{prefix}{i}"


LINKS: dict[str, Callable[[int, Mapping[str, Any]], str]] = {
    **{entity: _page(prefix) for entity, prefix in OBJECT_PAGES.items()},
    "leads": lambda i, p: "/leads",  # a lead the reader no longer sees: the list
    "api_token": lambda i, p: "/admin/tokens",
    "webhook": lambda i, p: "/admin/webhooks",
    "export": lambda i, p: str(p["url"]) if str(p.get("url", "")).startswith("/") else "/",
}


def link(entity: str, entity_id: int, payload: Mapping[str, Any]) -> str:
    """Where the notification leads: the object's page in the portal."""
    make = LINKS.get(entity)
    return make(entity_id, payload) if make else "/"


def object_at(path: str) -> tuple[str, int] | None:
    """(entity, id) of the object whose page ``path`` is ("/orders/7" -> ("order", 7)); None for
    any other page (a list, a form, a sub-page)."""
    for entity, prefix in OBJECT_PAGES.items():
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if rest.isdigit() and len(rest) <= 18:
                return entity, int(rest)
    return None
