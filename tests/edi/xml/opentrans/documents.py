"""Small canonical documents the openTRANS tests encode, mutate and decode."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi.documents import (
    Address,
    ChangeAction,
    Contact,
    DespatchAdvice,
    DespatchLine,
    Invoice,
    InvoiceLine,
    LineStatus,
    MonetaryTotals,
    OrderChange,
    OrderChangeLine,
    OrderLine,
    OrderResponse,
    OrderResponseLine,
    Package,
    Party,
    PaymentTerms,
    PurchaseOrder,
    ResponseStatus,
    TaxSubtotal,
)

BUYER = Party(
    name="Müller & Söhne <GmbH>",
    gln="4012345000009",
    vat_id="DE123456789",
    address=Address(street="Hauptstraße 1", city="Köln", postal_code="50667", country_code="DE"),
    contact=Contact(name='Anna "Einkauf" Schmidt', phone="+49 221 1", email="einkauf@example.de"),
)
SELLER = Party(name="Lieferant AG", party_id="L-77", address=Address(city="Wien", country_code="AT"))

ORDER = PurchaseOrder(
    number="PO-1",
    issue_date=date(2026, 3, 1),
    buyer=BUYER,
    seller=SELLER,
    currency="EUR",
    lines=(
        OrderLine(
            line_id="1",
            quantity=Decimal("2"),
            gtin="4006381333931",
            supplier_article="A-1",
            unit_price=Decimal("9.99"),
        ),
        OrderLine(line_id="2", quantity=Decimal("1.5"), unit="KGM", description="Schrauben <M6>"),
    ),
    requested_delivery_date=date(2026, 3, 10),
    note="bitte & danke",
)

CHANGE = OrderChange(
    number="PO-1-2",
    order_number="PO-1",
    issue_date=date(2026, 3, 3),
    buyer=BUYER,
    seller=SELLER,
    sequence="2",
    order_date=date(2026, 3, 1),
    currency="EUR",
    lines=(
        OrderChangeLine(
            "1",
            ChangeAction.CHANGED,
            Decimal(3),
            supplier_article="A-1",
            unit_price=Decimal("9.99"),
            requested_date=date(2026, 3, 20),
        ),
        OrderChangeLine("2", ChangeAction.CANCELLED, Decimal("1.5"), unit="KGM"),
        OrderChangeLine("3", ChangeAction.ADDED, Decimal(4), gtin="4006381333931", description="Dübel"),
    ),
    note="3 statt 2 & Schrauben storniert",
)

RESPONSE = OrderResponse(
    number="SO-9",
    order_number="PO-1",
    issue_date=date(2026, 3, 2),
    status=ResponseStatus.CHANGED,
    buyer=BUYER,
    seller=SELLER,
    lines=(
        OrderResponseLine(
            line_id="1", status=LineStatus.CHANGED, quantity=Decimal("1"), promised_date=date(2026, 3, 12)
        ),
        OrderResponseLine(line_id="2", status=LineStatus.REJECTED, quantity=Decimal("0"), unit="KGM"),
    ),
)

DESPATCH = DespatchAdvice(
    number="DN-5",
    order_number="PO-1",
    issue_date=date(2026, 3, 11),
    buyer=BUYER,
    seller=SELLER,
    packages=(
        Package(
            sscc="340123450000000017",
            package_type="Karton",
            lines=(
                DespatchLine(line_id="1", quantity=Decimal("1"), order_line_id="1", batch_number="LOT-7"),
            ),
        ),
    ),
    carrier="Spedition & Co",
    tracking_number="TRK1",
)

INVOICE = Invoice(
    number="INV-3",
    issue_date=date(2026, 3, 15),
    currency="EUR",
    seller=SELLER,
    buyer=BUYER,
    lines=(
        InvoiceLine(
            line_id="1",
            quantity=Decimal("1"),
            net_price=Decimal("100.00"),
            net_amount=Decimal("100.00"),
            order_line_id="1",
            vat_rate=Decimal("19"),
        ),
    ),
    tax_subtotals=(
        TaxSubtotal(
            category="S", rate=Decimal("19"), taxable_amount=Decimal("100.00"), tax_amount=Decimal("19.00")
        ),
    ),
    totals=MonetaryTotals(
        line_total=Decimal("100.00"),
        tax_exclusive=Decimal("100.00"),
        tax_total=Decimal("19.00"),
        tax_inclusive=Decimal("119.00"),
        payable=Decimal("119.00"),
    ),
    order_number="PO-1",
    payment_terms=PaymentTerms(
        description="14 Tage netto",
        due_date=date(2026, 3, 29),
        iban="DE02120300000000202051",
        payment_means_code="58",
    ),
)
