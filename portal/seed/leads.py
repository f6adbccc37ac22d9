"""The demo's leads (issue #18.2): territories for the demo dealers, and leads (of the running and
the ended campaign, ``portal.seed.campaigns``, or of none) in every state: waiting in marketing's
queue, offered (one of them past its answer deadline, for the worker to route on), accepted,
converted (each with its customer and its own opportunity in qualification; the running campaign's
first one won), declined by every dealer in reach, disqualified; with their assignment history.

A random generator of its own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from portal.models import (
    Counter,
    Lead,
    LeadOffer,
    LeadStatus,
    OfferOutcome,
    Opportunity,
    OpportunityStage,
    Territory,
)
from portal.seed.base import FLUSH_EVERY, Customers, Plan, count, event
from portal.seed.campaigns import DemoCampaigns

LEADS = 80  # per unit of scale
ANSWER = timedelta(hours=48)
# (dealer slug, postal-code ranges, regions, capacity)
TERRITORIES: list[tuple[str, list[str], list[str], int]] = [
    ("haustechnik-nord", ["DE 60000-61999", "DE 65000-65999", "DE 63400-63499"], [], 30),
    ("haustechnik-sued", ["DE 64000-64999", "DE 63000-63399", "DE 55000-55999"], [], 30),
    ("meister-sanitaer", ["DE 00000-39999", "DE 66000-99999"], [], 40),
    ("servicepartner-west", ["DE 40000-54999"], [], 20),
]
# (postal code, city) a lead may come from; Austria is nobody's territory: those wait in the queue
PLACES = [
    ("60311", "Frankfurt am Main"),
    ("61440", "Oberursel (Taunus)"),
    ("65183", "Wiesbaden"),
    ("64283", "Darmstadt"),
    ("63065", "Offenbach am Main"),
    ("55116", "Mainz"),
    ("20095", "Hamburg"),
    ("80331", "München"),
    ("70173", "Stuttgart"),
    ("50667", "Köln"),
    ("40213", "Düsseldorf"),
    ("04109", "Leipzig"),
]
PLACES_AT = [("1010", "Wien"), ("5020", "Salzburg")]
COMPANIES = [
    "Kältetechnik",
    "Wohnbau",
    "Hausverwaltung",
    "Bäckerei",
    "Autohaus",
    "Hotel",
    "Praxis",
    "Schreinerei",
    "Kita",
    "Sportverein",
]
OWNERS = ["Berger", "Lindner", "Krüger", "Sommer", "Engel", "Roth", "Frank", "Winter", "Kaiser", "Graf"]
FIRST = ["Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Lukas", "Emma", "Ben"]
SOURCES = ["Website", "Messe SHK Essen", "Empfehlung", "Hotline", "Newsletter"]
DECLINES = ["Keine Kapazität im Moment", "Außerhalb unseres Einsatzgebiets", "Kein passendes Angebot"]
DISQUALIFIED = ["Dublette", "Privatperson ohne Bedarf", "Kein Interesse mehr"]
# The states' shares: (status, weight)
STATES = [
    (LeadStatus.NEW, 10),
    (LeadStatus.OFFERED, 25),
    (LeadStatus.ACCEPTED, 25),
    (LeadStatus.CONVERTED, 20),
    (LeadStatus.DECLINED, 10),
    (LeadStatus.DISQUALIFIED, 10),
]


def _covering(postal_code: str, org_id: dict[str, int]) -> list[int]:
    found = []
    for slug, ranges, _regions, _capacity in TERRITORIES:
        for entry in ranges:
            first, last = entry.split()[1].split("-")
            if first <= postal_code[: len(first)] <= last:
                found.append(org_id[slug])
                break
    return found


def plan_leads(
    plan: Plan,
    org_id: dict[str, int],
    customers: Customers,
    scale: float,
    today: date,
    now: datetime,
    *,
    opportunities: int,
    campaigns: DemoCampaigns,
) -> None:
    """The leads; converted ones get opportunities numbered after the ``opportunities`` the pipeline
    has (this sets the opportunity counter)."""
    rng = random.Random(1802)
    owner = org_id["waermewerk"]
    for slug, ranges, regions, capacity in TERRITORIES:
        plan.add(
            Territory,
            {
                "organization_id": org_id[slug],
                "postal_ranges": ranges,
                "regions": regions,
                "capacity": capacity,
                "active": True,
                "updated_at": now - timedelta(days=60),
                "version": 1,
            },
        )
    campaign_ids = [campaigns.running, campaigns.ended]  # the planned one has no leads yet
    by_dealer: dict[int, list[int]] = {}
    for index in range(len(customers)):
        customer = customers[index]
        if customer.dealer is not None:
            by_dealer.setdefault(org_id[customer.dealer], []).append(customer.id)
    total = count(LEADS, scale)
    converted = 0
    won_done = False
    late_done = False
    states = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    for n in range(total):
        if n % FLUSH_EVERY == 0:
            plan.flush()
        status = rng.choices(states, weights=weights)[0]
        if not late_done and status is LeadStatus.OFFERED:
            late = True
            late_done = True
        else:
            late = False
        austrian = status is LeadStatus.NEW and rng.random() < 0.6
        postal_code, city = rng.choice(PLACES_AT if austrian else PLACES)
        covering = [] if austrian else _covering(postal_code, org_id)
        if status in (LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONVERTED) and not covering:
            status = LeadStatus.NEW
        created = now - timedelta(hours=rng.randint(6, 24 * 45))
        if status is LeadStatus.OFFERED:
            created = now - (timedelta(hours=50) if late else timedelta(hours=rng.randint(1, 40)))
        ident = plan.next_id(Lead)
        company = f"{rng.choice(COMPANIES)} {rng.choice(OWNERS)}"
        contact = f"{rng.choice(FIRST)} {rng.choice(OWNERS)}"
        dealer = rng.choice(covering) if covering else None
        campaign = rng.choice([None, None, *campaign_ids])
        offers: list[tuple[int, OfferOutcome | None, str | None]] = []
        if status is LeadStatus.DECLINED:
            offers = [(d, OfferOutcome.DECLINED, rng.choice(DECLINES)) for d in covering] or []
            if not offers:
                status = LeadStatus.NEW
            dealer = None
        elif status in (LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONVERTED) and dealer is not None:
            outcome = None if status is LeadStatus.OFFERED else OfferOutcome.ACCEPTED
            offers = [(dealer, outcome, None)]
        elif status is LeadStatus.DISQUALIFIED:
            dealer = None
        else:  # NEW
            dealer = None
        offered_at = created + timedelta(minutes=1)
        customer_id = opportunity_id = None
        if status is LeadStatus.CONVERTED and dealer is not None and by_dealer.get(dealer):
            converted += 1
            if not won_done:  # the first conversion: a lead of the running campaign, won below
                campaign = campaigns.running
            customer_id = rng.choice(by_dealer[dealer])
            opportunity_id = plan.next_id(Opportunity)
            number = f"OP-{opportunities + converted:06d}"
            # the running campaign's first converted lead has become business: won (history)
            won = campaign == campaigns.running and not won_done
            won_done = won_done or won
            plan.add(
                Opportunity,
                {
                    "id": opportunity_id,
                    "number": number,
                    "name": f"{company}: Anfrage",
                    "customer_id": customer_id,
                    "dealer_id": dealer,
                    "owner_user_id": None,
                    "stage": OpportunityStage.WON if won else OpportunityStage.QUALIFICATION,
                    "amount": Decimal(rng.choice([2500, 4800, 9600, 14500])),
                    "currency": "EUR",
                    "probability": 100 if won else 10,
                    "expected_close": today + timedelta(days=rng.randint(20, 120)),
                    "lost_reason": None,
                    "note": f"LD-{n + 1:06d}",
                    "order_id": None,
                    "campaign_id": campaign,
                    "closed_at": created + timedelta(hours=60) if won else None,
                    "created_by_org_id": dealer,
                    "created_at": created + timedelta(hours=30),
                    "updated_at": created + timedelta(hours=30),
                    "version": 1,
                },
            )
        elif status is LeadStatus.CONVERTED:
            status = LeadStatus.ACCEPTED
        plan.add(
            Lead,
            {
                "id": ident,
                "number": f"LD-{n + 1:06d}",
                "company": company,
                "contact_name": contact,
                "email": f"{contact.split()[0].lower()}@{company.split()[1].lower()}.example",
                "phone": f"+49 69 {rng.randint(100000, 999999)}",
                "street": f"Hauptstraße {rng.randint(1, 120)}",
                "postal_code": postal_code,
                "city": city,
                "country_code": "AT" if austrian else "DE",
                "region": None,
                "source": rng.choice(SOURCES),
                "campaign_id": campaign,
                "notes": "",
                "status": status,
                "dealer_id": dealer,
                "offered_at": offered_at if dealer is not None else None,
                "answer_due_at": offered_at + ANSWER if status is LeadStatus.OFFERED else None,
                "accepted_at": offered_at + timedelta(hours=5)
                if status in (LeadStatus.ACCEPTED, LeadStatus.CONVERTED)
                else None,
                "disqualified_reason": rng.choice(DISQUALIFIED)
                if status is LeadStatus.DISQUALIFIED
                else None,
                "customer_id": customer_id,
                "opportunity_id": opportunity_id,
                "converted_at": created + timedelta(hours=30) if opportunity_id is not None else None,
                "created_by_user_id": None,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            },
        )
        for dealer_id, outcome, reason in offers:
            plan.add(
                LeadOffer,
                {
                    "lead_id": ident,
                    "dealer_id": dealer_id,
                    "offered_at": offered_at,
                    "answer_due_at": offered_at + ANSWER,
                    "by_hand": False,
                    "outcome": outcome,
                    "reason": reason,
                    "answered_at": offered_at + timedelta(hours=5) if outcome is not None else None,
                    "answered_by_user_id": None,
                },
            )
        event(plan, "lead.created", "lead", ident, owner, created, number=f"LD-{n + 1:06d}")
        if dealer is not None:
            event(
                plan,
                "lead.offered",
                "lead",
                ident,
                owner,
                offered_at,
                number=f"LD-{n + 1:06d}",
                dealer_id=dealer,
            )
    plan.add(Counter, {"name": "lead", "value": total})
    plan.add(Counter, {"name": "opportunity", "value": opportunities + converted})
