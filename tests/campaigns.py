"""A small campaign world on top of the scene (tests/builders.py): customers in three regions, some
shared with dealers, a segment, a campaign targeting it, and leads and opportunities of dealers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from portal.campaigns import service as campaigns
from portal.customers import service as customers
from portal.customers.queries import CustomerQuery
from portal.models import Lead, LeadStatus, Opportunity, OpportunityStage
from tests.builders import Scene

# (name, postal code, shared with)
CUSTOMERS = [
    ("Frankfurter Bäder GmbH", "60311", ("dealer-group",)),
    ("Offenbacher Wärme KG", "63065", ("dealer-other",)),
    ("Hamburger Kälte AG", "20095", ("dealer-other",)),
    ("Mainzer Haustechnik", "55116", ()),
]


@dataclass
class CampaignWorld:
    scene: Scene
    customers: dict[str, int] = field(default_factory=dict)
    segment_id: int = 0
    campaign_id: int = 0
    leads: dict[str, int] = field(default_factory=dict)


def build_campaign_world(scene: Scene, *, budget: Decimal = Decimal("12000")) -> CampaignWorld:
    """Segment "Rhein-Main" (postal codes 60 to 65): two customers, one shared with dealer-group, one
    with dealer-other. Campaign "Frühjahr" targets it and gave dealer-group two leads (one converted
    into a won opportunity of 4,000 EUR) and dealer-other one lead (converted, won, 6,000 EUR)."""
    world = CampaignWorld(scene)
    owner = scene.p("owner", "sales")
    with scene.uow() as uow:
        for name, postal, shared in CUSTOMERS:
            customer = customers.create_customer(
                uow=uow, principal=owner, name=name, postal_code=postal, city="X", allow_duplicates=True
            )
            for slug in shared:
                customers.share_customer(
                    uow=uow, principal=owner, customer_id=customer.id, organization_id=scene.orgs[slug].id
                )
            world.customers[name] = customer.id
    with scene.uow() as uow:
        segment = campaigns.save_segment(
            uow=uow,
            principal=owner,
            name="Rhein-Main",
            query=CustomerQuery(postal_prefixes=("60", "61", "63", "65")),
        )
        world.segment_id = segment.id
        today = date.today()
        campaign = campaigns.create_campaign(
            uow=uow,
            principal=owner,
            values=campaigns.CampaignFields(
                name="Frühjahr",
                starts_on=today - timedelta(days=10),
                ends_on=today + timedelta(days=20),
                channel="email",
                budget=budget,
                description="Wärmepumpen",
                segment_id=segment.id,
            ),
        )
        world.campaign_id = campaign.id
    _lead(world, "group-open", "dealer-group", LeadStatus.ACCEPTED, None)
    _lead(world, "group-won", "dealer-group", LeadStatus.CONVERTED, Decimal("4000"))
    _lead(world, "other-won", "dealer-other", LeadStatus.CONVERTED, Decimal("6000"))
    return world


def _lead(world: CampaignWorld, key: str, dealer: str, status: LeadStatus, won: Decimal | None) -> None:
    scene = world.scene
    dealer_id = scene.orgs[dealer].id
    with scene.uow() as uow:
        opportunity_id = None
        customer_id = None
        if won is not None:
            customer_id = world.customers[
                "Frankfurter Bäder GmbH" if dealer == "dealer-group" else "Offenbacher Wärme KG"
            ]
            opportunity = Opportunity(
                number=f"OP-{key}",
                name=f"Deal {key}",
                customer_id=customer_id,
                dealer_id=dealer_id,
                stage=OpportunityStage.WON,
                amount=won,
                currency="EUR",
                probability=100,
                expected_close=date.today(),
                campaign_id=world.campaign_id,
                created_by_org_id=dealer_id,
            )
            uow.session.add(opportunity)
            uow.flush()
            opportunity_id = opportunity.id
        lead = Lead(
            number=f"LD-{key}",
            company=f"Firma {key}",
            campaign_id=world.campaign_id,
            status=status,
            dealer_id=dealer_id,
            customer_id=customer_id,
            opportunity_id=opportunity_id,
        )
        uow.session.add(lead)
        uow.flush()
        world.leads[key] = lead.id
