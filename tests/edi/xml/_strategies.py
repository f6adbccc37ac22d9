"""Hypothesis strategies for business documents the XML codecs must carry unchanged.

Texts are trimmed, non-empty and free of control characters (XML 1.0 cannot hold most of them and
readers trim surrounding whitespace); they include markup characters and non-ASCII on purpose.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from edi.documents import (
    Address,
    AllowanceCharge,
    Contact,
    DespatchAdvice,
    DespatchLine,
    Invoice,
    InvoiceLine,
    LineStatus,
    MonetaryTotals,
    OrderLine,
    OrderResponse,
    OrderResponseLine,
    OtherParty,
    Package,
    Party,
    PaymentTerms,
    PurchaseOrder,
    ResponseStatus,
    TaxSubtotal,
)

_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Zl", "Zp"))
text = (
    st.one_of(
        st.text(_ALPHABET, min_size=1, max_size=16),
        st.sampled_from(["A & B <GmbH>", 'O\'Brien "quoted"', "Müller Straße 5", "東京 株式会社", "x]]>y"]),
    )
    .map(str.strip)
    .filter(bool)
)
opt_text = st.none() | text
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
amounts = st.decimals(min_value=Decimal("-99999"), max_value=Decimal("999999"), places=2)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3)
digits = st.text("0123456789", min_size=13, max_size=13)
units = st.sampled_from(["C62", "KGM", "MTR", "H87", "LTR"])
countries = st.sampled_from(["DE", "FR", "NL", "AT", "SE"])


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    address = Address(
        street=draw(opt_text),
        city=draw(opt_text),
        postal_code=draw(opt_text),
        country_code=draw(st.none() | countries),
        additional=draw(opt_text),
        region=draw(opt_text),
    )
    return address if address != Address() else Address(city=draw(text))


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    contact = Contact(name=draw(opt_text), phone=draw(opt_text), email=draw(opt_text))
    return contact if contact != Contact() else Contact(name=draw(text))


@st.composite
def parties(draw: st.DrawFn, *, vat: bool = True, full: bool = True) -> Party:
    if not full:  # what a delivery location carries in UBL invoices
        return Party(name=draw(text), party_id=draw(opt_text), address=draw(st.none() | addresses()))
    return Party(
        name=draw(text),
        gln=draw(st.none() | digits),
        party_id=draw(opt_text),
        vat_id=draw(st.none() | digits.map(lambda d: "DE" + d[:9])) if vat else None,
        address=draw(st.none() | addresses()),
        contact=draw(st.none() | contacts()),
    )


percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
vat_categories = st.sampled_from(["S", "Z", "E", "AE"])


@st.composite
def allowances(draw: st.DrawFn, *, vat: bool) -> AllowanceCharge:
    """An allowance or charge; with ``vat`` a document-level one, which has its VAT category."""
    return AllowanceCharge(
        charge=draw(st.booleans()),
        amount=draw(amounts),
        base_amount=draw(st.none() | amounts),
        percentage=draw(st.none() | percents),
        reason_code=draw(st.none() | st.sampled_from(["95", "100", "FC", "ABL"])),
        reason=draw(opt_text),
        vat_category=draw(vat_categories) if vat else None,
        vat_rate=draw(st.none() | st.sampled_from([Decimal("19"), Decimal("0")])) if vat else None,
    )


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    lines = draw(
        st.lists(
            st.builds(
                InvoiceLine,
                line_id=text,
                quantity=quantities,
                net_price=amounts,
                net_amount=amounts,
                unit=units,
                order_line_id=opt_text,
                gtin=st.none() | digits,
                supplier_article=opt_text,
                buyer_article=opt_text,
                description=text,
                vat_category=st.sampled_from(["S", "Z", "E", "AE"]),
                vat_rate=st.none()
                | st.sampled_from([Decimal("19"), Decimal("7"), Decimal("0"), Decimal("5.5")]),
                allowances_charges=st.lists(allowances(vat=False), max_size=2).map(tuple),
            ),
            min_size=1,
            max_size=4,
        )
    )
    subtotals = draw(
        st.lists(
            st.builds(
                TaxSubtotal,
                category=st.sampled_from(["S", "Z", "E"]),
                rate=st.none() | st.sampled_from([Decimal("19"), Decimal("0")]),
                taxable_amount=amounts,
                tax_amount=amounts,
                exemption_reason=opt_text,
            ),
            max_size=3,
        )
    )
    totals = draw(
        st.builds(
            MonetaryTotals,
            line_total=amounts,
            tax_exclusive=amounts,
            tax_total=amounts,
            tax_inclusive=amounts,
            payable=amounts,
            allowance_total=st.none() | amounts,
            charge_total=st.none() | amounts,
            prepaid=st.none() | amounts,
        )
    )
    iban = draw(st.none() | st.just("DE02120300000000202051"))
    due = draw(st.none() | dates)
    # A UBL credit note states its due date in PaymentMeans, whose code is mandatory.
    code = (
        draw(st.sampled_from(["58", "30", "1"])) if iban else "10" if due else draw(st.none() | st.just("10"))
    )
    terms = PaymentTerms(
        description=draw(opt_text),
        due_date=due,
        iban=iban,
        bic=draw(st.none() | st.just("BYLADEM1001")) if iban else None,
        payment_means_code=code,
    )
    return Invoice(
        number=draw(text),
        issue_date=draw(dates),
        currency=draw(st.sampled_from(["EUR", "SEK", "USD"])),
        seller=draw(parties()),
        buyer=draw(parties()),
        lines=tuple(lines),
        tax_subtotals=tuple(subtotals),
        totals=totals,
        type_code=draw(st.sampled_from(["380", "381", "384"])),
        order_number=draw(opt_text),
        despatch_number=draw(opt_text),
        buyer_reference=draw(opt_text),
        delivery_date=draw(st.none() | dates),
        payee=draw(st.none() | parties(vat=False)),
        ship_to=draw(st.none() | parties(full=False)),
        payment_terms=None if terms == PaymentTerms() else terms,
        note=draw(opt_text),
        allowances_charges=tuple(draw(st.lists(allowances(vat=True), max_size=3))),
        # the one further party UBL and CII both carry (EN 16931 BG-11)
        other_parties=draw(st.just(()) | parties().map(lambda p: (OtherParty("tax_representative", p),))),
    )


@st.composite
def purchase_orders(draw: st.DrawFn) -> PurchaseOrder:
    currency = draw(st.none() | st.sampled_from(["EUR", "CHF"]))
    lines = draw(
        st.lists(
            st.builds(
                OrderLine,
                line_id=text,
                quantity=quantities,
                unit=units,
                gtin=st.none() | digits,
                supplier_article=opt_text,
                buyer_article=opt_text,
                description=opt_text,
                unit_price=st.none() | amounts if currency else st.none(),
                requested_date=st.none() | dates,
            ),
            min_size=1,
            max_size=4,
        )
    )
    return PurchaseOrder(
        number=draw(text),
        issue_date=draw(dates),
        buyer=draw(parties()),
        seller=draw(parties()),
        lines=tuple(lines),
        currency=currency,
        delivery_party=draw(st.none() | parties()),
        invoicee=draw(st.none() | parties()),
        requested_delivery_date=draw(st.none() | dates),
        note=draw(opt_text),
    )


@st.composite
def order_responses(draw: st.DrawFn) -> OrderResponse:
    currency = draw(st.none() | st.just("EUR"))

    @st.composite
    def line(d: st.DrawFn) -> OrderResponseLine:
        quantity = d(st.none() | quantities)
        return OrderResponseLine(
            line_id=d(text),
            status=d(st.sampled_from(LineStatus)),
            quantity=quantity,
            unit=d(units) if quantity is not None else "C62",
            gtin=d(st.none() | digits),
            supplier_article=d(opt_text),
            buyer_article=d(opt_text),
            unit_price=d(st.none() | amounts) if currency else None,
            promised_date=d(st.none() | dates),
        )

    return OrderResponse(
        number=draw(text),
        order_number=draw(text),
        issue_date=draw(dates),
        status=draw(st.sampled_from(ResponseStatus)),
        buyer=draw(parties()),
        seller=draw(parties()),
        lines=tuple(draw(st.lists(line(), max_size=4))),
        currency=currency,
        note=draw(opt_text),
    )


@st.composite
def despatch_advices(draw: st.DrawFn) -> DespatchAdvice:
    lines = st.builds(
        DespatchLine,
        line_id=text,
        quantity=quantities,
        unit=units,
        order_line_id=st.none() | text.filter(lambda t: t != "NA"),
        gtin=st.none() | digits,
        supplier_article=opt_text,
        buyer_article=opt_text,
        description=opt_text,
        batch_number=opt_text,
        best_before=st.none() | dates,
    )
    ssccs = draw(
        st.lists(st.text("0123456789", min_size=18, max_size=18), unique=True, min_size=4, max_size=4)
    )
    packages = draw(
        st.lists(
            st.builds(
                Package,
                lines=st.lists(lines, min_size=1, max_size=3).map(tuple),
                sscc=st.none(),
                package_type=st.none() | st.sampled_from(["CT", "PX", "BX"]),
            ),
            min_size=1,
            max_size=4,
        )
    )
    packages = [
        Package(lines=p.lines, sscc=ssccs[i] if draw(st.booleans()) else None, package_type=p.package_type)
        for i, p in enumerate(packages)
    ]
    buyer = draw(parties())
    ship_to = draw(st.none() | parties().filter(lambda p: p != buyer))
    return DespatchAdvice(
        number=draw(text),
        order_number=draw(text),
        issue_date=draw(dates),
        buyer=buyer,
        seller=draw(parties()),
        packages=tuple(packages),
        ship_to=ship_to,
        despatch_date=draw(st.none() | dates),
        expected_delivery_date=draw(st.none() | dates),
        carrier=draw(opt_text),
        tracking_number=draw(opt_text),
    )
