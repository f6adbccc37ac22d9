"""The demo's sales pipeline (issue #18.4): opportunities of the dealers and of the owner's own
sales, spread over the stages as a pipeline that is worked looks, with product lines.

A random generator of its own (not the world's), so the rest of the demo stays as it was before
the pipeline. Won opportunities of the demo are history: they have no order of their own (the
demo's orders are planned separately); one won in the portal makes its order.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from portal.models import Opportunity, OpportunityLine, OpportunityStage
from portal.models.opportunities import DEFAULT_PROBABILITY, OPEN_STAGES
from portal.seed.base import FLUSH_EVERY, Customers, Plan, Row, count, event

OPPORTUNITIES = 300  # per unit of scale
STAGE_WEIGHTS = {
    OpportunityStage.QUALIFICATION: 30,
    OpportunityStage.PROPOSAL: 24,
    OpportunityStage.NEGOTIATION: 14,
    OpportunityStage.WON: 20,
    OpportunityStage.LOST: 12,
}
DEALS = [
    "Heizungsmodernisierung",
    "Wärmepumpe Neubau",
    "Austausch Umwälzpumpen",
    "Sanierung Heizzentrale",
    "Wartungsvertrag drei Jahre",
    "Hydraulischer Abgleich",
    "Heizkörpertausch Bürotrakt",
]
DEALS_EN = ["Heating upgrade", "Heat pump for the new building", "Pump replacement", "Boiler room refit"]
LOSSES = ["Preis zu hoch", "Mitbewerber günstiger", "Projekt verschoben", "Keine Rückmeldung"]


def plan_opportunities(
    plan: Plan,
    org_id: dict[str, int],
    customers: Customers,
    products: list[Row],
    scale: float,
    today: date,
    now: datetime,
) -> int:
    """The pipeline; returns how many opportunities it has (the leads' conversions come after them
    and set the counter, `portal.seed.leads`)."""
    rng = random.Random(1804)
    owner = org_id["waermewerk"]
    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())
    total = count(OPPORTUNITIES, scale)
    for n in range(total):
        if n % FLUSH_EVERY == 0:
            plan.flush()
        customer = customers[rng.randrange(len(customers))]
        dealer = org_id[customer.dealer] if customer.dealer else None
        stage = rng.choices(stages, weights=weights)[0]
        is_open = stage in OPEN_STAGES
        closes = (
            today + timedelta(days=rng.randint(-10, 170))
            if is_open
            else today - timedelta(days=rng.randint(1, 120))
        )
        # open: opened in the last three months; closed: opened some weeks before it closed
        opened_days = rng.randint(5, 90) if is_open else (today - closes).days + rng.randint(20, 90)
        created = now - timedelta(days=opened_days)
        ident = plan.next_id(Opportunity)
        amount = Decimal(0)
        for line_no in range(1, rng.randint(1, 3) + 1):
            product = rng.choice(products)
            quantity = Decimal(rng.choice([1, 2, 4, 6, 10, 20]))
            amount += quantity * product["price"]
            plan.add(
                OpportunityLine,
                {
                    "opportunity_id": ident,
                    "line_no": line_no,
                    "product_id": product["id"],
                    "sku": product["sku"],
                    "description": product["name"],
                    "quantity": quantity,
                    "unit_price": product["price"],
                },
            )
        probability = DEFAULT_PROBABILITY[stage]
        if is_open:
            probability = max(5, min(95, probability + rng.choice([-10, -5, 0, 0, 5, 10])))
        plan.add(
            Opportunity,
            {
                "id": ident,
                "number": f"OP-{n + 1:06d}",
                "name": rng.choice(DEALS_EN if customer.english else DEALS),
                "customer_id": customer.id,
                "dealer_id": dealer,
                "owner_user_id": None,
                "stage": stage,
                "amount": amount,
                "currency": "EUR",
                "probability": probability,
                "expected_close": closes,
                "lost_reason": rng.choice(LOSSES) if stage is OpportunityStage.LOST else None,
                "note": "",
                "order_id": None,
                "campaign_id": None,
                "closed_at": None if is_open else now - timedelta(days=(today - closes).days),
                "created_by_org_id": dealer or owner,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            },
        )
        event(
            plan,
            "opportunity.created",
            "opportunity",
            ident,
            dealer or owner,
            created,
            number=f"OP-{n + 1:06d}",
        )
    return total
