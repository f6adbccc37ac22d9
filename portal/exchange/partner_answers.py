"""What the simulated supplier answers (`portal.exchange.simulator`): a decision per order line,
deterministic for a seed and the order number, and the order response, ship notice and invoice that
carry it. Pure: documents in, documents out."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

import edi.documents as doc

ANSWERS = ("ordrsp", "desadv", "invoic")
STEPS = ("ack", *ANSWERS)  # "ack": the CONTRL / 997 for each order file
CARRIERS = ("DHL", "DB Schenker", "DPD", "UPS", "Dachser")
VAT = Decimal(19)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the simulated supplier answers. ``delay`` is in seconds, between picking an order up and
    its order response, and again before the ship notice and before the invoice."""

    delay: float = 5.0
    seed: int = 0
    change_rate: float = 0.2
    reject_rate: float = 0.1
    steps: tuple[str, ...] = STEPS


@dataclass(frozen=True, slots=True)
class Answer:
    """What the simulated supplier decided for one line."""

    line: doc.OrderLine
    status: doc.LineStatus
    quantity: Decimal
    promised: date | None


def decide(po: doc.PurchaseOrder, behaviour: Behaviour, today: date) -> list[Answer]:
    """Each line's answer: deterministic for the seed and the order number (not for the clock)."""
    rng = random.Random(f"{behaviour.seed}:{po.number}")  # noqa: S311 (deterministic on purpose)
    start = max(today, po.issue_date)
    answers = []
    for line in po.lines:
        draw = rng.random()
        lead = rng.randint(2, 10)
        promised = start + timedelta(days=lead)
        if draw < behaviour.reject_rate:
            answers.append(Answer(line, doc.LineStatus.REJECTED, Decimal(0), None))
        elif draw < behaviour.reject_rate + behaviour.change_rate:
            quantity = line.quantity
            if quantity > 1 and rng.random() < 0.6:  # fewer in stock: confirm part of it
                share = Decimal(rng.randint(40, 90)) / 100
                step = Decimal(1) if line.unit == "C62" else CENT
                quantity = max(step, (quantity * share / step).to_integral_value(ROUND_FLOOR) * step)
            else:  # all of it, but later
                promised += timedelta(days=rng.randint(7, 21))
            answers.append(Answer(line, doc.LineStatus.CHANGED, quantity, promised))
        else:
            answers.append(Answer(line, doc.LineStatus.ACCEPTED, line.quantity, promised))
    if answers and behaviour.reject_rate < 1 and all(a.quantity == 0 for a in answers):
        # A supplier seldom refuses a whole order: unless told to refuse everything, it ships line 1.
        first = answers[0]
        promised = start + timedelta(days=5)
        answers[0] = Answer(first.line, doc.LineStatus.ACCEPTED, first.line.quantity, promised)
    return answers


def order_response(po: doc.PurchaseOrder, answers: list[Answer], today: date) -> doc.OrderResponse:
    statuses = {a.status for a in answers}
    if statuses == {doc.LineStatus.ACCEPTED}:
        overall = doc.ResponseStatus.ACCEPTED
    elif statuses == {doc.LineStatus.REJECTED}:
        overall = doc.ResponseStatus.REJECTED
    else:
        overall = doc.ResponseStatus.CHANGED
    return doc.OrderResponse(
        number=f"AB-{po.number}",
        order_number=po.number,
        issue_date=today,
        status=overall,
        buyer=po.buyer,
        seller=po.seller,
        currency=po.currency,
        lines=tuple(
            doc.OrderResponseLine(
                line_id=a.line.line_id,
                status=a.status,
                quantity=a.quantity,
                unit=a.line.unit,
                gtin=a.line.gtin,
                supplier_article=a.line.supplier_article,
                buyer_article=a.line.buyer_article,
                promised_date=a.promised,
            )
            for a in answers
        ),
    )


def _sscc(company: str, serial: int) -> str:
    digits = f"3{company[:7].rjust(7, '0')}{serial % 10**9:09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def despatch_advice(
    po: doc.PurchaseOrder, answers: list[Answer], today: date, rng: random.Random
) -> doc.DespatchAdvice:
    shipped = [a for a in answers if a.quantity > 0]
    company = "".join(ch for ch in (po.seller.gln or "4000001") if ch.isdigit()) or "4000001"
    lines = tuple(
        doc.DespatchLine(
            line_id=a.line.line_id,  # X12 carries one line number: the order's
            order_line_id=a.line.line_id,
            quantity=a.quantity,
            unit=a.line.unit,
            gtin=a.line.gtin,
            supplier_article=a.line.supplier_article,
            buyer_article=a.line.buyer_article,
            description=a.line.description,
            batch_number=f"CH{rng.randint(10000, 99999)}",
        )
        for a in shipped
    )
    return doc.DespatchAdvice(
        number=f"LS-{po.number}",
        order_number=po.number,
        issue_date=today,
        buyer=po.buyer,
        seller=po.seller,
        ship_to=po.delivery_party,
        packages=(doc.Package(lines=lines, sscc=_sscc(company, rng.randint(1, 10**9 - 1))),),
        despatch_date=today,
        expected_delivery_date=today + timedelta(days=2),
        carrier=rng.choice(CARRIERS),
        tracking_number=f"{rng.randint(10**11, 10**12 - 1)}",
    )


# The simulated supplier's master data: what an EN 16931 invoice needs and an order does not carry
# (its own address and VAT id, the buyer's invoice address).
SUPPLIER_ADDRESS = doc.Address(
    street="Industriestraße 7", city="Stuttgart", postal_code="70565", country_code="DE"
)
BUYER_ADDRESS = doc.Address(street="Hauptstraße 1", city="Köln", postal_code="50667", country_code="DE")


def _invoicing(party: doc.Party, address: doc.Address, vat_id: str | None = None) -> doc.Party:
    return replace(party, address=party.address or address, vat_id=party.vat_id or vat_id)


def invoice(po: doc.PurchaseOrder, answers: list[Answer], today: date) -> doc.Invoice:
    lines = []
    net = Decimal(0)
    for a in answers:
        if a.quantity <= 0:
            continue
        price = a.line.unit_price if a.line.unit_price is not None else Decimal(0)
        amount = (a.quantity * price).quantize(CENT)
        net += amount
        lines.append(
            doc.InvoiceLine(
                line_id=a.line.line_id,
                order_line_id=a.line.line_id,
                quantity=a.quantity,
                net_price=price,
                net_amount=amount,
                unit=a.line.unit,
                gtin=a.line.gtin,
                supplier_article=a.line.supplier_article,
                buyer_article=a.line.buyer_article,
                description=a.line.description,
                vat_rate=VAT,
            )
        )
    tax = (net * VAT / 100).quantize(CENT)
    return doc.Invoice(
        number=f"RE-{po.number}",
        issue_date=today,
        currency=po.currency or "EUR",
        seller=_invoicing(
            po.seller,
            SUPPLIER_ADDRESS,
            f"DE{zlib.crc32((po.seller.name or po.seller.gln or '').encode()) % 10**9:09d}",
        ),
        buyer=_invoicing(po.buyer, BUYER_ADDRESS),
        lines=tuple(lines),
        tax_subtotals=(doc.TaxSubtotal(category="S", rate=VAT, taxable_amount=net, tax_amount=tax),),
        totals=doc.MonetaryTotals(
            line_total=net, tax_exclusive=net, tax_total=tax, tax_inclusive=net + tax, payable=net + tax
        ),
        order_number=po.number,
        despatch_number=f"LS-{po.number}",
        delivery_date=today,
        ship_to=po.delivery_party,
        payment_terms=doc.PaymentTerms(description="30 Tage netto", due_date=today + timedelta(days=30)),
    )
