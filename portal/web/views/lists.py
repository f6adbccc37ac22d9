"""The lists (filter, search, sort, keyset pages) and their streamed CSV exports.

Each list is a :class:`ListSpec`: how to read the query string into the read layer's filter, which
columns to show, and how to fetch one page. The HTML page and the CSV export share the spec, so an
export holds exactly what the list shows its user, nothing more.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape as html_escape
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response, StreamingResponse

from portal.access import Principal, load_by_ids, permissions
from portal.activities.queries import ActivityQuery, ActivitySort, list_activities
from portal.campaigns import segments
from portal.campaigns.queries import CampaignQuery, CampaignSort, list_campaigns, results_for
from portal.cases.queries import NEAR_SLA, CaseQuery, CaseSort, list_cases
from portal.customers.queries import (
    ContactQuery,
    ContactSort,
    CustomerQuery,
    CustomerSort,
    list_contacts,
    list_customers,
)
from portal.deals.queries import DealQuery, DealSort, list_deal_registrations
from portal.errors import InvalidInput, NotFound
from portal.exchange.ledger import RecordQuery, RecordSort, is_overdue, list_records
from portal.leads.queries import QUEUE, LeadQuery, LeadSort, filter_choices, list_leads
from portal.models import (
    DEALER_LEAD_STATUSES,
    ActivityKind,
    CampaignChannel,
    CampaignStatus,
    CaseCategory,
    CasePriority,
    CaseStatus,
    Customer,
    DealStatus,
    Direction,
    InvoiceStatus,
    LeadStatus,
    MatchStatus,
    OpportunityStage,
    Order,
    OrderStatus,
    Organization,
    OrgKind,
    RecordState,
    User,
    campaign_status,
)
from portal.models.base import utcnow
from portal.models.opportunities import OPEN_STAGES
from portal.opportunities.queries import OpportunityQuery, OpportunitySort, list_opportunities
from portal.orders.queries import (
    STATUS_GROUPS,
    InvoiceQuery,
    InvoiceSort,
    OrderQuery,
    OrderSort,
    ShipmentQuery,
    ShipmentSort,
    StatusGroup,
    list_invoices,
    list_orders,
    list_shipments,
)
from portal.partners.queries import OrganizationQuery, list_organizations, seller_choices
from portal.reading import Page, PageRequest
from portal.reading.search import is_too_short
from portal.tasks.queries import TaskQuery, TaskSort, list_tasks
from portal.web import labels
from portal.web.core import Ctx, Web
from portal.web.csv_dialect import BOM, COMMA, SEMICOLON, CsvDialect, dialect_for
from portal.web.i18n import TIMEZONE, Formatter
from portal.web.labels import N_
from portal.web.shells import Hole

PAGE_SIZE = 50
EXPORT_PAGE = 100

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, link, date, datetime, money, number, label
    sort: str | None = None


Choices = Callable[[Session, Principal], tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class FilterField:
    name: str
    label: str
    kind: str = "text"  # text, select, date, choice (a select of names read per request: `choices`)
    options: tuple[tuple[str, str], ...] = ()
    choices: Choices | None = None  # (value, name) of a "choice" filter, as far as the principal sees
    owner_only: bool = False  # shown to (and read for) owner staff only
    # the options a principal may find something under (a dealer never sees marketing's queue)
    options_for: Callable[[Principal], tuple[tuple[str, str], ...]] | None = None

    def shown_to(self, principal: Principal) -> bool:
        return principal.is_owner or not self.owner_only

    def offered_to(self, principal: Principal) -> FilterField:
        """This filter as ``principal`` gets it: with only the options that can find something."""
        if self.options_for is None:
            return self
        return replace(self, options=self.options_for(principal))


@dataclass(frozen=True, slots=True)
class Params:
    search: str | None
    values: dict[str, str]
    sort: str
    descending: bool
    search_too_short: bool = False  # text typed but shorter than a trigram: listed unsearched, said so
    chosen_order: bool = False  # the query string asked for this sort (else the list's or filter's default)

    def enum(self, name: str, cls: Any) -> frozenset[Any]:
        raw = self.values.get(name)
        if not raw:
            return frozenset()
        try:
            return frozenset({cls(raw)})
        except ValueError:
            raise InvalidInput(name, "unknown value") from None

    def day(self, name: str) -> date | None:
        raw = self.values.get(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(name, "is not a date") from None


Fetch = Callable[[Session, Principal, Params, PageRequest], Page[Any]]
Prepare = Callable[[Session, Principal, list[Any]], list[Row]]
# A list's select filters whose options depend on who looks (the dealers a principal sees).
Options = Callable[[Session, Principal], dict[str, tuple[tuple[str, str], ...]]]


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: str
    columns: tuple[Column, ...]
    fetch: Fetch
    prepare: Prepare
    sorts: tuple[str, ...]
    default_sort: str
    default_descending: bool
    filters: tuple[FilterField, ...] = field(default=())
    # (filter, value) -> (sort, descending): the order a filtered list takes when none is asked for
    filter_sorts: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    options: Options | None = None

    def params(self, query: QueryParams) -> Params:
        values = {f.name: (query.get(f.name) or "").strip()[:200] for f in self.filters}
        default_sort, default_descending = next(
            (order for (name, value), order in self.filter_sorts.items() if values.get(name) == value),
            (self.default_sort, self.default_descending),
        )
        sort = query.get("sort") or default_sort
        if sort not in self.sorts:
            raise InvalidInput("sort", "unknown sort")
        direction = query.get("dir")
        descending = default_descending if direction not in {"asc", "desc"} else direction == "desc"
        typed = values.get("q") or None
        too_short = is_too_short(typed)
        chosen = bool(query.get("sort")) or direction in {"asc", "desc"}
        return Params(None if too_short else typed, values, sort, descending, too_short, chosen)


def _options(table: dict[Any, str]) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), label) for key, label in table.items())


# -- fetch and prepare, per list: the edge reads the query string into the entity's query --------
def _fetch_orders(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    raw_status = params.values.get("status")
    group = STATUS_GROUPS.get(raw_status or "")
    query = OrderQuery.of_group(
        group or StatusGroup(statuses=params.enum("status", OrderStatus)),
        search=params.search,
        order_date_from=params.day("from"),
        order_date_to=params.day("to"),
        late_on=_late_on(params),
        awaiting_review=_awaiting_review(params),
    )
    return list_orders(
        db,
        p,
        query,
        sort=OrderSort(params.sort),
        descending=params.descending,
        page=page,
        columns=ORDER_COLUMNS,
    )


def _awaiting_review(params: Params) -> bool | None:
    """``review=awaiting``: the review inbox, orders with a supplier's change to review (issue #17)."""
    review = params.values.get("review")
    if not review:
        return None
    if review != "awaiting":
        raise InvalidInput("review", "unknown value")
    return True


def _late_on(params: Params) -> date | None:
    """``delivery=late``: the orders late today (German time), as the dashboard counts them."""
    delivery = params.values.get("delivery")
    if not delivery:
        return None
    if delivery != "late":
        raise InvalidInput("delivery", "unknown value")
    return datetime.now(TIMEZONE).date()


# What a list reads of each row (with the id): the columns its prepare function uses, not every one.
ORDER_COLUMNS = (
    "number",
    "order_date",
    "delivery_name",
    "customer_reference",
    "current_status",
    "net_total",
    "currency",
    "earliest_open_due",
)


def _prepare_orders(db: Session, p: Principal, rows: list[Any]) -> list[Row]:
    return [
        {
            "href": f"/orders/{o.id}",
            "number": o.number,
            "order_date": o.order_date,
            "delivery_name": o.delivery_name,
            "customer_reference": o.customer_reference or "",
            "status": o.current_status,
            "total": o.net_total,
            "currency": o.currency,
            "due": o.earliest_open_due,
        }
        for o in rows
    ]


def _fetch_shipments(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    query = ShipmentQuery(search=params.search)
    return list_shipments(
        db,
        p,
        query,
        sort=ShipmentSort(params.sort),
        descending=params.descending,
        page=page,
        columns=SHIPMENT_COLUMNS,
    )


def _order_numbers(db: Session, p: Principal, ids: set[int]) -> dict[int, str]:
    return {ident: order.number for ident, order in load_by_ids(db, p, Order, ids).items()}


SHIPMENT_COLUMNS = (
    "order_id",
    "number",
    "shipped_on",
    "expected_delivery",
    "carrier",
    "tracking_number",
    "packages",
)


def _prepare_shipments(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    numbers = _order_numbers(db, p, {s.order_id for s in items})
    return [
        {
            "href": f"/orders/{s.order_id}",
            "number": s.number,
            "order": numbers.get(s.order_id, ""),
            "shipped_on": s.shipped_on,
            "expected_delivery": s.expected_delivery,
            "carrier": s.carrier or "",
            "tracking_number": s.tracking_number or "",
            "packages": s.packages,
        }
        for s in items
    ]


def _fetch_invoices(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    match = params.enum("match", MatchStatus)
    state = params.values.get("state")
    if state not in {None, "", "open"}:
        raise InvalidInput("state", "unknown value")
    query = InvoiceQuery(
        search=params.search,
        match_status=next(iter(match)) if match else None,
        open_on=datetime.now(TIMEZONE).date() if state == "open" else None,
        statuses=params.enum("status", InvoiceStatus),
        due_to=params.day("due"),
        supplier_id=_supplier_filter(p, params),
    )
    return list_invoices(
        db,
        p,
        query,
        sort=InvoiceSort(params.sort),
        descending=params.descending,
        page=page,
        columns=INVOICE_COLUMNS,
    )


def _supplier_filter(p: Principal, params: Params) -> int | None:
    """``supplier=<id>``: the invoices of one supplier (owner staff; a supplier sees its own anyway)."""
    raw = params.values.get("supplier")
    if not raw or not p.is_owner:
        return None
    if not raw.isdigit():
        raise InvalidInput("supplier", "unknown value")
    return int(raw)


MAX_SUPPLIER_CHOICES = 300  # a select beyond that is no help; the search by number still is


def _supplier_choices(db: Session, p: Principal) -> tuple[tuple[str, str], ...]:
    """The suppliers to filter by, by name (through the organizations' read model)."""
    query = OrganizationQuery(kinds=frozenset({OrgKind.SUPPLIER}))
    choices: list[tuple[str, str]] = []
    after: str | None = None
    while len(choices) < MAX_SUPPLIER_CHOICES:
        found = list_organizations(db, p, query, page=PageRequest(first=100, after=after), columns=("name",))
        choices += [(str(o.id), o.name) for o in found.items]
        if not found.has_next_page:
            break
        after = found.end_cursor
    return tuple(choices[:MAX_SUPPLIER_CHOICES])


INVOICE_COLUMNS = (
    "order_id",
    "number",
    "issue_date",
    "due_date",
    "gross_total",
    "amount_owed",
    "currency",
    "match_status",
    "status",
)


def _prepare_invoices(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    numbers = _order_numbers(db, p, {i.order_id for i in items})
    return [
        {
            "href": f"/invoices/{i.id}",
            "number": i.number,
            "order": numbers.get(i.order_id, ""),
            "issue_date": i.issue_date,
            "due_date": i.due_date,
            "total": i.gross_total,
            "owed": i.amount_owed,
            "currency": i.currency,
            "status": i.status,
            "match": i.match_status,
        }
        for i in items
    ]


def _fetch_cases(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    query = CaseQuery(
        statuses=params.enum("status", CaseStatus),
        priorities=params.enum("priority", CasePriority),
        categories=params.enum("category", CaseCategory),
        search=params.search,
        due_before=_due_before(params),
    )
    return list_cases(
        db,
        p,
        query,
        sort=CaseSort(params.sort),
        descending=params.descending,
        page=page,
        columns=CASE_COLUMNS,
    )


def _due_before(params: Params) -> datetime | None:
    """``sla=near``: open cases due within NEAR_SLA or overdue, as the dashboard counts them."""
    sla = params.values.get("sla")
    if not sla:
        return None
    if sla != "near":
        raise InvalidInput("sla", "unknown value")
    return utcnow() + NEAR_SLA


CASE_COLUMNS = ("number", "subject", "priority", "category", "status", "sla_due_at", "created_at")


def _prepare_cases(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    return [
        {
            "href": f"/cases/{c.id}",
            "number": c.number,
            "subject": c.subject,
            "priority": c.priority,
            "category": c.category,
            "status": c.status,
            "sla_due_at": c.sla_due_at,
            "created_at": c.created_at,
        }
        for c in items
    ]


def _fetch_opportunities(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    stage = params.values.get("stage")
    stages = frozenset(OPEN_STAGES) if stage == "open" else params.enum("stage", OpportunityStage)
    query = OpportunityQuery(
        search=params.search,
        stages=stages,
        closes_from=params.day("from"),
        closes_before=_day_after(params.day("to")),
    )
    return list_opportunities(
        db,
        p,
        query,
        sort=OpportunitySort(params.sort),
        descending=params.descending,
        page=page,
        columns=OPPORTUNITY_COLUMNS,
    )


def _day_after(day: date | None) -> date | None:
    return day + timedelta(days=1) if day is not None else None


OPPORTUNITY_COLUMNS = ("number", "name", "stage", "amount", "currency", "probability", "expected_close")


def _prepare_opportunities(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    return [
        {
            "href": f"/opportunities/{o.id}",
            "number": o.number,
            "name": o.name,
            "stage": o.stage,
            "amount": o.amount,
            "currency": o.currency,
            "probability": o.probability,
            "expected_close": o.expected_close,
        }
        for o in items
    ]


def _fetch_deals(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    """``expiring=soon``: approved, protection ending within 14 days (German calendar day)."""
    expiring = params.values.get("expiring")
    if expiring not in (None, "", "soon"):
        raise InvalidInput("expiring", "unknown value")
    raw_dealer = params.values.get("dealer")
    try:
        dealer = int(raw_dealer) if raw_dealer else None
    except ValueError:
        raise InvalidInput("dealer", "unknown value") from None
    fields: dict[str, Any] = {"search": params.search, "dealer_id": dealer}
    if expiring:
        query = DealQuery.expiring(datetime.now(TIMEZONE).date(), **fields)
    else:
        query = DealQuery(statuses=params.enum("status", DealStatus), **fields)
    return list_deal_registrations(
        db,
        p,
        query,
        sort=DealSort(params.sort),
        descending=params.descending,
        page=page,
        columns=DEAL_COLUMNS,
    )


DEAL_COLUMNS = (
    "number",
    "prospect_name",
    "city",
    "dealer_id",
    "status",
    "amount",
    "currency",
    "expected_close",
    "protected_until",
)


def _prepare_deals(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    dealers = load_by_ids(db, p, Organization, {d.dealer_id for d in items})
    today = datetime.now(TIMEZONE).date()
    return [
        {
            "href": f"/deals/{d.id}",
            "number": d.number,
            "prospect": d.prospect_name,
            "city": d.city or "",
            "dealer": dealers[d.dealer_id].name if d.dealer_id in dealers else "",
            # shown as expired from the day after its protection, before the worker marks it
            "status": DealStatus.EXPIRED
            if d.status is DealStatus.APPROVED and d.protected_until is not None and d.protected_until < today
            else d.status,
            "amount": d.amount,
            "currency": d.currency,
            "expected_close": d.expected_close,
            "protected_until": d.protected_until,
        }
        for d in items
    ]


def _deal_options(db: Session, p: Principal) -> dict[str, tuple[tuple[str, str], ...]]:
    return {"dealer": seller_choices(db, p)}


def _fetch_leads(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    status = params.values.get("status")
    statuses = QUEUE if status == "unassigned" else params.enum("status", LeadStatus)
    query = LeadQuery(
        search=params.search,
        statuses=statuses,
        dealer_id=_id_param(params, "dealer"),
        campaign_id=_id_param(params, "campaign"),
    )
    return list_leads(
        db,
        p,
        query,
        sort=LeadSort(params.sort),
        descending=params.descending,
        page=page,
        columns=LEAD_COLUMNS,
    )


def _lead_statuses(p: Principal) -> tuple[tuple[str, str], ...]:
    """Marketing filters by its queue (new and declined by all) or by any status; a dealer only by
    the statuses its leads can have."""
    if not p.is_owner:
        return tuple((s.value, labels.LEAD_STATUS[s]) for s in DEALER_LEAD_STATUSES)
    return (
        ("unassigned", N_("Queue (all waiting)")),  # unassigned or declined by every dealer
        *_options(labels.LEAD_STATUS),
    )


def _id_param(params: Params, name: str) -> int | None:
    raw = params.values.get(name)
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput(name, "unknown value")
    return int(raw)


LEAD_COLUMNS = (
    "number",
    "company",
    "postal_code",
    "city",
    "status",
    "dealer_id",
    "answer_due_at",
    "created_at",
)


def _prepare_leads(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    dealers = {int(ident): name for ident, name in seller_choices(db, p)}  # the filter's, read once
    return [
        {
            "href": f"/leads/{lead.id}",
            "number": lead.number,
            "company": lead.company,
            "place": f"{lead.postal_code or ''} {lead.city or ''}".strip(),
            "status": lead.status,
            "dealer": dealers.get(lead.dealer_id, "") if lead.dealer_id else "",
            "answer_due_at": lead.answer_due_at if lead.status is LeadStatus.OFFERED else None,
            "created_at": lead.created_at,
        }
        for lead in items
    ]


def customer_filter(params: Params) -> CustomerQuery:
    """The customers list's filter: search, postal-code prefixes, country (what a segment saves)."""
    return CustomerQuery(
        search=params.search,
        postal_prefixes=segments.postal_prefixes(params.values.get("postal")),
        country_code=segments.country(params.values.get("country")),
    )


def _fetch_customers(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    query = customer_filter(params)
    return list_customers(
        db,
        p,
        query,
        sort=CustomerSort(params.sort),
        descending=params.descending,
        page=page,
        columns=CUSTOMER_COLUMNS,
    )


CUSTOMER_COLUMNS = ("number", "name", "postal_code", "city", "country_code", "phone")


def _prepare_customers(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    return [
        {
            "href": f"/customers/{c.id}",
            "number": c.number,
            "name": c.name,
            "postal_code": c.postal_code or "",
            "city": c.city or "",
            "country_code": c.country_code,
            "phone": c.phone or "",
        }
        for c in items
    ]


def _fetch_campaigns(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    channel = params.enum("channel", CampaignChannel)
    statuses = params.enum("status", CampaignStatus)
    query = CampaignQuery(
        search=params.search,
        statuses=statuses,
        channels=channel,
        today=datetime.now(TIMEZONE).date() if statuses else None,
    )
    return list_campaigns(
        db,
        p,
        query,
        sort=CampaignSort(params.sort),
        descending=params.descending,
        page=page,
        columns=CAMPAIGN_COLUMNS,
    )


CAMPAIGN_COLUMNS = ("name", "channel", "starts_on", "ends_on", "budget")


def _prepare_campaigns(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    results = results_for(db, p, items)
    today = datetime.now(TIMEZONE).date()
    return [
        {
            "href": f"/campaigns/{c.id}",
            "name": c.name,
            "channel": f"channel_{c.channel}" if c.channel else "",
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "status": campaign_status(c.starts_on, c.ends_on, today),
            "leads": results[c.id].leads,
            "opportunities": results[c.id].opportunities,
            "won_revenue": results[c.id].won_revenue,
        }
        for c in items
    ]


def _fetch_contacts(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    query = ContactQuery(search=params.search)
    return list_contacts(
        db,
        p,
        query,
        sort=ContactSort(params.sort),
        descending=params.descending,
        page=page,
        columns=CONTACT_COLUMNS,
    )


CONTACT_COLUMNS = ("customer_id", "first_name", "last_name", "position", "email", "phone")


def _prepare_contacts(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    customers = load_by_ids(db, p, Customer, {c.customer_id for c in items})
    return [
        {
            "href": f"/customers/{c.customer_id}",
            "name": f"{c.first_name} {c.last_name}".strip(),
            "customer": customers[c.customer_id].name if c.customer_id in customers else "",
            "position": c.position or "",
            "email": c.email or "",
            "phone": c.phone or "",
        }
        for c in items
    ]


def _fetch_activities(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    starts_from = params.day("from")
    starts_to = params.day("to")  # inclusive: activities starting on that day are shown
    query = ActivityQuery(
        kinds=params.enum("kind", ActivityKind),
        starts_from=datetime.combine(starts_from, datetime.min.time(), TIMEZONE) if starts_from else None,
        starts_before=(
            datetime.combine(starts_to + timedelta(days=1), datetime.min.time(), TIMEZONE)
            if starts_to
            else None
        ),
    )
    return list_activities(
        db,
        p,
        query,
        sort=ActivitySort(params.sort),
        descending=params.descending,
        page=page,
        columns=ACTIVITY_COLUMNS,
    )


ACTIVITY_COLUMNS = ("customer_id", "kind", "subject", "starts_at", "occurred_at")


def _prepare_activities(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    customers = load_by_ids(db, p, Customer, {a.customer_id for a in items})
    return [
        {
            "href": f"/customers/{a.customer_id}",
            "kind": a.kind,
            "subject": a.subject,
            "customer": customers[a.customer_id].name if a.customer_id in customers else "",
            "starts_at": a.starts_at,
            "occurred_at": a.occurred_at,
        }
        for a in items
    ]


def _fetch_tasks(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    """``assignee=me``: the user's own; ``state``: open or done; ``from``/``to``: due days (inclusive)."""
    assignee = params.values.get("assignee")
    if assignee not in (None, "", "me"):
        raise InvalidInput("assignee", "unknown value")
    state = params.values.get("state")
    if state not in (None, "", "open", "done"):
        raise InvalidInput("state", "unknown value")
    due_to = params.day("to")
    query = TaskQuery(
        assignee_id=p.user_id if assignee == "me" else None,
        done=None if not state else state == "done",
        due_from=params.day("from"),
        due_before=due_to + timedelta(days=1) if due_to else None,
    )
    return list_tasks(
        db,
        p,
        query,
        sort=TaskSort(params.sort),
        descending=params.descending,
        page=page,
        columns=TASK_COLUMNS,
    )


TASK_COLUMNS = ("subject", "due_on", "done_at", "assignee_id", "customer_id")


def _prepare_tasks(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    users = load_by_ids(db, p, User, {t.assignee_id for t in items})
    customers = load_by_ids(db, p, Customer, {t.customer_id for t in items if t.customer_id})
    return [
        {
            "href": f"/tasks/{t.id}",
            "subject": t.subject,
            "due_on": t.due_on,
            "state": "task_done" if t.done_at is not None else "task_open",
            "assignee": users[t.assignee_id].name if t.assignee_id in users else "",
            "customer": customers[t.customer_id].name if t.customer_id in customers else "",
        }
        for t in items
    ]


def _fetch_exchange(db: Session, p: Principal, params: Params, page: PageRequest) -> Page[Any]:
    direction = params.enum("direction", Direction)
    query = RecordQuery(
        direction=next(iter(direction)) if direction else None,
        states=params.enum("state", RecordState),
        search=params.search,
    )
    return list_records(
        db,
        p,
        query,
        sort=RecordSort(params.sort),
        descending=params.descending,
        page=page,
        columns=RECORD_COLUMNS,
    )


RECORD_COLUMNS = ("filename", "created_at", "direction", "state", "ack_due_at", "message_type", "error")


def _prepare_exchange(db: Session, p: Principal, items: list[Any]) -> list[Row]:
    now = utcnow()
    return [
        {
            "href": f"/exchange/{r.id}",
            "filename": r.filename,
            "created_at": r.created_at,
            "direction": r.direction,
            "state": "overdue" if is_overdue(r, now) else r.state,
            "message_type": r.message_type or "",
            "error": (r.error or "")[:160],
        }
        for r in items
    ]


SEARCH = FilterField("q", N_("Search"))
SPECS: dict[str, ListSpec] = {
    spec.name: spec
    for spec in (
        ListSpec(
            "orders",
            labels.ENTITY_PLURAL["order"],
            (
                Column("number", N_("Number"), "link", "number"),
                Column("order_date", N_("Order date"), "date", "order_date"),
                Column("delivery_name", N_("Deliver to")),
                Column("customer_reference", N_("Customer reference")),
                Column("status", N_("Status"), "label"),
                Column("total", N_("Net total"), "money"),
                Column("due", N_("Due"), "date", "due"),
            ),
            _fetch_orders,
            _prepare_orders,
            tuple(OrderSort),
            OrderSort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField(
                    "status",
                    N_("Status"),
                    "select",
                    (
                        ("open", N_("All open")),
                        ("waiting", N_("Awaiting or partly confirmed")),
                        *_options(labels.STATUS),
                    ),
                ),
                FilterField("from", N_("Ordered from"), "date"),
                FilterField("to", N_("Ordered until"), "date"),
                FilterField("delivery", N_("Delivery"), "select", (("late", N_("Late")),)),
                FilterField("review", N_("Review"), "select", (("awaiting", N_("Changes awaiting review")),)),
            ),
            # the late list, most overdue first: an index walk however many orders there are (#15)
            {("delivery", "late"): (OrderSort.DUE, False)},
        ),
        ListSpec(
            "shipments",
            labels.ENTITY_PLURAL["shipment"],
            (
                Column("number", N_("Number"), "link", "number"),
                Column("order", N_("Order")),
                Column("shipped_on", N_("Shipped on"), "date"),
                Column("expected_delivery", N_("Expected delivery"), "date"),
                Column("carrier", N_("Carrier")),
                Column("tracking_number", N_("Tracking number")),
                Column("packages", N_("Packages"), "number"),
            ),
            _fetch_shipments,
            _prepare_shipments,
            tuple(ShipmentSort),
            ShipmentSort.CREATED_AT,
            True,
            (SEARCH,),
        ),
        ListSpec(
            "invoices",
            labels.ENTITY_PLURAL["invoice"],
            (
                Column("number", N_("Number"), "link", "number"),
                Column("order", N_("Order")),
                Column("issue_date", N_("Issue date"), "date", "issue_date"),
                Column("due_date", N_("Due date"), "date"),
                Column("total", N_("Gross total"), "money"),
                Column("owed", N_("Still owed"), "money"),
                Column("status", N_("Status"), "label"),
                Column("match", N_("Three-way match"), "label"),
            ),
            _fetch_invoices,
            _prepare_invoices,
            tuple(InvoiceSort),
            InvoiceSort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField("state", N_("Due"), "select", (("open", N_("Open (not yet due)")),)),
                FilterField("status", N_("Status"), "select", _options(labels.INVOICE_STATUS)),
                FilterField("due", N_("Due until"), "date"),
                FilterField("match", N_("Three-way match"), "select", _options(labels.MATCH)),
                FilterField("supplier", N_("Supplier"), "choice", choices=_supplier_choices, owner_only=True),
            ),
        ),
        ListSpec(
            "cases",
            labels.ENTITY_PLURAL["case"],
            (
                Column("number", N_("Number"), "link", "number"),
                Column("subject", N_("Subject")),
                Column("priority", N_("Priority"), "label", "priority"),
                Column("category", N_("Category"), "label"),
                Column("status", N_("Status"), "label"),
                Column("sla_due_at", N_("SLA due"), "datetime", "sla_due_at"),
                Column("created_at", N_("Opened"), "datetime", "created_at"),
            ),
            _fetch_cases,
            _prepare_cases,
            tuple(CaseSort),
            CaseSort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField("status", N_("Status"), "select", _options(labels.CASE_STATUS)),
                FilterField("priority", N_("Priority"), "select", _options(labels.PRIORITY)),
                FilterField("category", N_("Category"), "select", _options(labels.CASE_CATEGORY)),
                FilterField("sla", N_("SLA"), "select", (("near", N_("Near or past its SLA")),)),
            ),
        ),
        ListSpec(
            "opportunities",
            labels.ENTITY_PLURAL["opportunity"],
            (
                Column("number", N_("Number"), "link"),
                Column("name", N_("Name"), "text", "name"),
                Column("stage", N_("Stage"), "label"),
                Column("amount", N_("Amount"), "money", "amount"),
                Column("probability", N_("Probability (percent)"), "number"),
                Column("expected_close", N_("Expected close"), "date", "expected_close"),
            ),
            _fetch_opportunities,
            _prepare_opportunities,
            tuple(OpportunitySort),
            OpportunitySort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField(
                    "stage", N_("Stage"), "select", (("open", N_("All open")), *_options(labels.STAGE))
                ),
                FilterField("from", N_("Closing from"), "date"),
                FilterField("to", N_("Closing until"), "date"),
            ),
            {("stage", "open"): (OpportunitySort.EXPECTED_CLOSE, False)},
        ),
        ListSpec(
            "deals",
            labels.ENTITY_PLURAL["deal_registration"],
            (
                Column("number", N_("Number"), "link"),
                Column("prospect", N_("Prospect")),
                Column("city", N_("City")),
                Column("dealer", N_("Dealer")),
                Column("status", N_("Status"), "label"),
                Column("amount", N_("Expected amount"), "money", "amount"),
                Column("expected_close", N_("Expected close"), "date", "expected_close"),
                Column("protected_until", N_("Protected until"), "date", "protected_until"),
            ),
            _fetch_deals,
            _prepare_deals,
            tuple(DealSort),
            DealSort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField("status", N_("Status"), "select", _options(labels.DEAL_STATUS)),
                FilterField("dealer", N_("Dealer"), "select"),
                FilterField("expiring", N_("Protection"), "select", (("soon", N_("Ends within 14 days")),)),
            ),
            {("expiring", "soon"): (DealSort.PROTECTED_UNTIL, False)},
            _deal_options,
        ),
        ListSpec(
            "leads",
            labels.ENTITY_PLURAL["lead"],
            (
                Column("number", N_("Number"), "link"),
                Column("company", N_("Company"), "text", "company"),
                Column("place", N_("Place")),
                Column("status", N_("Status"), "label"),
                Column("dealer", N_("Dealer")),
                Column("answer_due_at", N_("Answer due"), "datetime"),
                Column("created_at", N_("Created"), "datetime", "created_at"),
            ),
            _fetch_leads,
            _prepare_leads,
            tuple(LeadSort),
            LeadSort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField("status", N_("Status"), "select", options_for=_lead_statuses),
                FilterField("dealer", N_("Dealer"), "select"),
                FilterField("campaign", N_("Campaign"), "select"),
            ),
            options=filter_choices,
        ),
        ListSpec(
            "customers",
            labels.ENTITY_PLURAL["customer"],
            (
                Column("number", N_("Number"), "text", "number"),
                Column("name", N_("Name"), "link", "name"),
                Column("postal_code", N_("Postal code")),
                Column("city", N_("City")),
                Column("country_code", N_("Country")),
                Column("phone", N_("Phone")),
            ),
            _fetch_customers,
            _prepare_customers,
            tuple(CustomerSort),
            CustomerSort.NAME,
            False,
            (
                SEARCH,
                FilterField("postal", N_("Postal codes starting with")),
                FilterField("country", N_("Country"), "select", _options(labels.COUNTRIES)),
            ),
        ),
        ListSpec(
            "campaigns",
            labels.ENTITY_PLURAL["campaign"],
            (
                Column("name", N_("Name"), "link", "name"),
                Column("channel", N_("Channel"), "label"),
                Column("starts_on", N_("Starts on"), "date", "starts_on"),
                Column("ends_on", N_("Ends on"), "date"),
                Column("status", N_("Status"), "label"),
                Column("leads", N_("Leads"), "number"),
                Column("opportunities", N_("Opportunities"), "number"),
                Column("won_revenue", N_("Won revenue"), "money"),
            ),
            _fetch_campaigns,
            _prepare_campaigns,
            tuple(CampaignSort),
            CampaignSort.STARTS_ON,
            True,
            (
                SEARCH,
                FilterField("status", N_("Status"), "select", _options(labels.CAMPAIGN_STATUS)),
                FilterField("channel", N_("Channel"), "select", _options(labels.CAMPAIGN_CHANNEL)),
            ),
        ),
        ListSpec(
            "contacts",
            labels.ENTITY_PLURAL["contact"],
            (
                Column("name", N_("Name"), "text", "last_name"),
                Column("customer", N_("Customer"), "link"),
                Column("position", N_("Position")),
                Column("email", N_("E-mail")),
                Column("phone", N_("Phone")),
            ),
            _fetch_contacts,
            _prepare_contacts,
            tuple(ContactSort),
            ContactSort.LAST_NAME,
            False,
            (SEARCH,),
        ),
        ListSpec(
            "activities",
            labels.ENTITY_PLURAL["activity"],
            (
                Column("kind", N_("Kind"), "label"),
                Column("subject", N_("Subject")),
                Column("customer", N_("Customer"), "link"),
                Column("starts_at", N_("Starts"), "datetime", "starts_at"),
                Column("occurred_at", N_("Logged"), "datetime", "occurred_at"),
            ),
            _fetch_activities,
            _prepare_activities,
            tuple(ActivitySort),
            ActivitySort.OCCURRED_AT,
            True,
            (
                FilterField("kind", N_("Kind"), "select", _options(labels.ACTIVITY)),
                FilterField("from", N_("Starting from"), "date"),
                FilterField("to", N_("Starting until"), "date"),
            ),
        ),
        ListSpec(
            "tasks",
            labels.ENTITY_PLURAL["task"],
            (
                Column("subject", N_("Subject"), "link"),
                Column("due_on", N_("Due on"), "date", "due_on"),
                Column("state", N_("State"), "label"),
                Column("assignee", N_("Assigned to")),
                Column("customer", N_("Customer")),
            ),
            _fetch_tasks,
            _prepare_tasks,
            tuple(TaskSort),
            TaskSort.DUE_ON,
            False,
            (
                FilterField("assignee", N_("Assigned to"), "select", (("me", N_("Me")),)),
                FilterField("state", N_("State"), "select", (("open", N_("Open")), ("done", N_("Done")))),
                FilterField("from", N_("Due from"), "date"),
                FilterField("to", N_("Due until"), "date"),
            ),
        ),
        ListSpec(
            "exchange",
            labels.ENTITY_PLURAL["exchange_record"],
            (
                Column("filename", N_("File"), "link"),
                Column("created_at", N_("Time"), "datetime", "created_at"),
                Column("direction", N_("Direction"), "label"),
                Column("state", N_("State"), "label"),
                Column("message_type", N_("Message type")),
                Column("error", N_("Problem")),
            ),
            _fetch_exchange,
            _prepare_exchange,
            tuple(RecordSort),
            RecordSort.CREATED_AT,
            True,
            (
                SEARCH,
                FilterField("state", N_("State"), "select", _options(labels.EXCHANGE_STATE)),
                FilterField("direction", N_("Direction"), "select", _options(labels.DIRECTION)),
            ),
        ),
    )
}


def _page_request(ctx: Ctx) -> PageRequest:
    after = ctx.request.query_params.get("after")
    before = ctx.request.query_params.get("before")
    if before:
        return PageRequest(last=PAGE_SIZE, before=before)
    return PageRequest(first=PAGE_SIZE, after=after or None)


def visible_specs(principal: Principal) -> list[ListSpec]:
    """Suppliers never see the customer master; dealers do not see supplier invoices."""
    hidden: set[str] = set()
    if not permissions.can_see_sales(principal):
        hidden |= {"opportunities", "deals", "leads", "campaigns"}
    if principal.is_supplier:
        hidden |= {"customers", "contacts", "activities"}
    elif not principal.is_owner:
        hidden |= {"invoices"}
    return [spec for name, spec in SPECS.items() if name not in hidden]


class ListViews:
    def __init__(self, web: Web) -> None:
        self.web = web

    def handler(self, name: str, *, export: bool = False) -> Callable[[Ctx], Response]:
        spec = SPECS[name]
        if export:
            return lambda ctx: self.export(ctx, spec)
        return lambda ctx: self.page(ctx, spec)

    def page(self, ctx: Ctx, spec: ListSpec) -> Response:
        self._check(ctx, spec)
        params = spec.params(ctx.request.query_params)
        start, end = params.day("from"), params.day("to")
        reversed_range = start is not None and end is not None and start > end
        page = spec.fetch(ctx.db, ctx.principal, params, _page_request(ctx))
        filters = [f.offered_to(ctx.principal) for f in spec.filters if f.shown_to(ctx.principal)]
        choices = {f.name: f.choices(ctx.db, ctx.principal) for f in filters if f.choices is not None}
        options = spec.options(ctx.db, ctx.principal) if spec.options is not None else {}
        rows = render_rows(
            spec, spec.prepare(ctx.db, ctx.principal, page.items), Formatter(ctx.locale), ctx._
        )
        # The page around the rows is drawn once per user, URL and page shape (portal.web.shells).
        pager = Pager(page.has_previous_page, page.has_next_page, _START, _END)
        values = {"rows": rows}
        if page.has_previous_page:
            values["start"] = page.start_cursor or ""
        if page.has_next_page:
            values["end"] = page.end_cursor or ""
        return ctx.render_shell(
            "list.html",
            # the choices are part of the page: a supplier added or renamed draws it anew
            key=(
                spec.name,
                page.has_previous_page,
                page.has_next_page,
                bool(rows),
                tuple(choices.items()),
                tuple(options.items()),
            ),
            holes=(_ROWS, _START, _END),
            values=values,
            cursor_params=("after", "before"),
            spec=spec,
            filters=filters,
            choices=choices,
            params=params,
            page=pager,
            rows=[_ROWS] if rows else [],
            specs=visible_specs(ctx.principal),
            filter_options=options,
            reversed_range=reversed_range,
            other_dialect=(dialect_for(ctx.locale) is COMMA and SEMICOLON) or COMMA,
        )

    def _check(self, ctx: Ctx, spec: ListSpec) -> None:
        if spec not in visible_specs(ctx.principal):
            raise NotFound("list", spec.name)

    def export(self, ctx: Ctx, spec: ListSpec) -> Response:
        """The whole filtered list as CSV, streamed page by page (keyset pagination); a list longer
        than ``PORTAL_EXPORT_INLINE_ROWS`` is offered as a prepared export instead (`portal.exports`)."""
        self._check(ctx, spec)
        params = spec.params(ctx.request.query_params)
        principal = ctx.principal
        # bad filters fail here, as 400
        first = spec.fetch(ctx.db, principal, params, PageRequest(first=1))
        dialect = dialect_for(ctx.locale, ctx.request.query_params.get("dialect"))
        limit = self.web.settings.export_inline_rows
        if first.has_next_page and (count := first.total_count()) > limit:
            return ctx.render(
                "export_prepare.html",
                spec=spec,
                count=count,
                limit=limit,
                list_query=urlencode(export_params(ctx.request.query_params)),
                dialect=dialect.name,
                specs=visible_specs(principal),
                may_prepare=permissions.can_prepare_export(principal),
            )
        stamp = (datetime.now(TIMEZONE)).strftime("%Y%m%d-%H%M")
        return StreamingResponse(
            csv_chunks(self.web.sessions, principal, spec, params, ctx._, dialect),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{spec.name}-{stamp}.csv"'},
        )


def export_params(query: QueryParams) -> list[tuple[str, str]]:
    """The query string of a list that an export keeps: filters, search, sort, dialect (no cursor,
    no language: the export's language is the user's at the time of asking)."""
    return [(name, value) for name, value in query.multi_items() if name not in ("after", "before", "lang")]


def csv_chunks(
    sessions: Callable[[], Session],
    principal: Principal,
    spec: ListSpec,
    params: Params,
    gettext: Callable[[str], str],
    dialect: CsvDialect,
    *,
    page_size: int | None = None,
    counted: list[int] | None = None,
) -> Iterator[str]:
    """The CSV of a whole list, a chunk per page, for the streamed download and the prepared
    export alike (so both are the same file). Each page is read in a session of its own, so no
    connection is held while a chunk waits to be sent; the keyset cursor carries the position
    (PostgreSQL reads committed data per statement anyway, and SQLite's WAL is not pinned by a
    slow download). StreamingResponse iterates this in a worker thread: no read on the event loop.
    ``counted[0]`` grows by the rows written."""
    size = page_size or EXPORT_PAGE
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter)
    writer.writerow([gettext(c.label) for c in spec.columns])
    yield BOM + _drain(buffer)  # a BOM, so spreadsheet programs read UTF-8
    cursor: str | None = None
    while True:
        with sessions() as db:
            found = spec.fetch(db, principal, params, PageRequest(first=size, after=cursor))
            for row in spec.prepare(db, principal, found.items):
                writer.writerow([_csv_cell(row[c.key], gettext, dialect, c.kind) for c in spec.columns])
        if counted is not None:
            counted[0] += len(found.items)
        yield _drain(buffer)
        if not found.has_next_page:
            break
        cursor = found.end_cursor


@dataclass(frozen=True, slots=True)
class Pager:
    """What list.html reads of a page: whether there are neighbours, and where they start."""

    has_previous_page: bool
    has_next_page: bool
    start_cursor: Hole
    end_cursor: Hole


_ROWS = Hole("rows", "markup")
_START = Hole("start", "url")
_END = Hole("end", "url")


def render_rows(spec: ListSpec, rows: list[Row], fmt: Formatter, gettext: Callable[[str], str]) -> str:
    """The table rows as HTML, built here rather than in the template: a 50-row page has 450
    cells, and a Python loop formats them several times faster than jinja2 macros do.

    A row's HTML is remembered by its values (and the list and language): the same rows are shown
    again and again, and a changed value is a new key, so a remembered row is never stale. So are
    formatted cells (dates, amounts, states repeat from row to row) and each column's opening tag."""
    out: list[str] = []
    locale = fmt.name
    cells: tuple[tuple[str, str, str], ...] | None = None
    for row in rows:
        key = (spec.name, locale, *row.values())
        html = _ROW_HTML.get(key)
        if html is None:
            if cells is None:
                cells = _cells(spec, locale, gettext)
            html = _row_html(cells, row, fmt, _labels(locale, gettext))
            _remember(_ROW_HTML, key, html)
        out.append(html)
    return "".join(out)


_ROW_HTML: dict[tuple[Any, ...], str] = {}
# A record's number ("LD-000068") is one word: its cell never breaks it at the hyphen.
_ID: defaultdict[str, str] = defaultdict(str, number=" k-id")
_CELLS: dict[tuple[str, Any, str | None, str], str] = {}
_OPENINGS: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {}
_LABELS: dict[str, dict[str, str]] = {}


def forget_rows() -> None:
    """Forget every remembered row and cell (the benchmark's cold runs)."""
    _ROW_HTML.clear()
    _CELLS.clear()


def _remember(cache: dict[Any, str], key: Any, html: str) -> str:
    if len(cache) >= 20_000:
        cache.clear()
    cache[key] = html
    return html


def _cells(spec: ListSpec, locale: str, gettext: Callable[[str], str]) -> tuple[tuple[str, str, str], ...]:
    """(row key, kind, opening ``<td>`` with the translated column title) per column."""
    found = _OPENINGS.get((spec.name, locale))
    if found is None:
        found = _OPENINGS[spec.name, locale] = tuple(
            (c.key, c.kind, f'<td data-label="{_escape(gettext(c.label))}" class="k-{c.kind}{_ID[c.key]}">')
            for c in spec.columns
        )
    return found


def _row_html(
    cells: tuple[tuple[str, str, str], ...], row: Row, fmt: Formatter, names: dict[str, str]
) -> str:
    """One row. Every value goes through ``_escape`` (``html.escape`` on str: the same five
    characters as markupsafe, without allocating a Markup per cell)."""
    parts = ["<tr>"]
    for key, kind, opening in cells:
        value = row[key]
        if value is None or value == "":
            html = ""
        elif kind == "link":
            html = f'<a href="{_escape(row["href"])}">{_escape(value)}</a>'
        elif kind == "text":
            html = _escape(value)
        else:
            currency = row.get("currency", "EUR") if kind == "money" else None
            cell_key = (kind, value, currency, fmt.name)
            html = _CELLS.get(cell_key) or _remember(
                _CELLS, cell_key, _formatted(kind, value, currency, fmt, names)
            )
        parts += (opening, html, "</td>")
    parts.append("</tr>")
    return "".join(parts)


def _labels(locale: str, gettext: Callable[[str], str]) -> dict[str, str]:
    """Every state and kind label of the lists, translated (once per language)."""
    found = _LABELS.get(locale)
    if found is None:
        found = _LABELS[locale] = {key: gettext(text) for key, text in labels.ALL.items()}
    return found


def _formatted(kind: str, value: Any, currency: str | None, fmt: Formatter, names: dict[str, str]) -> str:
    if kind == "date":
        return _escape(fmt.date(value))
    if kind == "datetime":
        return _escape(fmt.short_datetime(value))
    if kind == "money":
        return _escape(fmt.money(value, currency or "EUR"))
    if kind == "number":
        return _escape(fmt.number(value))
    if kind == "label":
        label = str(value)
        return f'<span class="badge s-{_escape(label)}">{_escape(names.get(label, label))}</span>'
    return _escape(value)


def _escape(value: Any) -> str:
    return html_escape(value if isinstance(value, str) else str(value), quote=True)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


CENTS = Decimal("0.01")


def _csv_cell(value: Any, gettext: Callable[[str], str], dialect: CsvDialect = COMMA, kind: str = "") -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal) and value.as_tuple().exponent > -2:  # type: ignore[operator]
        value = value.quantize(CENTS)  # amounts come back without trailing zeros: 2737 is 2737.00
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return dialect.number(value)
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if str(value) in labels.ALL and not isinstance(value, int | Decimal):
        return gettext(labels.ALL[str(value)])
    text = str(value)
    if _FORMULA.match(text):
        return "'" + text
    return text


# Spreadsheet formula injection (OWASP "CSV Injection"): a cell that starts with = + - @, a tab,
# a carriage return or a line feed, also after leading spaces (spreadsheets skip them) or in the
# full-width forms some read as the same, is prefixed with ' so that it stays text.
_FORMULA = re.compile(r"^[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]")
