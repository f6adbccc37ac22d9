"""The notifier: outbox events (and the scheduler's occasions) -> inbox rows, in the worker.

``notify_once`` runs in every exchange worker pass (`portal exchange run`, and the worker thread of
`portal demo`). It reads the ``events`` table after its own cursor (the counter row
``notify.events``), locked for the transaction: two workers never read the same batch at once
(the second waits on the row lock, then reads past the cursor the first one moved). A batch is one
transaction: its inbox rows and the moved cursor commit together, so a worker killed anywhere in
between leaves nothing behind, and the next pass does the batch again.

Ids are handed out at insert, not at commit: a transaction still open may yet commit an event with
a smaller id. So, as the outbound EDI feed does, the cursor only passes events older than
:data:`SETTLE`; younger ones are read again on the next pass, and the unique keys (event, user,
channel) and (occasion, user, channel) make sure each row is inserted once (at-least-once reading,
exactly-once rows).

Who is told: per event, the candidates of its rule (the organizations it concerns and the owner's
staff of some roles, never the actor, only active users), each kept only if the user, as the
database has it at that moment (`portal.access.standing_user`, the statement the portal's requests
use), may read the object (`portal.access.rule_for`, the one access policy), and only on the
channels the user's preferences (or the role's defaults) ask for.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ARRAY, ColumnElement, Integer, Table, any_, bindparam, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker

from portal.access import Principal, rule_for, standing_user
from portal.db import unit_of_work
from portal.models import (
    Case,
    CaseComment,
    CaseStatus,
    Customer,
    Event,
    GoodsReceipt,
    Invoice,
    Lead,
    MatchStatus,
    Notification,
    NotificationPreference,
    Opportunity,
    Order,
    Organization,
    OrgKind,
    Shipment,
    Task,
    User,
)
from portal.models.base import utcnow
from portal.notify.rules import RULE_OF, Choice, Email, Kind
from portal.numbering import locked_counter

log = logging.getLogger("portal.notify")

CURSOR = "notify.events"
SETTLE = timedelta(minutes=2)  # no unit of work stays open longer than this (as portal.exchange.outbound)
BATCH = 2000  # events per transaction
INSERT_CHUNK = 5000  # rows per executemany
ID_CHUNK = 1000  # ids per IN (...) of an access check

OWNER_ORDER_STAFF = frozenset({"admin", "sales"})
OWNER_CASE_STAFF = frozenset({"admin", "support"})
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


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing to tell: its kind, what it links to, what a recipient must be able to read, who
    the candidates are, and its key (an event, or a scheduler's occasion)."""

    kind: Kind
    entity: str
    entity_id: int
    check: tuple[type[Any], int] | None  # None: only ``users`` (their own export)
    payload: dict[str, Any] = field(default_factory=dict)
    event_id: int | None = None
    occasion: str | None = None
    actor_user_id: int | None = None
    orgs: tuple[int | None, ...] = ()  # external organizations (and those above them) concerned
    owner_roles: frozenset[str] = frozenset()  # the owner's staff of these roles
    admins_only: bool = False  # of ``orgs``, only admins (and the owner's admins, for the owner)
    users: tuple[int | None, ...] = ()  # these users themselves
    starts_at: datetime | None = None  # a reminder: due at starts_at minus the user's lead time


# --- the events that notify ----------------------------------------------------------------------


class _Lookup:
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


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rows(session: Session, model: type[Any], ids: set[int], *columns: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), ID_CHUNK):
        chunk = wanted[start : start + ID_CHUNK]
        for row in session.execute(select(model.id, *columns).where(model.id.in_(chunk))):
            found[row[0]] = row
    return found


def notices_of(event: Event, lookup: _Lookup) -> list[Notice]:
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
        if not _int(supplier):
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
            Notice(Kind.ORDER_CHANGE_REVIEWED, "order", order.id, (Order, order.id), {"number": order.number},
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
        routed_to = p.get("routed_to_id") if _int(p.get("routed_to_id")) else None
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
            if not _int(p.get("comment_id")):
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
        if customer is None or not _int(p.get("organization_id")):
            return []
        return [
            Notice(Kind.CUSTOMER_SHARED, "customer", customer.id, (Customer, customer.id),
                   {"number": customer.number}, orgs=(p["organization_id"],), **base)
        ]  # fmt: skip
    if kind in OPPORTUNITY_EVENTS:
        return _opportunity_notices(event, lookup, base)
    if kind in LEAD_EVENTS:
        return _lead_notices(event, base)
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
        if not _int(p.get("assignee_id")) or p["assignee_id"] == event.actor_user_id:
            return []
        return [
            Notice(Kind.TASK_ASSIGNED, "task", event.entity_id, (Task, event.entity_id),
                   {"subject": p.get("subject")}, users=(p["assignee_id"],), **base)
        ]  # fmt: skip
    if kind in {"export.finished", "export.failed"}:
        requester = p.get("user_id", event.actor_user_id)
        if not _int(requester):
            return []
        rule = Kind.EXPORT_FINISHED if kind == "export.finished" else Kind.EXPORT_FAILED
        shown = {k: v for k, v in p.items() if k in {"url", "name", "list"} and isinstance(v, str)}
        return [Notice(rule, "export", event.entity_id, None, shown, event_id=event.id, users=(requester,))]
    return []


def _opportunity_notices(event: Event, lookup: _Lookup, base: dict[str, Any]) -> list[Notice]:
    """The user an opportunity is given to (not the one who gave it): once per event that gave it;
    a won opportunity: its dealer and the owner's sales staff."""
    opportunity = lookup.opportunities.get(event.entity_id)
    if opportunity is None:
        return []
    shown = {"number": opportunity.number}
    if event.kind == "opportunity.won":
        order = event.payload.get("order_number")
        return [
            Notice(Kind.OPPORTUNITY_WON, "opportunity", opportunity.id, (Opportunity, opportunity.id),
                   {**shown, "order": order if isinstance(order, str) else "?"},
                   orgs=(opportunity.dealer_id,), owner_roles=OWNER_ORDER_STAFF, **base)
        ]  # fmt: skip
    owner = event.payload.get("owner_user_id")  # whom this event gave it to (it may have moved on since)
    if not _int(owner) or owner == event.actor_user_id:
        return []
    return [
        Notice(Kind.OPPORTUNITY_ASSIGNED, "opportunity", opportunity.id, (Opportunity, opportunity.id),
               shown, users=(owner,), **base)
    ]  # fmt: skip


OPPORTUNITY_EVENTS = frozenset({"opportunity.created", "opportunity.assigned", "opportunity.won"})


def _lead_notices(event: Event, base: dict[str, Any]) -> list[Notice]:
    """A lead offered: the dealer's users (while it is still offered to them). Declined: marketing
    (the owner's sales staff and admins). Expired: the dealer that let it pass (told on its own
    organization: the lead is no longer its to see) and marketing."""
    p = event.payload
    dealer = p.get("dealer_id") if _int(p.get("dealer_id")) else None
    shown: dict[str, Any] = {"number": p.get("number") if isinstance(p.get("number"), str) else "?"}
    lead = (Lead, event.entity_id)
    if event.kind == "lead.offered":
        if dealer is None:
            return []
        return [Notice(Kind.LEAD_OFFERED, "lead", event.entity_id, lead, shown, orgs=(dealer,), **base)]
    if event.kind == "lead.declined":
        reason = p.get("reason")
        shown["reason"] = reason[:200] if isinstance(reason, str) else ""
        return [
            Notice(
                Kind.LEAD_DECLINED,
                "lead",
                event.entity_id,
                lead,
                shown,
                owner_roles=OWNER_ORDER_STAFF,
                **base,
            )
        ]
    notices = [
        Notice(Kind.LEAD_EXPIRED, "lead", event.entity_id, lead, shown, owner_roles=OWNER_ORDER_STAFF, **base)
    ]
    if dealer is not None:
        notices.append(
            Notice(
                Kind.LEAD_EXPIRED,
                "leads",
                event.entity_id,
                (Organization, dealer),
                shown,
                orgs=(dealer,),
                **base,
            )
        )
    return notices


LEAD_EVENTS = frozenset({"lead.offered", "lead.declined", "lead.expired"})

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
    | LEAD_EVENTS
)


# --- who: candidates, access, preferences -----------------------------------------------------------


class Directory:
    """Organizations, active users and preferences as a batch sees them (read once per batch), and
    each candidate's principal as it stands (read once per batch per user)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.parent: dict[int, int | None] = {}
        self.owner_orgs: set[int] = set()
        for org_id, parent_id, kind in session.execute(
            select(Organization.id, Organization.parent_id, Organization.kind)
        ):
            self.parent[org_id] = parent_id
            if kind is OrgKind.OWNER:
                self.owner_orgs.add(org_id)
        self.users_of: dict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        self.roles: dict[int, frozenset[str]] = {}
        for user_id, org_id, roles in session.execute(
            select(User.id, User.organization_id, User.roles).where(User.is_active.is_(True))
        ):
            role_set = frozenset(r for r in roles.split(",") if r)
            self.users_of[org_id].append((user_id, role_set))
            self.roles[user_id] = role_set
        self.choices: dict[tuple[int, str], Choice] = {
            (pref.user_id, pref.kind): Choice(pref.inbox, Email(pref.email), pref.lead_minutes)
            for pref in session.scalars(select(NotificationPreference))
        }
        self._principals: dict[int, Principal | None] = {}
        self._choices: dict[tuple[int, Kind], Choice] = {}
        self.postgresql = session.get_bind().dialect.name == "postgresql"

    def principal(self, user_id: int) -> Principal | None:
        if user_id not in self._principals:
            self._principals[user_id] = standing_user(self.session, user_id)
        return self._principals[user_id]

    def choice(self, user_id: int, kind: Kind) -> Choice:
        key = (user_id, kind)
        if key not in self._choices:
            self._choices[key] = self._choice(user_id, kind)
        return self._choices[key]

    def _choice(self, user_id: int, kind: Kind) -> Choice:
        chosen = self.choices.get((user_id, kind.value))
        default = RULE_OF[kind.value].default_for(self.roles.get(user_id, frozenset()))
        if chosen is None:
            return default
        if chosen.lead_minutes is None and default.lead_minutes is not None:
            return Choice(chosen.inbox, chosen.email, default.lead_minutes)
        return chosen

    def _chain(self, org_id: int) -> Iterable[int]:
        """The organization and those above it (a dealer group sees what its branches see)."""
        seen: set[int] = set()
        current: int | None = org_id
        while current is not None and current not in seen and current in self.parent:
            seen.add(current)
            yield current
            current = self.parent[current]

    def candidates(self, notice: Notice) -> set[int]:
        found: set[int] = set()
        for org_id in notice.orgs:
            if org_id is None:
                continue
            for org in self._chain(org_id):
                if org in self.owner_orgs:  # the owner's staff come by role
                    if notice.admins_only:
                        found |= {u for u, roles in self.users_of[org] if "admin" in roles}
                    continue
                found |= {u for u, roles in self.users_of[org] if not notice.admins_only or "admin" in roles}
        if notice.owner_roles:
            for org in self.owner_orgs:
                found |= {u for u, roles in self.users_of[org] if roles & notice.owner_roles}
        found |= {u for u in notice.users if u is not None and u in self.roles}
        if notice.users:  # one's own export: the actor is the one to tell
            return found
        if notice.actor_user_id is not None:
            found.discard(notice.actor_user_id)
        return found

    def readable(self, wanted: dict[tuple[int, type[Any]], set[int]]) -> set[tuple[int, type[Any], int]]:
        """Of each user's wanted ids per model, those the user may read now (portal.access)."""
        seen: set[tuple[int, type[Any], int]] = set()
        for (user_id, model), ids in wanted.items():
            principal = self.principal(user_id)
            if principal is None:  # gone or deactivated since the batch began
                continue
            ordered = sorted(ids)
            for start in range(0, len(ordered), ID_CHUNK):
                chunk = ordered[start : start + ID_CHUNK]
                stmt = select(model.id).where(rule_for(principal, model), self._among(model.id, chunk))
                seen |= {(user_id, model, ident) for ident in self.session.scalars(stmt)}
        return seen

    def _among(self, column: Any, ids: list[int]) -> ColumnElement[bool]:
        """``column IN (ids)``; on PostgreSQL ``= ANY(:array)``, one parameter instead of a thousand
        (the driver parses a long query text on every execution)."""
        if self.postgresql:
            return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))  # type: ignore[no-any-return]
        return column.in_(ids)  # type: ignore[no-any-return]


def deliver(session: Session, notices: Sequence[Notice], now: datetime) -> int:
    """Insert the inbox rows ``notices`` give; returns how many rows are new."""
    if not notices:
        return 0
    directory = Directory(session)
    pairs: list[tuple[Notice, int]] = []
    wanted: dict[tuple[int, type[Any]], set[int]] = defaultdict(set)
    for notice in notices:
        for user_id in sorted(directory.candidates(notice)):
            pairs.append((notice, user_id))
            if notice.check is not None:
                wanted[(user_id, notice.check[0])].add(notice.check[1])
    readable = directory.readable(wanted)
    rows: list[dict[str, Any]] = []
    for notice, user_id in pairs:
        if notice.check is not None:
            if (user_id, notice.check[0], notice.check[1]) not in readable:
                continue
        elif directory.principal(user_id) is None:
            continue
        choice = directory.choice(user_id, notice.kind)
        if notice.starts_at is not None:
            lead = timedelta(minutes=choice.lead_minutes or 0)
            if notice.starts_at - lead > now:
                continue  # not yet for this user
        channel = "inbox" if choice.inbox else "email" if choice.email is not Email.OFF else None
        if channel is None:
            continue
        rows.append(
            {
                "user_id": user_id,
                "channel": channel,
                "event_id": notice.event_id,
                "occasion": notice.occasion,
                "kind": notice.kind.value,
                "entity": notice.entity,
                "entity_id": notice.entity_id,
                "payload": notice.payload,
                "created_at": now,
                "read_at": None,
                "email_state": {Email.IMMEDIATE: "pending", Email.DIGEST: "digest"}.get(choice.email, "none"),
            }
        )
    return insert_rows(session, rows)


_COLUMNS = (
    ("user_id", "int"), ("channel", "text"), ("event_id", "int"), ("occasion", "text"), ("kind", "text"),
    ("entity", "text"), ("entity_id", "int"), ("payload", "json"), ("created_at", "timestamptz"),
    ("read_at", "timestamptz"), ("email_state", "text"),
)  # fmt: skip
# PostgreSQL: one statement per chunk whatever its size, the rows as one array per column.
_UNNEST = text(
    f"INSERT INTO notifications ({', '.join(name for name, _ in _COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join(f'CAST(:{name} AS {kind}[])' for name, kind in _COLUMNS)}) "
    "ON CONFLICT DO NOTHING RETURNING id"
)


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert inbox rows, skipping any whose key is taken; returns how many were new (RETURNING
    counts only those). PostgreSQL gets each chunk as one ``INSERT ... SELECT FROM unnest(arrays)``
    (a handful of parameters, whatever the rows); SQLite one statement executed for many rows."""
    if not rows:
        return 0
    added = 0
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            arrays: dict[str, list[Any]] = {name: [row[name] for row in chunk] for name, _ in _COLUMNS}
            arrays["payload"] = [json.dumps(p) for p in arrays["payload"]]
            added += len(session.execute(_UNNEST, arrays).all())
        return added
    table = cast(Table, Notification.__table__)
    statement = sqlite.insert(table).on_conflict_do_nothing().returning(table.c.id)
    for start in range(0, len(rows), INSERT_CHUNK):
        added += len(session.connection().execute(statement, list(rows[start : start + INSERT_CHUNK])).all())
    return added


# --- the worker step -----------------------------------------------------------------------------


def notify_once(factory: sessionmaker[Session], *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Turn new outbox events and due occasions into inbox rows; returns the rows added."""
    from portal.notify.scheduler import schedule_once

    now = now or utcnow()
    added = 0
    after = 0
    while True:
        count, last = _event_batch(factory, now, batch, after)
        added += count
        if last is None:
            break
        after = last
    added += schedule_once(factory, now=now)
    return added


def _event_batch(
    factory: sessionmaker[Session], now: datetime, batch: int, after: int
) -> tuple[int, int | None]:
    with unit_of_work(factory) as uow:
        session = uow.session
        cursor = locked_counter(session, CURSOR)  # one worker at a time reads the outbox
        settled = session.scalar(
            select(func.max(Event.id)).where(Event.id > cursor.value, Event.occurred_at < utcnow() - SETTLE)
        )
        events = list(
            session.scalars(
                select(Event)
                .where(Event.id > max(cursor.value, after), Event.kind.in_(sorted(NOTIFYING_EVENTS)))
                .order_by(Event.id)
                .limit(batch)
            )
        )
        lookup = _Lookup(session, events)
        notices = [notice for event in events for notice in notices_of(event, lookup)]
        added = deliver(session, notices, now)
        _crash_point("delivered")
        advance = settled if settled is not None else cursor.value
        last = events[-1].id if len(events) == batch else None
        if last is not None:
            advance = min(advance, last)
        cursor.value = max(cursor.value, advance)
        session.flush()
        _crash_point("cursor")
    return added, last


CRASH_AT: set[str] = set()  # the fault tests' crash points: raise there, as a killed worker stops


class Crash(RuntimeError):
    pass


def _crash_point(step: str) -> None:
    if step in CRASH_AT:
        raise Crash(step)
