"""Deterministic demo data as plain rows, table by table, in foreign-key order.

The plan assigns ids itself so that children can point at parents without a round trip; the loader
(``portal.seed.load``) takes it batch by batch as the generators flush (every ``FLUSH_EVERY``
customers, orders, cases or activities) and bulk-inserts each batch. ``scale=1`` gives about 500
customers, 5,000 orders, 800 cases and 3,000 activities; every figure grows linearly with ``scale``.

It reads like the recent weeks of a heating-equipment business in Germany, seen on its "today"
(the anchor day, 10:00 in Berlin; without an anchor, the moment of seeding): installers, housing
companies and utilities mostly around the Rhein-Main dealers, contacts whose e-mail is their name
at their company's domain, orders of the last weeks numbered in the order they came in, people's
work (orders, appointments, calls) on weekdays in working hours Europe/Berlin, and open cases of
which most are within their SLA, some close to it and a few (under a tenth) past it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from portal.models import (
    ApiToken,
    Case,
    Contact,
    Counter,
    Customer,
    CustomerAssignment,
    Event,
    Order,
    Organization,
    OrgKind,
    Product,
    User,
)
from portal.security import hash_token
from portal.seed import names
from portal.seed.base import (
    BERLIN,
    CUSTOMERS,
    FLUSH_EVERY,
    PARTNERS,
    SUPPLIERS,
    Batch,
    Customers,
    DemoAccount,
    Plan,
    Row,
    count,
    gtin13,
    local_time,
    mail_local_part,
    slugify,
    table_of,
)
from portal.seed.campaigns import plan_campaigns
from portal.seed.cases import plan_activities, plan_cases
from portal.seed.deals import plan_deals
from portal.seed.leads import plan_leads
from portal.seed.opportunities import plan_opportunities
from portal.seed.orders import plan_orders
from portal.seed.tasks import plan_tasks

__all__ = [
    "BERLIN",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_TOKENS",
    "ORGANIZATIONS",
    "DemoAccount",
    "Plan",
    "gtin13",
    "local_time",
    "mail_local_part",
    "plan_demo",
    "table_of",
]

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

# The logins `portal demo` prints and docs/portal.md lists: (e-mail, who it is). All are seeded users.
DEMO_LOGINS = (
    ("admin@waermewerk.example", "owner admin"),
    ("vertrieb@waermewerk.example", "owner sales"),
    ("support@waermewerk.example", "owner support"),
    ("leser@waermewerk.example", "owner read-only viewer"),
    ("admin@nordtec.example", "supplier"),
    ("admin@haustechnik-nord.example", "dealer"),
    ("admin@haustechnik-gruppe.example", "dealer group"),
    ("admin@servicepartner-west.example", "service partner"),
)

# Demo API tokens with well-known secrets, so docs/api.md's curl examples work against `portal demo`.
DEMO_TOKENS = {
    "nordtec": "ptk_demo_nordtec_supplier",
    "haustechnik-nord": "ptk_demo_haustechnik_dealer",
    "waermewerk": "ptk_demo_waermewerk_owner",
}


def plan_demo(
    *,
    scale: float = 1.0,
    anchor: date | None = None,
    password_hash: str,
    seed: int = 2026,
    sink: Callable[[Batch], None] | None = None,
) -> Plan:
    """Build the demo world. ``anchor`` is "today" for the data (dates are spread around it, "now"
    is 10:00 in Berlin that day); without it, today and now are the moment of seeding.

    Without a ``sink`` the returned plan holds every row. With one, the rows go to the sink 1,000
    customers, orders, cases or activities at a time (with their contacts, lines and events), tables
    in foreign-key order, and the plan keeps only the counts: the same rows either way."""
    rng = random.Random(seed)
    if anchor is None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        today = now.astimezone(BERLIN).date()
    else:
        today, now = anchor, local_time(anchor, 10)
    plan = Plan(sink)
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
    people = _users(plan, org_id, password_hash, now)
    products = _products(plan, org_id)
    customers = _customers(plan, rng, org_id, scale, now)
    plan_orders(plan, rng, org_id, customers, products, scale, today, now)
    plan_cases(plan, rng, org_id, customers, scale, now)
    plan_activities(plan, rng, org_id, customers, scale, today, now)
    pipeline = plan_opportunities(plan, org_id, customers, products, scale, today, now)
    plan_tasks(plan, people, customers, today, now)
    plan_deals(plan, org_id, scale, today, now)
    campaigns = plan_campaigns(plan, org_id, customers, today, now)
    plan_leads(plan, org_id, customers, scale, today, now, opportunities=pipeline, campaigns=campaigns)
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
        plan.add(Counter, {"name": name, "value": plan.counts[table_of(table)]})
    plan.flush()
    return plan


# The people behind the demo logins (the logins themselves are documented and stay as they are).
STAFF = {
    ("waermewerk", "admin"): "Katrin Vogt",
    ("waermewerk", "vertrieb"): "Vera Brandt",
    ("waermewerk", "support"): "Stefan Kühn",
    ("waermewerk", "leser"): "Lena Albers",
}


def _users(
    plan: Plan, org_id: dict[str, int], password_hash: str, now: datetime
) -> list[tuple[int, int, str, OrgKind, bool]]:
    """The demo's users; returns those who work (not viewers) as ``plan_tasks`` wants them."""
    kinds = {slug: kind for slug, _name, kind, _parent, _gln in ORGANIZATIONS}
    working: list[tuple[int, int, str, OrgKind, bool]] = []
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
        user_id = plan.add(
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
        if roles != "viewer":
            working.append((user_id, org_id[slug], slug, kinds[slug], english))
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
    return working


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


def _company(rng: random.Random, city: str, taken: set[str]) -> tuple[str, str]:
    """A German customer's name and its mail domain (unique among the customers)."""
    surname = rng.choice(names.SURNAMES_DE)
    draw = rng.random()
    if draw < 0.12:
        pattern, domain = rng.choice(names.INSTITUTIONS_DE)
        name = pattern.format(city=city.split(" (")[0], surname=surname)
        domain = domain.format(city=slugify(city.split(" (")[0]), surname=slugify(surname))
    else:
        trade, form = rng.choice(names.TRADES_DE), rng.choice(names.FORMS_DE)
        if draw < 0.55:
            name, domain = f"{surname} {trade} {form}", f"{slugify(surname)}-{slugify(trade)}"
        elif draw < 0.8:
            name, domain = f"{trade} {surname} {form}", f"{slugify(trade)}-{slugify(surname)}"
        else:
            partner = rng.choice(names.SURNAMES_DE)
            name, domain = f"{surname} & {partner} {trade} {form}", f"{slugify(surname)}-{slugify(partner)}"
    return name, _unique(domain, slugify(city.split(" (")[0]), taken)


def _unique(domain: str, city: str, taken: set[str]) -> str:
    candidate, n = domain, 1
    while candidate in taken:
        n += 1
        candidate = f"{domain}-{city}" if n == 2 else f"{domain}-{city}-{n}"
    taken.add(candidate)
    return f"{candidate}.example"


def _customers(
    plan: Plan, rng: random.Random, org_id: dict[str, int], scale: float, now: datetime
) -> Customers:
    result = Customers([slug for slug, _name, kind, *_ in ORGANIZATIONS if kind is OrgKind.DEALER])
    domains: set[str] = set()
    for n in range(count(CUSTOMERS, scale)):
        if n % FLUSH_EVERY == 0:
            plan.flush()
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
            domain = _unique(f"{slugify(surname)}-{slugify(trade)}", slugify(city), domains).replace(
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
        first_contact = plan.next_id(Contact)
        used: set[tuple[str, str]] = set()
        for k in range(rng.randint(1, 3)):
            first = rng.choice(names.FIRST_EN if english else names.FIRST_DE)
            last = rng.choice(names.SURNAMES_EN if english else names.SURNAMES_DE)
            if (first, last) in used:
                continue
            used.add((first, last))
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
        result.append(row, dealer, english, range(first_contact, plan.next_id(Contact)))
    return result
