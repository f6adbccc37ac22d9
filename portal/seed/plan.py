"""Deterministic demo data as plain rows, table by table, in foreign-key order.

The plan assigns ids itself so that children can point at parents without a round trip; the loader
(``portal.seed.load``) then bulk-inserts it. ``scale=1`` gives about 500 customers, 5,000 orders,
800 cases and 3,000 activities; every figure grows linearly with ``scale``.

It reads like the recent weeks of a heating-equipment business in Germany, seen on its "today"
(the anchor day, 10:00 in Berlin; without an anchor, the moment of seeding): installers, housing
companies and utilities mostly around the Rhein-Main dealers, contacts whose e-mail is their name
at their company's domain, orders of the last weeks numbered in the order they came in, people's
work (orders, appointments, calls) on weekdays in working hours Europe/Berlin, and open cases of
which most are within their SLA, some close to it and a few (under a tenth) past it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

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
BERLIN = ZoneInfo("Europe/Berlin")
WORKDAY = (7, 19)  # local hours in which people work (appointments start and end inside)
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


def local_time(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day`` in Berlin, as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def _working_time(rng: random.Random, day: date, first: int = 8, last: int = 17) -> datetime:
    """A moment of the working day: a weekday, between ``first`` and ``last`` o'clock local time."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return local_time(day, rng.randint(first, last - 1), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)))


def _past_working_time(rng: random.Random, day: date, now: datetime) -> datetime:
    """A working moment on ``day``, or on the working day before when that is still to come."""
    moment = _working_time(rng, day)
    while moment > now:
        day -= timedelta(days=1)
        moment = _working_time(rng, day)
    return moment


def _slug(text: str) -> str:
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("&", "und")):
        text = text.replace(a, b)
    out = "".join(ch if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)


def mail_local_part(first: str, last: str) -> str:
    """The local part of a contact's e-mail: ``vorname.nachname``, transliterated."""
    return f"{_slug(first)}.{_slug(last)}".replace("-", "")


def plan_demo(
    *, scale: float = 1.0, anchor: date | None = None, password_hash: str, seed: int = 2026
) -> Plan:
    """Build the demo world. ``anchor`` is "today" for the data (dates are spread around it, "now"
    is 10:00 in Berlin that day); without it, today and now are the moment of seeding."""
    rng = random.Random(seed)
    if anchor is None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        today = now.astimezone(BERLIN).date()
    else:
        today, now = anchor, local_time(anchor, 10)
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
    _activities(plan, rng, org_id, customers, scale, today, now)
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


# The people behind the demo logins (the logins themselves are documented and stay as they are).
STAFF = {
    ("waermewerk", "admin"): "Katrin Vogt",
    ("waermewerk", "vertrieb"): "Vera Brandt",
    ("waermewerk", "support"): "Stefan Kühn",
    ("waermewerk", "leser"): "Lena Albers",
}


def _users(plan: Plan, org_id: dict[str, int], password_hash: str, now: datetime) -> None:
    people = [
        ("waermewerk", "admin", "admin"),
        ("waermewerk", "vertrieb", "sales"),
        ("waermewerk", "support", "support"),
        ("waermewerk", "leser", "viewer"),
    ]
    for slug, *_ in ORGANIZATIONS[1:]:
        people.append((slug, "admin", "admin"))
        people.append((slug, "team", "member"))
    names_rng = random.Random("demo staff")
    for slug, local, roles in people:
        email = f"{local}@{slug}.example"
        english = slug == "brightheat"
        name = STAFF.get((slug, local)) or (
            f"{names_rng.choice(names.FIRST_EN if english else names.FIRST_DE)} "
            f"{names_rng.choice(names.SURNAMES_EN if english else names.SURNAMES_DE)}"
        )
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
                "locale": "en" if english else "de",
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


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    id: int
    row: Row
    dealer: str | None
    english: bool
    contacts: tuple[int, ...]


def _company(rng: random.Random, city: str, taken: set[str]) -> tuple[str, str]:
    """A German customer's name and its mail domain (unique among the customers)."""
    surname = rng.choice(names.SURNAMES_DE)
    draw = rng.random()
    if draw < 0.12:
        pattern, domain = rng.choice(names.INSTITUTIONS_DE)
        name = pattern.format(city=city.split(" (")[0], surname=surname)
        domain = domain.format(city=_slug(city.split(" (")[0]), surname=_slug(surname))
    else:
        trade, form = rng.choice(names.TRADES_DE), rng.choice(names.FORMS_DE)
        if draw < 0.55:
            name, domain = f"{surname} {trade} {form}", f"{_slug(surname)}-{_slug(trade)}"
        elif draw < 0.8:
            name, domain = f"{trade} {surname} {form}", f"{_slug(trade)}-{_slug(surname)}"
        else:
            partner = rng.choice(names.SURNAMES_DE)
            name, domain = f"{surname} & {partner} {trade} {form}", f"{_slug(surname)}-{_slug(partner)}"
    return name, _unique(domain, _slug(city.split(" (")[0]), taken)


def _unique(domain: str, city: str, taken: set[str]) -> str:
    candidate, n = domain, 1
    while candidate in taken:
        n += 1
        candidate = f"{domain}-{city}" if n == 2 else f"{domain}-{city}-{n}"
    taken.add(candidate)
    return f"{candidate}.example"


def _customers(
    plan: Plan, rng: random.Random, org_id: dict[str, int], scale: float, now: datetime
) -> list[DemoCustomer]:
    result = []
    domains: set[str] = set()
    for n in range(max(1, round(500 * scale))):
        english = rng.random() < 0.08
        region = rng.random()
        if english:
            postal, city, area = rng.choice(names.CITIES_EN)
            dealer = "meister-sanitaer" if rng.random() < 0.3 else None
        elif region < 0.35:
            postal, city, area = rng.choice(names.CITIES_RHEIN_MAIN_NORTH)
            dealer = "haustechnik-nord" if rng.random() < 0.9 else None
        elif region < 0.7:
            postal, city, area = rng.choice(names.CITIES_RHEIN_MAIN_SOUTH)
            dealer = "haustechnik-sued" if rng.random() < 0.9 else None
        else:
            postal, city, area = rng.choice(names.CITIES_DE)
            dealer = "meister-sanitaer" if rng.random() < 0.7 else None
        if english:
            surname = rng.choice(names.SURNAMES_EN)
            trade, form = rng.choice(names.TRADES_EN), rng.choice(names.FORMS_EN)
            name = f"{surname} {trade} {form}"
            domain = _unique(f"{_slug(surname)}-{_slug(trade)}", _slug(city), domains).replace(
                ".example", ".co.uk.example"
            )
            street = f"{rng.randint(1, 180)} {rng.choice(names.STREETS_EN)}"
        else:
            name, domain = _company(rng, city, domains)
            street = f"{rng.choice(names.STREETS_DE)} {rng.randint(1, 180)}"
        country = "+44" if english else "+49"
        switchboard = f"{country} {area} {rng.randint(200000, 9899999)}"
        row = {
            "number": f"K{n + 1:06d}",
            "name": name,
            "street": street,
            "postal_code": postal,
            "city": city,
            "country_code": "GB" if english else "DE",
            "vat_id": f"{'GB' if english else 'DE'}{rng.randint(100000000, 999999999)}",
            "gln": gtin13(400000000000 + n) if rng.random() < 0.4 else None,
            "email": f"{rng.choice(['info', 'kontakt', 'service']) if not english else 'info'}@{domain}",
            "phone": switchboard,
            "created_at": now - timedelta(days=rng.randint(60, 1500)),
        }
        row["updated_at"] = row["created_at"]
        customer_id = plan.add(Customer, row)
        contacts = []
        used: set[tuple[str, str]] = set()
        for k in range(rng.randint(1, 3)):
            first = rng.choice(names.FIRST_EN if english else names.FIRST_DE)
            last = rng.choice(names.SURNAMES_EN if english else names.SURNAMES_DE)
            if (first, last) in used:
                continue
            used.add((first, last))
            contacts.append(
                plan.add(
                    Contact,
                    {
                        "customer_id": customer_id,
                        "first_name": first,
                        "last_name": last,
                        "email": f"{mail_local_part(first, last)}@{domain}",
                        "phone": f"{switchboard}-{rng.randint(10, 89) if k else 0}",
                        "position": rng.choice(names.POSITIONS_EN if english else names.POSITIONS_DE),
                        "created_at": row["created_at"],
                    },
                )
            )
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
            # the service partner of the region
            partner = "servicepartner-west" if region < 0.7 or english else rng.choice(PARTNERS)
            plan.add(
                CustomerAssignment,
                {
                    "customer_id": customer_id,
                    "organization_id": org_id[partner],
                    "created_at": row["created_at"],
                },
            )
        result.append(DemoCustomer(customer_id, row, dealer, english, tuple(contacts)))
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


# (upper bound of the random draw, target state, order age in days (min, max)): the recent weeks,
# the older the further along
ORDER_MIX = [
    (0.08, "draft", (0, 6)),
    (0.22, "awaiting", (0, 9)),
    (0.30, "partial", (1, 12)),
    (0.45, "confirmed", (2, 21)),
    (0.53, "part_shipped", (5, 28)),
    (0.66, "shipped", (6, 35)),
    (0.92, "invoiced", (12, 75)),
    (0.96, "rejected", (2, 45)),
    (1.01, "cancelled", (2, 60)),
]


def _quantity(rng: random.Random, product: Row) -> Decimal:
    """What an installer orders of a product: one heat pump, a few valves, metres of pipe."""
    price = product["price"]
    if product["unit"] != "C62":
        return Decimal(rng.choice([20, 25, 50, 100]))
    if price >= 1000:
        return Decimal(rng.choice([1, 1, 1, 2, 3]))
    if price >= 100:
        return Decimal(rng.choice([1, 2, 2, 3, 4, 5, 8, 10]))
    return Decimal(rng.choice([2, 4, 5, 6, 8, 10, 12, 20, 25, 50]))


def _orders(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: list[DemoCustomer],
    products: list[Row],
    scale: float,
    today: date,
    now: datetime,
) -> None:
    # First when each order came in; then the orders in that order (numbers and ids grow with time).
    incoming = []
    for _ in range(max(1, round(5000 * scale))):
        customer = rng.choice(customers)
        draw = rng.random()
        state, (young, old) = next((s, age) for bound, s, age in ORDER_MIX if draw < bound)
        created = _past_working_time(rng, today - timedelta(days=rng.randint(young, old)), now)
        incoming.append((created, state, customer, rng.getrandbits(32)))
    incoming.sort(key=lambda item: item[0])
    numbers = {"shipment": 0, "invoice": 0}
    for n, (created, state, customer, own_seed) in enumerate(incoming):
        order_rng = random.Random(own_seed)
        _order(plan, order_rng, org_id, customer, products, n, created, state, (today, now), numbers)
    # Shipment and invoice lines were planned before their order lines got ids: resolve them now.
    for model in (ShipmentLine, InvoiceLine):
        for row in plan.tables[table_of(model)]:
            row["order_line_id"] = row.pop("_line")["_id"]
    for row in plan.tables[table_of(OrderLine)]:
        row.pop("_id", None)


def _order(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customer: DemoCustomer,
    products: list[Row],
    n: int,
    created: datetime,
    state: str,
    when: tuple[date, datetime],
    numbers: dict[str, int],
) -> None:
    today, now = when
    owner = org_id["waermewerk"]
    dealer = customer.dealer
    sold_by = org_id[dealer] if dealer and rng.random() < 0.75 else None
    supplier_slug = rng.choice(SUPPLIERS)
    supplier = None if state == "draft" else org_id[supplier_slug]
    routed_at = min(now, created + timedelta(minutes=rng.randint(20, 240)))
    order_row: Row = {
        "number": f"SO-{created.year}-{n + 1:06d}",
        "customer_id": customer.id,
        "dealer_id": sold_by,
        "supplier_id": supplier,
        "created_by_org_id": sold_by or owner,
        "currency": "EUR",
        "order_date": created.date(),
        "requested_date": _weekday(created.date() + timedelta(days=rng.randint(5, 21))),
        "customer_reference": f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None,
        "delivery_name": customer.row["name"],
        "delivery_street": customer.row["street"],
        "delivery_postal_code": customer.row["postal_code"],
        "delivery_city": customer.row["city"],
        "delivery_country": customer.row["country_code"],
        "delivery_gln": customer.row["gln"],
        "delivery_contact_name": None,
        "delivery_contact_phone": customer.row["phone"],
        "delivery_contact_email": customer.row["email"],
        "note": None,
        "routed_at": routed_at if supplier else None,
        "cancelled_at": created + timedelta(days=1) if state == "cancelled" else None,
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }
    order_id = plan.add(Order, order_row)
    _event(plan, "order.created", "order", order_id, sold_by or owner, created)
    if supplier:
        _event(plan, "order.routed", "order", order_id, owner, routed_at, supplier_id=supplier)
    lines = []
    for line_no, product in enumerate(rng.sample(products, rng.randint(1, 4)), start=1):
        line = {
            "order_id": order_id,
            "line_no": line_no,
            "product_id": product["id"],
            "sku": product["sku"],
            "gtin": product["gtin"],
            "description": product["name"],
            "unit": product["unit"],
            "unit_price": product["price"],
            "quantity_ordered": _quantity(rng, product),
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
    confirmed_at = min(now, max(routed_at, _working_time(rng, created.date() + timedelta(days=1))))
    for line in lines[:answered]:
        if state == "rejected":
            line["response"], line["quantity_confirmed"] = LineResponse.REJECTED, Decimal(0)
            continue
        changed = rng.random() < 0.15 and line["quantity_ordered"] > 1
        line["response"] = LineResponse.CHANGED if changed else LineResponse.ACCEPTED
        line["quantity_confirmed"] = (line["quantity_ordered"] - 1) if changed else line["quantity_ordered"]
        line["promised_date"] = _weekday(created.date() + timedelta(days=rng.randint(3, 21)))
    if answered:
        _event(
            plan,
            "order.confirmed",
            "order",
            order_id,
            supplier or owner,
            confirmed_at,
            status="rejected" if state == "rejected" else "confirmed",
        )
    if state in ("part_shipped", "shipped", "invoiced"):
        numbers["shipment"] += 1
        shipped_on = min(today, _weekday(created.date() + timedelta(days=rng.randint(2, 8))))
        shipped_at = min(now, local_time(shipped_on, rng.randint(13, 17), rng.choice((0, 15, 30, 45))))
        shipment_id = plan.add(
            Shipment,
            {
                "order_id": order_id,
                "supplier_id": supplier,
                "number": f"DN-{numbers['shipment']:07d}",
                "shipped_on": shipped_on,
                "expected_delivery": _weekday(shipped_on + timedelta(days=2)),
                "carrier": rng.choice(["DHL", "DB Schenker", "DPD", "UPS", "Dachser"]),
                "tracking_number": f"JJD{rng.randint(10**11, 10**12 - 1)}",
                "packages": rng.randint(1, 4),
                "created_at": shipped_at,
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
        _event(plan, "shipment.created", "shipment", shipment_id, supplier or owner, shipped_at)
    if state == "invoiced":
        numbers["invoice"] += 1
        issued = min(today, _weekday(created.date() + timedelta(days=rng.randint(8, 14))))
        issued_at = min(now, local_time(issued, rng.randint(8, 11), rng.choice((0, 20, 40))))
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
                "number": f"RE-{issued.year}-{numbers['invoice']:06d}",
                "issue_date": issued,
                "due_date": issued + timedelta(days=30),
                "currency": "EUR",
                "net_total": net,
                "tax_total": tax,
                "gross_total": net + tax,
                "match_status": MatchStatus.OVER_BILLED if over else MatchStatus.MATCHED,
                "created_at": issued_at,
            },
        )
        for row in invoice_lines:
            row["invoice_id"] = invoice_id
            plan.add(InvoiceLine, row)
        _event(plan, "invoice.submitted", "invoice", invoice_id, supplier or owner, issued_at)
    for line in lines:
        line["_id"] = plan.add(OrderLine, line)
    _summarize(order_row, lines)


def _weekday(day: date) -> date:
    """The next working day (Monday to Friday) from ``day`` on."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _summarize(order: Row, lines: list[Row]) -> None:
    """The derived status and net total, by the model's own rules (what the flush hook keeps)."""
    figures = [LineFigures(*(line[name] for name in LINE_FIGURES)) for line in lines]
    order["current_status"] = derive_status(SimpleNamespace(**order), figures)
    order["net_total"] = order_total(figures)


LINE_FIGURES = tuple(LineFigures.__dataclass_fields__)

# Open cases against their SLA, as a support desk that keeps up looks: (upper bound of the draw,
# time left as a share of the SLA (min, max)). Negative: breached.
SLA_MIX = [(0.07, (-3.0, -0.05)), (0.2, (0.02, 0.25)), (1.01, (0.25, 0.98))]
OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)


def _cases(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: list[DemoCustomer],
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
        customer = rng.choice(customers)
        dealer = customer.dealer
        priority = rng.choices(list(CasePriority), weights=[1, 3, 8, 3])[0]
        status = rng.choices(statuses, weights=[3, 3, 1, 4, 5])[0]
        sla = SLA[priority]
        resolved_at = closed_at = None
        if status in OPEN_STATUSES:
            draw = rng.random()
            low, high = next(span for bound, span in SLA_MIX if draw < bound)
            created = now - sla * (1 - rng.uniform(low, high))
        else:
            created = _past_working_time(rng, now.date() - timedelta(days=rng.randint(1, 40)), now)
            resolved_at = min(now, created + sla * rng.uniform(0.1, 1.1))
            if status is CaseStatus.CLOSED:
                closed_at = min(now, resolved_at + timedelta(days=rng.randint(1, 5)))
        created = created.replace(second=0, microsecond=0)
        opened_by = org_id[dealer] if dealer and rng.random() < 0.5 else owner
        routed = None
        if rng.random() < 0.6:
            routed = org_id[rng.choice(PARTNERS + SUPPLIERS + ([dealer] if dealer else []))]
        subject, description = rng.choice(names.CASE_SUBJECTS_EN if customer.english else names.CASE_SUBJECTS)
        case_id = plan.add(
            Case,
            {
                "number": f"C-{n + 1:06d}",
                "subject": subject,
                "description": description,
                "customer_id": customer.id,
                "order_id": None,
                "priority": priority,
                "status": status,
                "routed_to_id": routed,
                "opened_by_org_id": opened_by,
                "opened_by_user_id": None,
                "sla_due_at": created + sla,
                "resolved_at": resolved_at,
                "closed_at": closed_at,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            },
        )
        _event(plan, "case.opened", "case", case_id, opened_by, created, priority=priority.value)
        last = resolved_at or now
        for k in range(rng.randint(0, 4)):
            at = created + (last - created) * (k + 1) / 6
            author = rng.choice([owner, routed or owner, opened_by])
            plan.add(
                CaseComment,
                {
                    "case_id": case_id,
                    "author_org_id": author,
                    "author_user_id": None,
                    "author_name": "Wärmewerk Kundendienst" if author == owner else "Partner",
                    "body": rng.choice(names.COMMENTS_EN if customer.english else names.COMMENTS),
                    "internal": author == owner and rng.random() < 0.3,
                    "created_at": at,
                },
            )


TIMED = (ActivityKind.MEETING, ActivityKind.APPOINTMENT)


def _activities(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: list[DemoCustomer],
    scale: float,
    today: date,
    now: datetime,
) -> None:
    owner = org_id["waermewerk"]
    kinds = list(ActivityKind)
    for n in range(max(1, round(3000 * scale))):
        customer = rng.choice(customers)
        kind = rng.choice(kinds)
        org = org_id[customer.dealer] if customer.dealer and rng.random() < 0.6 else owner
        # Every 25th activity is an appointment today, so dashboards have something to show.
        if n % 25 == 0:
            kind, day = ActivityKind.APPOINTMENT, today
        elif kind in TIMED or kind is ActivityKind.TASK:
            day = today + timedelta(days=rng.randint(-45, 14))  # the diary: past weeks and the next two
        else:
            day = today - timedelta(days=rng.randint(0, 45))  # what happened
        minutes = rng.choice((30, 60, 60, 90, 120)) if kind in TIMED else 0
        if kind in TIMED:
            while day.weekday() >= 5 and n % 25:
                day += timedelta(days=1)
            latest = WORKDAY[1] * 60 - minutes  # ends by 19:00
            begin = rng.randrange(WORKDAY[0] * 60 + 30, latest + 1, 30)
            start = local_time(day, begin // 60, begin % 60)
        else:
            start = (
                _working_time(rng, day) if kind is ActivityKind.TASK else _past_working_time(rng, day, now)
            )
        subjects = names.ACTIVITY_SUBJECTS_EN if customer.english else names.ACTIVITY_SUBJECTS[kind.value]
        plan.add(
            Activity,
            {
                "customer_id": customer.id,
                "contact_id": rng.choice(customer.contacts)
                if customer.contacts and rng.random() < 0.7
                else None,
                "organization_id": org,
                "user_id": None,
                "kind": kind,
                "subject": rng.choice(subjects),
                "body": "",
                "starts_at": start if kind in TIMED else None,
                "ends_at": start + timedelta(minutes=minutes) if kind in TIMED else None,
                "due_at": start if kind is ActivityKind.TASK else None,
                "done_at": start if kind is ActivityKind.TASK and start < now else None,
                "occurred_at": start,
                "created_at": min(start, now),
            },
        )
