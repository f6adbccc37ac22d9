"""The demo's deal registrations (issue #18.3): a few a unit of scale in every status, and always one
conflict pair (two dealers registered the same prospect: one approved and protected, one waiting for
the owner's decision) and one approval whose protection ends within days.

A random generator of its own, so the rest of the demo stays as it was. The demo's approved
registrations are history: they name no opportunity (an approval in the portal opens one).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from portal.customers.duplicates import name_key
from portal.models import Counter, DealRegistration, DealStatus
from portal.seed.base import FLUSH_EVERY, Plan, count, event
from portal.seed.names import CITIES_DE, FORMS_DE, STREETS_DE, SURNAMES_DE, TRADES_DE

REGISTRATIONS = 12  # per unit of scale, besides the conflict pair and the one expiring soon
STATUS_WEIGHTS = {
    DealStatus.SUBMITTED: 4,
    DealStatus.APPROVED: 3,
    DealStatus.REJECTED: 2,
    DealStatus.WITHDRAWN: 1,
    DealStatus.EXPIRED: 2,
}
DEALERS = ("haustechnik-nord", "haustechnik-sued", "meister-sanitaer", "servicepartner-west")
DEALS = [
    "Wärmepumpen für drei Liegenschaften",
    "Heizzentrale Schulzentrum, Kessel und Pumpen",
    "Austausch von 40 Umwälzpumpen im Wohnungsbestand",
    "Solarthermie und Speicher für das Hallenbad",
    "Fernwärmeübergabestationen Neubaugebiet",
]
REASONS = [
    "Der Kunde wird direkt vom Werksvertrieb betreut.",
    "Das Projekt ist bereits für einen anderen Partner geschützt.",
    "Zu wenige Angaben zum Projekt; bitte mit Ansprechpartner neu registrieren.",
]
PAIR = ("Stadtwerke Musterstadt GmbH", "60311", "Frankfurt am Main", "DE812345678")


def _row(
    ident: int,
    n: int,
    dealer: int,
    status: DealStatus,
    prospect: tuple[str, str, str, str | None],
    rng: random.Random,
    today: date,
    created: datetime,
) -> dict[str, Any]:
    name, postal_code, city, vat_id = prospect
    decided = status in (DealStatus.APPROVED, DealStatus.REJECTED, DealStatus.EXPIRED)
    protected: date | None = None
    if status is DealStatus.APPROVED:
        protected = today + timedelta(days=rng.randint(20, 85))
    elif status is DealStatus.EXPIRED:
        protected = today - timedelta(days=rng.randint(1, 40))
    first, last = rng.choice(["Eva", "Jonas", "Petra", "Murat", "Lena"]), rng.choice(SURNAMES_DE)
    return {
        "id": ident,
        "number": f"DR-{n:06d}",
        "dealer_id": dealer,
        "registered_by_user_id": None,
        "prospect_name": name,
        "name_key": name_key(name),
        "vat_id": vat_id,
        "street": f"{rng.choice(STREETS_DE)} {rng.randint(1, 120)}",
        "postal_code": postal_code,
        "city": city,
        "country_code": "DE",
        "contact_name": f"{first} {last}",
        "contact_email": None,
        "contact_phone": None,
        "description": rng.choice(DEALS),
        "amount": Decimal(rng.randrange(8, 240) * 500),
        "currency": "EUR",
        "expected_close": today + timedelta(days=rng.randint(20, 150)),
        "status": status,
        "decided_by_user_id": None,
        "decided_at": created + timedelta(days=2) if decided else None,
        "reason": rng.choice(REASONS) if status is DealStatus.REJECTED else None,
        "protected_until": protected,
        "customer_id": None,
        "opportunity_id": None,
        "created_at": created,
        "updated_at": created + timedelta(days=2) if decided else created,
        "version": 2 if decided else 1,
    }


def plan_deals(plan: Plan, org_id: dict[str, int], scale: float, today: date, now: datetime) -> None:
    rng = random.Random(1803)
    dealers = [org_id[slug] for slug in DEALERS]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    rows: list[tuple[int, DealStatus, tuple[str, str, str, str | None], int]] = [
        # the conflict pair: approved and protected for one dealer, submitted by another
        (dealers[0], DealStatus.APPROVED, PAIR, 30),
        (dealers[2], DealStatus.SUBMITTED, (PAIR[0].removesuffix(" GmbH"), PAIR[1], PAIR[2], None), 3),
    ]
    expiring = len(rows)
    rows.append((dealers[1], DealStatus.APPROVED, ("Wohnbau Rhein-Main eG", "65185", "Wiesbaden", None), 80))
    for i in range(count(REGISTRATIONS, scale)):
        postal_code, city, _area = rng.choice(CITIES_DE)
        name = f"{rng.choice(SURNAMES_DE)} {rng.choice(TRADES_DE)} {rng.choice(FORMS_DE)}"
        # every status at least once, whatever the scale; then as a worked channel looks
        status = statuses[i] if i < len(statuses) else rng.choices(statuses, weights=weights)[0]
        rows.append((rng.choice(dealers), status, (name, postal_code, city, None), rng.randint(1, 120)))
    for n, (dealer, status, prospect, age) in enumerate(rows, start=1):
        if n % FLUSH_EVERY == 0:
            plan.flush()
        ident = plan.next_id(DealRegistration)
        created = now - timedelta(days=age)
        row = _row(ident, n, dealer, status, prospect, rng, today, created)
        if n - 1 == expiring:
            row["protected_until"] = today + timedelta(days=9)  # "expiring soon", the dealer was told
        plan.add(DealRegistration, row)
        event(
            plan,
            "deal_registration.submitted",
            "deal_registration",
            ident,
            dealer,
            created,
            number=row["number"],
        )
        if status is not DealStatus.SUBMITTED:
            kind = (
                "withdrawn"
                if status is DealStatus.WITHDRAWN
                else "rejected"
                if status is DealStatus.REJECTED
                else "approved"
            )
            actor = dealer if status is DealStatus.WITHDRAWN else org_id["waermewerk"]
            event(
                plan,
                f"deal_registration.{kind}",
                "deal_registration",
                ident,
                actor,
                row["updated_at"],
                number=row["number"],
            )
    plan.add(Counter, {"name": "deal_registration", "value": len(rows)})
