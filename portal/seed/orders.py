"""The demo's orders: the recent weeks, numbered as they came in, the older the further along."""

from __future__ import annotations

import random
from array import array
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from types import SimpleNamespace

from portal.models import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineResponse,
    MatchStatus,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from portal.models.orders import (
    LineFigures,
    awaits_confirmation,
    awaits_review,
    derive_status,
    earliest_open_due,
    order_total,
)
from portal.seed.base import (
    CENT,
    FLUSH_EVERY,
    ORDERS,
    SUPPLIERS,
    Customers,
    DemoCustomer,
    Plan,
    Row,
    count,
    event,
    local_time,
    past_working_time,
    weekday,
    working_time,
)
from portal.seed.changes import plan_buyer_change, plan_goods_receipt, wants_change, wants_receipt
from portal.seed.invoicing import plan_invoice_workflow

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
_MIX = [(bound, n, age) for n, (bound, _state, age) in enumerate(ORDER_MIX)]  # states by index


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


def plan_orders(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    customers: Customers,
    products: list[Row],
    scale: float,
    today: date,
    now: datetime,
) -> None:
    # First when each order came in; then the orders in that order (numbers and ids grow with time).
    # What came in is kept in arrays (13 bytes an order with the sorted index, not a tuple of
    # objects), the moments as indexes into the few thousand distinct ones.
    moments: dict[datetime, int] = {}
    came_at, states, picks = array("i"), array("B"), array("i")
    everyone = range(len(customers))  # draws as rng.choice(customers) does
    for _ in range(count(ORDERS, scale)):
        pick = rng.choice(everyone)
        draw = rng.random()
        state, (young, old) = next((index, age) for bound, index, age in _MIX if draw < bound)
        created = past_working_time(rng, today - timedelta(days=rng.randint(young, old)), now)
        came_at.append(moments.setdefault(created, len(moments)))
        states.append(state)
        picks.append(pick)
    numbers = {"shipment": 0, "invoice": 0}
    timeline = list(moments)
    for n, i in enumerate(_by_moment(came_at, timeline)):
        if n % FLUSH_EVERY == 0:
            plan.flush()
        buyer = (customers[picks[i]], customers.delivery(picks[i]))
        when, target = timeline[came_at[i]], ORDER_MIX[states[i]][1]
        _order(plan, rng, org_id, buyer, products, n, when, target, (today, now), numbers)


def _by_moment(came_at: array[int], timeline: list[datetime]) -> array[int]:
    """The orders' indexes sorted by the moment they came in, stable (a counting sort: the moments
    are few, the orders many)."""
    rank = [0] * len(timeline)
    for position, moment in enumerate(sorted(range(len(timeline)), key=timeline.__getitem__)):
        rank[moment] = position
    starts = [0] * (len(timeline) + 1)
    for moment in came_at:
        starts[rank[moment] + 1] += 1
    for position in range(len(timeline)):
        starts[position + 1] += starts[position]
    ordered = array("i", bytes(4 * len(came_at)))
    for i, moment in enumerate(came_at):
        ordered[starts[rank[moment]]] = i
        starts[rank[moment]] += 1
    return ordered


def _order(
    plan: Plan,
    rng: random.Random,
    org_id: dict[str, int],
    buyer: tuple[DemoCustomer, Row],
    products: list[Row],
    n: int,
    created: datetime,
    state: str,
    when: tuple[date, datetime],
    numbers: dict[str, int],
) -> None:
    today, now = when
    owner = org_id["waermewerk"]
    customer, delivery = buyer  # who, and the delivery party copied from it
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
        "requested_date": weekday(created.date() + timedelta(days=rng.randint(5, 21))),
        "customer_reference": f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None,
        "delivery_name": delivery["name"],
        "delivery_street": delivery["street"],
        "delivery_postal_code": delivery["postal_code"],
        "delivery_city": delivery["city"],
        "delivery_country": delivery["country_code"],
        "delivery_gln": delivery["gln"],
        "delivery_contact_name": None,
        "delivery_contact_phone": delivery["phone"],
        "delivery_contact_email": delivery["email"],
        "note": None,
        "routed_at": routed_at if supplier else None,
        "cancelled_at": created + timedelta(days=1) if state == "cancelled" else None,
        "created_at": created,
        "updated_at": created,
        "version": 1,
    }
    order_id = plan.add(Order, order_row)
    event(plan, "order.created", "order", order_id, sold_by or owner, created)
    if supplier:
        event(
            plan,
            "order.routed",
            "order",
            order_id,
            owner,
            routed_at,
            supplier_id=supplier,
            number=order_row["number"],
        )
    lines = []
    first_line = plan.next_id(OrderLine)  # the lines are added last, after their shipment and invoice
    for line_no, product in enumerate(rng.sample(products, rng.randint(1, 4)), start=1):
        line = {
            "id": first_line + line_no - 1,
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
            "quantity_received": Decimal(0),
            "response": LineResponse.PENDING,
            "confirmed_price": None,
            "requested_date": None,
            "promised_date": None,
            "cancelled": False,
            "proposed_response": None,
            "proposed_quantity": None,
            "proposed_price": None,
            "proposed_date": None,
            "proposed_reason": None,
            "proposed_at": None,
            "schedule": None,
        }
        lines.append(line)
    answered = {"partial": 1, "draft": 0, "awaiting": 0, "cancelled": 0}.get(state, len(lines))
    confirmed_at = min(now, max(routed_at, working_time(rng, created.date() + timedelta(days=1))))
    for line in lines[:answered]:
        if state == "rejected":
            line["response"], line["quantity_confirmed"] = LineResponse.REJECTED, Decimal(0)
            continue
        changed = rng.random() < 0.15 and line["quantity_ordered"] > 1
        line["response"] = LineResponse.CHANGED if changed else LineResponse.ACCEPTED
        line["quantity_confirmed"] = (line["quantity_ordered"] - 1) if changed else line["quantity_ordered"]
        line["promised_date"] = weekday(created.date() + timedelta(days=rng.randint(3, 21)))
    if state == "awaiting" and order_id % REVIEW_EVERY == 0:
        _propose_change(plan, order_row, order_id, lines[0], supplier or owner, confirmed_at)
    if answered:
        event(
            plan,
            "order.confirmed",
            "order",
            order_id,
            supplier or owner,
            confirmed_at,
            status="rejected" if state == "rejected" else "confirmed",
        )
    if state == "confirmed" and supplier and wants_change(numbers, created, now):
        plan_buyer_change(plan, numbers, order_row, order_id, lines, confirmed_at, now)
    if state in ("part_shipped", "shipped", "invoiced"):
        numbers["shipment"] += 1
        shipped_on = min(today, weekday(created.date() + timedelta(days=rng.randint(2, 8))))
        shipped_at = min(now, local_time(shipped_on, rng.randint(13, 17), rng.choice((0, 15, 30, 45))))
        shipment_id = plan.add(
            Shipment,
            {
                "order_id": order_id,
                "supplier_id": supplier,
                "number": f"DN-{numbers['shipment']:07d}",
                "shipped_on": shipped_on,
                "expected_delivery": weekday(shipped_on + timedelta(days=2)),
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
                    "order_line_id": line["id"],
                    "quantity": line["quantity_confirmed"],
                    "batch_number": f"L{rng.randint(1000, 9999)}",
                    "sscc": None,
                },
            )
        event(plan, "shipment.created", "shipment", shipment_id, supplier or owner, shipped_at)
        if state == "shipped" and supplier and wants_receipt(numbers, created, now):
            shipment = (shipment_id, shipped_on, shipped_at)
            plan_goods_receipt(plan, numbers, order_row, order_id, lines, shipment, today, now)
    if state == "invoiced":
        numbers["invoice"] += 1
        issued = min(today, weekday(created.date() + timedelta(days=rng.randint(8, 14))))
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
                    "order_line_id": line["id"],
                    "quantity": qty,
                    "unit_price": line["unit_price"],
                    "net_amount": amount,
                    "tax_rate": Decimal(19),
                    "excess_quantity": Decimal(1) if over and line is lines[0] else Decimal(0),
                }
            )
        invoice_row: Row = {
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
            "status": InvoiceStatus.RECEIVED,
            "amount_credited": Decimal(0),
            "amount_paid": Decimal(0),
            "amount_owed": net + tax,
            "version": 1,
            "payment_scheduled_on": None,
            "reviewed_at": None,
            "updated_at": None,
        }
        invoice_id = plan.add(Invoice, invoice_row)
        for row in invoice_lines:
            row["invoice_id"] = invoice_id
            plan.add(InvoiceLine, row)
        event(plan, "invoice.submitted", "invoice", invoice_id, supplier or owner, issued_at)
        if supplier:  # the row is still in the plan (no flush within an order): moved along here
            plan_invoice_workflow(plan, invoice_id, invoice_row, owner, issued_at, today, now)
    for line in lines:
        plan.add(OrderLine, line)
    _summarize(order_row, lines)


REVIEW_EVERY = 16  # of the orders awaiting an answer, every 16th has a supplier's change to review


def _propose_change(plan: Plan, order: Row, order_id: int, line: Row, supplier: int, at: datetime) -> None:
    """The supplier answered the first line with a change the buyer has not reviewed yet: a week
    later, and one less where more than one was ordered (the demo's review inbox, issue #17). No
    draw of the world's random generator: the rest of the demo stays as it was."""
    later = weekday(order["requested_date"] + timedelta(days=7))
    fewer = line["quantity_ordered"] > 1
    line["proposed_response"] = LineResponse.CHANGED
    line["proposed_quantity"] = line["quantity_ordered"] - 1 if fewer else line["quantity_ordered"]
    line["proposed_date"] = later
    line["proposed_at"] = at
    proposal = {"line_no": line["line_no"], "action": "change", "review": True}
    proposal |= {"quantity": str(line["proposed_quantity"]), "promised_date": later.isoformat()}
    event(plan, "order.confirmed", "order", order_id, supplier, at, status="pending", lines=[proposal])


def _summarize(order: Row, lines: list[Row]) -> None:
    """The stored facts (status, net total, earliest open due day, awaiting confirmation), by the
    model's own rules (what the flush hook keeps)."""
    figures = [LineFigures(*_LINE_VALUES(line)) for line in lines]
    facts = SimpleNamespace(**order)
    order["current_status"] = derive_status(facts, figures)
    order["net_total"] = order_total(figures)
    order["earliest_open_due"] = earliest_open_due(facts, figures)
    order["awaiting_confirmation"] = awaits_confirmation(facts, figures)
    order["awaiting_review"] = awaits_review(facts, figures)


LINE_FIGURES = tuple(LineFigures.__dataclass_fields__)
_LINE_VALUES = itemgetter(*LINE_FIGURES)
