"""The demo's campaigns (issue #18.5): three segments of the customer master by postal code, and
three campaigns targeting them: one running (its leads, one of them won), one ended (its leads), one
planned (none yet). A campaign's members are the customers its segment's filter holds, written as the
customers stream past (the same rule as ``portal.customers.queries``: the postal code starts with one
of the prefixes, in the country)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from portal.models import Campaign, CampaignMember, Segment
from portal.seed.base import FLUSH_EVERY, Customers, Plan, event

# (segment name, postal-code prefixes), (campaign name, channel, budget, first day, last day from today)
CAMPAIGNS = [
    (
        ("Rhein-Main (PLZ 60–65)", ("60", "61", "63", "64", "65")),
        ("Frühjahrsaktion Wärmepumpe 2026", "email", Decimal("12000"), -40, 20),
        "Mailing an Bestandskunden im Rhein-Main-Gebiet: Austausch alter Heizungen gegen Wärmepumpen.",
    ),
    (
        ("Nordrhein-Westfalen (PLZ 4, 5)", ("4", "5")),
        ("SHK-Messe Essen 2026", "trade_fair", Decimal("25000"), -120, -117),
        "Messestand auf der SHK Essen; Besucher als Leads an die Fachpartner.",
    ),
    (
        ("Süddeutschland (PLZ 7, 8, 9)", ("7", "8", "9")),
        ("Herbstmailing Hausverwaltungen", "print", Decimal("8000"), 30, 75),
        "Gedrucktes Mailing an Hausverwaltungen: Wartungsverträge für Heizungsanlagen.",
    ),
]


@dataclass(frozen=True, slots=True)
class DemoCampaigns:
    running: int
    ended: int
    planned: int


def plan_campaigns(
    plan: Plan, org_id: dict[str, int], customers: Customers, today: date, now: datetime
) -> DemoCampaigns:
    owner = org_id["waermewerk"]
    ids: list[int] = []
    prefixes: list[tuple[int, tuple[str, ...]]] = []
    for n, ((segment_name, postal), (name, channel, budget, first, last), text) in enumerate(CAMPAIGNS):
        saved = {"country_code": "DE", "postal_prefixes": list(postal)}
        created = now - timedelta(days=60 - n)
        segment = plan.add(
            Segment,
            {"name": segment_name, "filter": saved, "created_by_user_id": None, "created_at": created},
        )
        campaign = plan.add(
            Campaign,
            {
                "name": name,
                "starts_on": today + timedelta(days=first),
                "ends_on": today + timedelta(days=last),
                "channel": channel,
                "budget": budget,
                "description": text,
                "segment_id": segment,
                "segment_name": segment_name,
                "segment_filter": saved,
                "members_counted_at": now,
                "created_by": None,
                "created_at": created,
                "updated_at": None,
                "version": 1,
            },
        )
        event(plan, "campaign.created", "campaign", campaign, owner, created, name=name, segment_id=segment)
        ids.append(campaign)
        prefixes.append((campaign, postal))
    for index in range(len(customers)):
        if index % FLUSH_EVERY == 0:
            plan.flush()
        party = customers.delivery(index)
        code = party["postal_code"] or ""
        if party["country_code"] != "DE" or not code:
            continue
        for campaign, postal in prefixes:
            if code.startswith(postal):
                plan.add(CampaignMember, {"campaign_id": campaign, "customer_id": customers[index].id})
    return DemoCampaigns(running=ids[0], ended=ids[1], planned=ids[2])
