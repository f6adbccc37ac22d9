"""Deterministic demo data as plain rows, table by table, in foreign-key order.

The plan assigns ids itself so that children can point at parents without a round trip; the loader
(``portal.seed.load``) then bulk-inserts it. ``scale=1`` gives about 500 customers, 5,000 orders,
800 cases and 3,000 activities; every figure grows linearly with ``scale``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table

from portal.models import (
    Activity,
    ActivityKind,
    ApiToken,
    Case,
    CaseComment,
    CasePriority,
    CaseStatus,
    Contact,
    Counter,
    Customer,
    CustomerAssignment,
    Event,
    Invoice,
    InvoiceLine,
    LineResponse,
    MatchStatus,
    Order,
    OrderLine,
    Organization,
    OrgKind,
    Product,
    Shipment,
    ShipmentLine,
    User,
)
from portal.models.cases import SLA
from portal.models.orders import LineFigures, derive_status, order_total
from portal.security import hash_token
from portal.seed import names

Row = dict[str, Any]
CENT = Decimal("0.01")
DEMO_PASSWORD = "demo-portal-2026"

# (slug, name, kind, parent slug, GLN)
ORGANIZATIONS = [
    ("waermewerk", "Wärmewerk AG", OrgKind.OWNER, None, "4012345000016"),
    ("nordtec", "NordTec Pumpen GmbH", OrgKind.SUPPLIER, None, "4023456000017"),
    ("alpenventil", "Alpenventil AG", OrgKind.SUPPLIER, None, "4034567000018"),
    ("brightheat", "BrightHeat Components Ltd", OrgKind.SUPPLIER, None, "5012345000015"),
    ("haustechnik-gruppe", "Haustechnik Gruppe Rhein-Main", OrgKind.DEALER, None, None),
    ("haustechnik-nord", "Haustechnik Rhein-Main Nord", OrgKind.DEALER, "haustechnik-gruppe", None),
    ("haustechnik-sued", "Haustechnik Rhein-Main Süd", OrgKind.DEALER, "haustechnik-gruppe", None),
    ("meister-sanitaer", "Meister Sanitär & Heizung e.K.", OrgKind.DEALER, None, None),
    ("servicepartner-west", "Servicepartner West GmbH", OrgKind.PARTNER, None, None),
    ("kundendienst-ost", "Kundendienst Ost GmbH", OrgKind.PARTNER, None, None),
]
SELLING_DEALERS = ["haustechnik-nord", "haustechnik-sued", "meister-sanitaer"]
PARTNERS = ["servicepartner-west", "kundendienst-ost"]
SUPPLIERS = ["nordtec", "alpenventil", "brightheat"]

# Demo API tokens with well-known secrets, so docs/api.md's curl examples work against `portal demo`.
DEMO_TOKENS = {
    "nordtec": "ptk_demo_nordtec_supplier",
    "haustechnik-nord": "ptk_demo_haustechnik_dealer",
    "waermewerk": "ptk_demo_waermewerk_owner",
}


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    organization: str
    roles: str


@dataclass
class Plan:
    tables: dict[Table, list[Row]] = field(default_factory=lambda: defaultdict(list))
    accounts: list[DemoAccount] = field(default_factory=list)

    def add(self, model: type[Any], row: Row) -> int:
        table = table_of(model)
        rows = self.tables[table]
        if "id" not in row and table.name != "counters":
            row["id"] = len(rows) + 1
        rows.append(row)
        return int(row.get("id", 0))

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def ordered(self) -> Iterator[tuple[Table, list[Row]]]:
        from portal.models import Base

        for table in Base.metadata.sorted_tables:
            if self.tables.get(table):
                yield table, self.tables[table]


def table_of(model: type[Any]) -> Table:
    table: Table = model.__table__
    return table


def gtin13(base: int) -> str:
    digits = f"{base:012d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def plan_demo(
    *, scale: float = 1.0, anchor: date | None = None, password_hash: str, seed: int = 2026
) -> Plan:
    """Build the demo world. ``anchor`` is "today" for the data (dates are spread around it)."""
    rng = random.Random(seed)
    today = anchor or date.today()
    now = datetime.combine(today, time(9, 0), tzinfo=UTC)
    plan = Plan()
    org_id: dict[str, int] = {}
    for slug, name, kind, parent, gln in ORGANIZATIONS:
        org_id[slug] = plan.add(
            Organization,
            {
                "slug": slug,
                "name": name,
                "kind": kind,
                "parent_id": org_id.get(parent or ""),
                "gln": gln,
                "vat_id": f"DE{rng.randint(100000000, 999999999)}",
                "email": f"info@{slug}.example",
                "created_at": now - timedelta(days=400),
            },
        )
    _users(plan, org_id, password_hash, now)
    products = _products(plan, org_id)
    customers = _customers(plan, rng, org_id, scale, now)
    _orders(plan, rng, org_id, customers, products, scale, today, now)
    _cases(plan, rng, org_id, customers, scale, now)
    _activities(plan, rng, org_id, customers, scale, now)
    plan.add(
        Event,
        {
            "kind": "demo.seeded",
            "entity": "organization",
            "entity_id": org_id["waermewerk"],
            "actor_org_id": org_id["waermewerk"],
            "occurred_at": now,
            "payload": {"scale": scale, "anchor": today.isoformat()},
        },
    )
    for name, table in (("customer", Customer), ("order", Order), ("case", Case)):
        plan.add(Counter, {"name": name, "value": len(plan.tables[table_of(table)])})
    return plan


def _users(plan: Plan, org_id: dict[str, int], password_hash: str, now: datetime) -> None:
    people = [
        ("waermewerk", "admin", "Admin Wärmewerk", "admin"),
        ("waermewerk", "vertrieb", "Vera Vertrieb", "sales"),
        ("waermewerk", "support", "Stefan Support", "support"),
        ("waermewerk", "leser", "Lena Leser", "viewer"),
    ]
    for slug, *_ in ORGANIZATIONS[1:]:
        people.append((slug, "admin", f"Admin {slug}", "admin"))
        people.append((slug, "team", f"Team {slug}", "member"))
    for slug, local, name, roles in people:
        email = f"{local}@{slug}.example"
        plan.add(
            User,
            {
                "organization_id": org_id[slug],
                "email": email,
                "name": name,
                "password_hash": password_hash,
                "roles": roles,
                "is_active": True,
                "session_generation": 0,
                "created_at": now - timedelta(days=300),
                "locale": "en" if slug == "brightheat" else "de",
            },
        )
        plan.accounts.append(DemoAccount(email, slug, roles))
    for slug, secret in DEMO_TOKENS.items():
        plan.add(
            ApiToken,
            {
                "organization_id": org_id[slug],
                "name": "demo ERP",
                "prefix": secret[:10],
                "token_hash": hash_token(secret),
                "created_at": now - timedelta(days=30),
                "roles": "sales" if slug == "waermewerk" else "member",
            },
        )


def _products(plan: Plan, org_id: dict[str, int]) -> list[Row]:
    rows = []
    for i, (de, _en, unit, price) in enumerate(names.PRODUCTS):
        supplier = SUPPLIERS[i % len(SUPPLIERS)]
        plan.add(
            Product,
            row := {
                "sku": f"WW-{1000 + i}",
                "gtin": gtin13(401234500000 + i),
                "name": de,
                "unit": unit,
                "supplier_id": org_id[supplier],
                "supplier_article": f"{supplier[:3].upper()}-{7700 + i}",
                "price": Decimal(price),
            },
        )
        rows.append(row)
    return rows


def _customers(
    plan: Plan, rng: random.Random, org_id: dict[str, int], scale: float, now: datetime
) -> list[tuple[int, Row, str | None]]:
    result = []
    for n in range(max(1, round(500 * scale))):
        english = rng.random() < 0.2
        surname = rng.choice(names.SURNAMES_EN if english else names.SURNAMES_DE)
        trade = rng.choice(names.TRADES_EN if english else names.TRADES_DE)
        form = rng.choice(names.FORMS_EN if english else names.FORMS_DE)
        postal, city = rng.choice(names.CITIES_EN if english else names.CITIES_DE)
        street = f"{rng.choice(names.STREETS_EN if english else names.STREETS_DE)} {rng.randint(1, 180)}"
        slug = surname.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
        row = {
            "number": f"K{n + 1:06d}",
            "name": f"{surname} {trade} {form}",
            "street": street,
            "postal_code": postal,
            "city": city,
            "country_code": "GB" if english else "DE",
            "vat_id": f"{'GB' if english else 'DE'}{rng.randint(100000000, 999999999)}",
            "gln": gtin13(400000000000 + n) if rng.random() < 0.4 else None,
            "email": f"info@{slug}-{n + 1}.example",
            "phone": f"+49 {rng.randint(30, 911)} {rng.randint(10000, 99999)}",
            "created_at": now - timedelta(days=rng.randint(30, 900)),
        }
        row["updated_at"] = row["created_at"]
        customer_id = plan.add(Customer, row)
        for _ in range(rng.randint(1, 3)):
            first = rng.choice(names.FIRST_EN if english else names.FIRST_DE)
            last = rng.choice(names.SURNAMES_EN if english else names.SURNAMES_DE)
            plan.add(
                Contact,
                {
                    "customer_id": customer_id,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}.{slug}@{slug}-{n + 1}.example",
                    "phone": f"+49 {rng.randint(150, 179)} {rng.randint(1000000, 9999999)}",
                    "position": rng.choice(["Einkauf", "Geschäftsführung", "Technik", "Buyer", None]),
                    "created_at": row["created_at"],
                },
            )
        dealer = rng.choice(SELLING_DEALERS) if rng.random() < 0.85 else None
        if dealer:
            plan.add(
                CustomerAssignment,
                {
                    "customer_id": customer_id,
                    "organization_id": org_id[dealer],
                    "created_at": row["created_at"],
                },
            )
        if rng.random() < 0.3:
            plan.add(
                CustomerAssignment,
                {
                    "customer_id": customer_id,
                    "organization_id": org_id[rng.choice(PARTNERS)],
                    "created_at": row["created_at"],
                },
            )
        result.append((customer_id, row, dealer))
    return result


def _event(
    plan: Plan, kind: str, entity: str, entity_id: int, actor: int, at: datetime, **payload: Any
) -> None:
    plan.add(
        Event,
        {
            "kind": kind,
            "entity": entity,
            "entity_id": entity_id,
            "actor_org_id": actor,
            "occurred_at": at,
            "payload": payload,
        },
    )


# (upper bound of the random draw, target state, order age in days (min, max))
ORDER_MIX = [
    (0.10, "draft", (0, 10)),
    (0.25, "awaiting", (0, 14)),
    (0.32, "partial", (1, 20)),
    (0.47, "confirmed", (3, 30)),
    (0.55, "part_shipped", (7, 60)),
    (0.67, "shipped", (10, 90)),
    (0.92, "invoiced", (20, 365)),
    (0.96, "rejected", (2, 120)),
    (1.01, "cancelled", (2, 200)),
]


def _orders(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: list[tuple[int, Row, str | None]],
    products: list[Row],
    scale: float,
    today: date,
    now: datetime,
) -> None:
    owner = org_id["waermewerk"]
    shipment_no = invoice_no = 0
    for n in range(max(1, round(5000 * scale))):
        customer_id, customer, dealer = rng.choice(customers)
        draw = rng.random()
        state, (young, old) = next((s, age) for bound, s, age in ORDER_MIX if draw < bound)
        age = rng.randint(young, old)
        created = now - timedelta(days=age, minutes=rng.randint(0, 600))
        sold_by = org_id[dealer] if dealer and rng.random() < 0.75 else None
        supplier_slug = rng.choice(SUPPLIERS)
        supplier = None if state == "draft" else org_id[supplier_slug]
        order_row: Row = {
            "number": f"SO-{created.year}-{n + 1:06d}",
            "customer_id": customer_id,
            "dealer_id": sold_by,
            "supplier_id": supplier,
            "created_by_org_id": sold_by or owner,
            "currency": "EUR",
            "order_date": created.date(),
            "requested_date": created.date() + timedelta(days=rng.randint(5, 30)),
            "customer_reference": f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None,
            "delivery_name": customer["name"],
            "delivery_street": customer["street"],
            "delivery_postal_code": customer["postal_code"],
            "delivery_city": customer["city"],
            "delivery_country": customer["country_code"],
            "delivery_gln": customer["gln"],
            "delivery_contact_name": None,
            "delivery_contact_phone": customer["phone"],
            "delivery_contact_email": customer["email"],
            "note": None,
            "routed_at": created + timedelta(hours=2) if supplier else None,
            "cancelled_at": created + timedelta(days=1) if state == "cancelled" else None,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }
        order_id = plan.add(Order, order_row)
        _event(plan, "order.created", "order", order_id, sold_by or owner, created)
        if supplier:
            _event(
                plan,
                "order.routed",
                "order",
                order_id,
                owner,
                created + timedelta(hours=2),
                supplier_id=supplier,
            )
        lines = []
        for line_no, product in enumerate(rng.sample(products, rng.randint(1, 4)), start=1):
            qty = Decimal(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 25, 50]))
            line = {
                "order_id": order_id,
                "line_no": line_no,
                "product_id": products.index(product) + 1,
                "sku": product["sku"],
                "gtin": product["gtin"],
                "description": product["name"],
                "unit": product["unit"],
                "unit_price": product["price"],
                "quantity_ordered": qty,
                "quantity_confirmed": None,
                "quantity_shipped": Decimal(0),
                "quantity_invoiced": Decimal(0),
                "response": LineResponse.PENDING,
                "confirmed_price": None,
                "requested_date": None,
                "promised_date": None,
                "cancelled": False,
            }
            lines.append(line)
        answered = {"partial": 1, "draft": 0, "awaiting": 0, "cancelled": 0}.get(state, len(lines))
        for line in lines[:answered]:
            if state == "rejected":
                line["response"], line["quantity_confirmed"] = LineResponse.REJECTED, Decimal(0)
                continue
            changed = rng.random() < 0.15 and line["quantity_ordered"] > 1
            line["response"] = LineResponse.CHANGED if changed else LineResponse.ACCEPTED
            line["quantity_confirmed"] = (
                (line["quantity_ordered"] - 1) if changed else line["quantity_ordered"]
            )
            line["promised_date"] = created.date() + timedelta(days=rng.randint(3, 21))
        if answered:
            _event(
                plan,
                "order.confirmed",
                "order",
                order_id,
                supplier or owner,
                created + timedelta(days=1),
                status="rejected" if state == "rejected" else "confirmed",
            )
        if state in ("part_shipped", "shipped", "invoiced"):
            shipment_no += 1
            shipped_on = min(today, created.date() + timedelta(days=rng.randint(2, 10)))
            shipment_id = plan.add(
                Shipment,
                {
                    "order_id": order_id,
                    "supplier_id": supplier,
                    "number": f"DN-{shipment_no:07d}",
                    "shipped_on": shipped_on,
                    "expected_delivery": shipped_on + timedelta(days=2),
                    "carrier": rng.choice(["DHL", "DB Schenker", "DPD", "UPS"]),
                    "tracking_number": f"JJD{rng.randint(10**11, 10**12 - 1)}",
                    "packages": rng.randint(1, 4),
                    "created_at": datetime.combine(shipped_on, time(15, 0), tzinfo=UTC),
                },
            )
            ship_lines = lines[:1] if state == "part_shipped" else lines
            for line in ship_lines:
                line["quantity_shipped"] = line["quantity_confirmed"]
                plan.add(
                    ShipmentLine,
                    {
                        "shipment_id": shipment_id,
                        "order_line_id": 0,
                        "quantity": line["quantity_confirmed"],
                        "batch_number": f"L{rng.randint(1000, 9999)}",
                        "sscc": None,
                        "_line": line,
                    },
                )
            _event(
                plan,
                "shipment.created",
                "shipment",
                shipment_id,
                supplier or owner,
                datetime.combine(shipped_on, time(15, 0), tzinfo=UTC),
            )
        if state == "invoiced":
            invoice_no += 1
            issued = min(today, created.date() + timedelta(days=rng.randint(10, 20)))
            over = rng.random() < 0.03
            net = tax = Decimal(0)
            invoice_lines = []
            for line in lines:
                qty = line["quantity_confirmed"] + (1 if over and line is lines[0] else 0)
                line["quantity_invoiced"] = qty
                amount = (qty * line["unit_price"]).quantize(CENT)
                net, tax = net + amount, tax + (amount * Decimal("0.19")).quantize(CENT)
                invoice_lines.append(
                    {
                        "invoice_id": 0,
                        "order_line_id": 0,
                        "quantity": qty,
                        "unit_price": line["unit_price"],
                        "net_amount": amount,
                        "tax_rate": Decimal(19),
                        "_line": line,
                        "excess_quantity": Decimal(1) if over and line is lines[0] else Decimal(0),
                    }
                )
            invoice_id = plan.add(
                Invoice,
                {
                    "order_id": order_id,
                    "supplier_id": supplier,
                    "number": f"RE-{issued.year}-{invoice_no:06d}",
                    "issue_date": issued,
                    "due_date": issued + timedelta(days=30),
                    "currency": "EUR",
                    "net_total": net,
                    "tax_total": tax,
                    "gross_total": net + tax,
                    "match_status": MatchStatus.OVER_BILLED if over else MatchStatus.MATCHED,
                    "created_at": datetime.combine(issued, time(11, 0), tzinfo=UTC),
                },
            )
            for row in invoice_lines:
                row["invoice_id"] = invoice_id
                plan.add(InvoiceLine, row)
            _event(
                plan,
                "invoice.submitted",
                "invoice",
                invoice_id,
                supplier or owner,
                datetime.combine(issued, time(11, 0), tzinfo=UTC),
            )
        for line in lines:
            line["_id"] = plan.add(OrderLine, line)
        _summarize(order_row, lines)
    # Shipment and invoice lines were planned before their order lines got ids: resolve them now.
    for model in (ShipmentLine, InvoiceLine):
        for row in plan.tables[table_of(model)]:
            row["order_line_id"] = row.pop("_line")["_id"]
    for row in plan.tables[table_of(OrderLine)]:
        row.pop("_id", None)


def _summarize(order: Row, lines: list[Row]) -> None:
    """The derived status and net total, by the model's own rules (what the flush hook keeps)."""
    figures = [LineFigures(*(line[name] for name in LINE_FIGURES)) for line in lines]
    order["current_status"] = derive_status(SimpleNamespace(**order), figures)
    order["net_total"] = order_total(figures)


LINE_FIGURES = tuple(LineFigures.__dataclass_fields__)


def _cases(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: list[tuple[int, Row, str | None]],
    scale: float,
    now: datetime,
) -> None:
    owner = org_id["waermewerk"]
    statuses = [
        CaseStatus.OPEN,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING,
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    ]
    for n in range(max(1, round(800 * scale))):
        customer_id, _customer, dealer = rng.choice(customers)
        priority = rng.choices(list(CasePriority), weights=[1, 3, 8, 3])[0]
        status = rng.choices(statuses, weights=[4, 3, 1, 2, 4])[0]
        created = now - timedelta(hours=rng.randint(1, 24 * 90))
        opened_by = org_id[dealer] if dealer and rng.random() < 0.5 else owner
        routed = None
        if rng.random() < 0.6:
            routed = org_id[rng.choice(PARTNERS + SUPPLIERS + ([dealer] if dealer else []))]
        case_id = plan.add(
            Case,
            {
                "number": f"C-{n + 1:06d}",
                "subject": rng.choice(names.CASE_SUBJECTS),
                "description": "Details siehe Anhang / see attachment.",
                "customer_id": customer_id,
                "order_id": None,
                "priority": priority,
                "status": status,
                "routed_to_id": routed,
                "opened_by_org_id": opened_by,
                "opened_by_user_id": None,
                "sla_due_at": created + SLA[priority],
                "resolved_at": created + timedelta(hours=rng.randint(1, 72))
                if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
                else None,
                "closed_at": created + timedelta(hours=80) if status is CaseStatus.CLOSED else None,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            },
        )
        _event(plan, "case.opened", "case", case_id, opened_by, created, priority=priority.value)
        for k in range(rng.randint(0, 4)):
            author = rng.choice([owner, routed or owner, opened_by])
            plan.add(
                CaseComment,
                {
                    "case_id": case_id,
                    "author_org_id": author,
                    "author_user_id": None,
                    "author_name": "Wärmewerk Support" if author == owner else "Partner",
                    "body": rng.choice(names.COMMENTS),
                    "internal": author == owner and rng.random() < 0.3,
                    "created_at": created + timedelta(hours=k + 1),
                },
            )


def _activities(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: list[tuple[int, Row, str | None]],
    scale: float,
    now: datetime,
) -> None:
    owner = org_id["waermewerk"]
    kinds = list(ActivityKind)
    for n in range(max(1, round(3000 * scale))):
        customer_id, _customer, dealer = rng.choice(customers)
        kind = rng.choice(kinds)
        org = org_id[dealer] if dealer and rng.random() < 0.6 else owner
        # Every 25th activity is an appointment today, so dashboards have something to show.
        if n % 25 == 0:
            kind = ActivityKind.APPOINTMENT
            start = now.replace(hour=8) + timedelta(hours=rng.randint(0, 9))
        else:
            start = now + timedelta(hours=rng.randint(-24 * 180, 24 * 14))
        timed = kind in (ActivityKind.MEETING, ActivityKind.APPOINTMENT)
        plan.add(
            Activity,
            {
                "customer_id": customer_id,
                "contact_id": None,
                "organization_id": org,
                "user_id": None,
                "kind": kind,
                "subject": rng.choice(names.ACTIVITY_SUBJECTS),
                "body": "",
                "starts_at": start if timed else None,
                "ends_at": start + timedelta(hours=1) if timed else None,
                "due_at": start if kind is ActivityKind.TASK else None,
                "done_at": start if kind is ActivityKind.TASK and start < now else None,
                "occurred_at": start,
                "created_at": min(start, now),
            },
        )
