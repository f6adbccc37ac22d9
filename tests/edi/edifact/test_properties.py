"""Generated documents survive encode -> decode unchanged, for each of the four document types.

Text is drawn from an alphabet that holds every service character (``+ : ' ? *``), blanks,
letters and Latin-1 letters. Fields EDIFACT (as written by this codec) cannot carry are left at
``None`` by the strategies: ``Address.additional``, ``Party.party_id`` beside a GLN,
``Invoice.buyer_reference``, ``TaxSubtotal.exemption_reason``; line breaks in text (they are not
data in EDIFACT and become spaces); empty strings (they come back as ``None``); an empty
``Address``/``Contact``/``PaymentTerms`` (comes back as ``None``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.documents import (
    Address,
    Contact,
    DespatchAdvice,
    DespatchLine,
    Document,
    Envelope,
    Invoice,
    InvoiceLine,
    LineStatus,
    MonetaryTotals,
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
from edi.edifact import decode, encode

TEXT = st.text(alphabet="ABCxyz09 +:'?*.,-/&äöüßÉ", min_size=1, max_size=20)
OPT_TEXT = st.none() | TEXT
# what EANCOM's element lengths hold: LIN 1082 line number an..6, NAD 3251 postcode an..9
LINE_IDS = st.text(alphabet="ABCxyz09", min_size=1, max_size=6)
POSTCODES = st.none() | st.text(alphabet="0123456789 AB-", min_size=1, max_size=9)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))
OPT_DATES = st.none() | DATES
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
QTYS = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
GLN = st.from_regex(r"\A[0-9]{13}\Z")
UNITS = st.sampled_from(["C62", "KGM", "PCE", "MTR"])
OPT_GTIN = st.none() | st.from_regex(r"\A[0-9]{8,14}\Z")

ADDRESSES = st.none() | st.builds(
    Address,
    street=TEXT,
    city=OPT_TEXT,
    postal_code=POSTCODES,
    country_code=st.none() | st.sampled_from(["DE", "FR"]),
)
CONTACTS = st.none() | st.builds(Contact, name=TEXT, phone=OPT_TEXT, email=OPT_TEXT)
PARTIES = st.builds(
    Party,
    name=OPT_TEXT,
    gln=st.none() | GLN,
    vat_id=OPT_TEXT,
    address=ADDRESSES,
    contact=CONTACTS,
).flatmap(
    lambda p: (
        st.just(p)
        if p.gln
        else st.builds(lambda pid: Party(p.name, None, pid, p.vat_id, p.address, p.contact), OPT_TEXT)
    )
)
OPT_PARTIES = st.none() | PARTIES
CURRENCY = st.sampled_from(["EUR", "USD", "CHF"])

ORDER_LINES = st.builds(
    OrderLine,
    line_id=LINE_IDS,
    quantity=QTYS,
    unit=UNITS,
    gtin=OPT_GTIN,
    supplier_article=OPT_TEXT,
    buyer_article=OPT_TEXT,
    description=OPT_TEXT,
    unit_price=st.none() | AMOUNTS,
    requested_date=OPT_DATES,
)
ORDERS = st.builds(
    PurchaseOrder,
    number=TEXT,
    issue_date=DATES,
    buyer=PARTIES,
    seller=PARTIES,
    lines=st.lists(ORDER_LINES, min_size=1, max_size=3).map(tuple),
    currency=st.none() | CURRENCY,
    delivery_party=OPT_PARTIES,
    invoicee=OPT_PARTIES,
    requested_delivery_date=OPT_DATES,
    note=OPT_TEXT,
)
RESPONSE_LINES = st.builds(
    OrderResponseLine,
    line_id=LINE_IDS,
    status=st.sampled_from(list(LineStatus)),
    quantity=QTYS,
    unit=UNITS,
    gtin=OPT_GTIN,
    supplier_article=OPT_TEXT,
    buyer_article=OPT_TEXT,
    unit_price=st.none() | AMOUNTS,
    promised_date=OPT_DATES,
)
RESPONSES = st.builds(
    OrderResponse,
    number=TEXT,
    order_number=TEXT,
    issue_date=DATES,
    status=st.sampled_from(list(ResponseStatus)),
    buyer=PARTIES,
    seller=PARTIES,
    lines=st.lists(RESPONSE_LINES, max_size=3).map(tuple),
    currency=st.none() | CURRENCY,
    note=OPT_TEXT,
)
DESPATCH_LINES = st.builds(
    DespatchLine,
    line_id=LINE_IDS,
    quantity=QTYS,
    unit=UNITS,
    order_line_id=OPT_TEXT,
    gtin=OPT_GTIN,
    supplier_article=OPT_TEXT,
    buyer_article=OPT_TEXT,
    description=OPT_TEXT,
    batch_number=OPT_TEXT,
    best_before=OPT_DATES,
)
PACKAGES = st.builds(
    Package,
    lines=st.lists(DESPATCH_LINES, min_size=1, max_size=3).map(tuple),
    sscc=st.none() | st.from_regex(r"\A[0-9]{18}\Z"),
    package_type=st.none() | st.sampled_from(["BX", "CT", "PX"]),
)
DESPATCHES = st.builds(
    DespatchAdvice,
    number=TEXT,
    order_number=TEXT,
    issue_date=DATES,
    buyer=PARTIES,
    seller=PARTIES,
    packages=st.lists(PACKAGES, min_size=1, max_size=3).map(tuple),
    ship_to=OPT_PARTIES,
    despatch_date=OPT_DATES,
    expected_delivery_date=OPT_DATES,
    carrier=OPT_TEXT,
    tracking_number=OPT_TEXT,
)
RATES = st.none() | st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
INVOICE_LINES = st.builds(
    InvoiceLine,
    line_id=LINE_IDS,
    quantity=QTYS,
    net_price=AMOUNTS,
    net_amount=AMOUNTS,
    unit=UNITS,
    order_line_id=OPT_TEXT,
    gtin=OPT_GTIN,
    supplier_article=OPT_TEXT,
    buyer_article=OPT_TEXT,
    description=OPT_TEXT,
    vat_category=st.sampled_from(["S", "Z", "E", "AE"]),
    vat_rate=RATES,
)
TERMS = st.none() | st.builds(
    PaymentTerms,
    description=TEXT,
    due_date=OPT_DATES,
    iban=st.none() | st.from_regex(r"\ADE[0-9]{20}\Z"),
    bic=st.none() | st.sampled_from(["COBADEFFXXX", "DEUTDEFF"]),
    payment_means_code=st.none() | st.sampled_from(["30", "42", "58"]),
)
INVOICES = st.builds(
    Invoice,
    number=TEXT,
    issue_date=DATES,
    currency=CURRENCY,
    seller=PARTIES,
    buyer=PARTIES,
    lines=st.lists(INVOICE_LINES, min_size=1, max_size=3).map(tuple),
    tax_subtotals=st.lists(
        st.builds(
            TaxSubtotal,
            category=st.sampled_from(["S", "Z"]),
            rate=RATES,
            taxable_amount=AMOUNTS,
            tax_amount=AMOUNTS,
        ),
        max_size=2,
    ).map(tuple),
    totals=st.builds(
        MonetaryTotals,
        line_total=AMOUNTS,
        tax_exclusive=AMOUNTS,
        tax_total=AMOUNTS,
        tax_inclusive=AMOUNTS,
        payable=AMOUNTS,
        allowance_total=st.none() | AMOUNTS,
        charge_total=st.none() | AMOUNTS,
        prepaid=st.none() | AMOUNTS,
    ),
    type_code=st.sampled_from(["380", "381", "384"]),
    order_number=OPT_TEXT,
    despatch_number=OPT_TEXT,
    delivery_date=OPT_DATES,
    payee=OPT_PARTIES,
    ship_to=OPT_PARTIES,
    payment_terms=TERMS,
    note=OPT_TEXT,
)

ENVELOPES = st.builds(
    Envelope,
    sender=st.just("4012345000009"),
    recipient=st.just("5412345000013"),
    control_reference=st.from_regex(r"\A[A-Z0-9]{1,14}\Z"),
    message_reference=st.from_regex(r"\A[0-9]{1,6}\Z"),
    sender_qualifier=st.just("14"),
    syntax=st.sampled_from(["UNOC:3", "UNOC:4", "UNOC:2"]),
    prepared_at=st.just(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)),
    test=st.booleans(),
    ack_requested=st.booleans(),
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _round_trip(doc: Document, envelope: Envelope, version: str) -> None:
    data = encode(doc, envelope, version=version)
    (message,) = decode(data)
    assert message.error is None, str(message.error)
    assert message.document == doc
    assert message.envelope.test == envelope.test
    assert message.envelope.ack_requested == envelope.ack_requested
    assert message.envelope.message_reference == envelope.message_reference


@SETTINGS
@given(ORDERS, ENVELOPES, st.sampled_from(["D96A", "D01B"]))
def test_purchase_order_survives_encode_decode(doc: PurchaseOrder, envelope: Envelope, version: str) -> None:
    _round_trip(doc, envelope, version)


@SETTINGS
@given(RESPONSES, ENVELOPES, st.sampled_from(["D96A", "D01B"]))
def test_order_response_survives_encode_decode(doc: OrderResponse, envelope: Envelope, version: str) -> None:
    _round_trip(doc, envelope, version)


@SETTINGS
@given(DESPATCHES, ENVELOPES, st.sampled_from(["D96A", "D01B"]))
def test_despatch_advice_survives_encode_decode(
    doc: DespatchAdvice, envelope: Envelope, version: str
) -> None:
    _round_trip(doc, envelope, version)


@SETTINGS
@given(INVOICES, ENVELOPES, st.sampled_from(["D96A", "D01B"]))
def test_invoice_survives_encode_decode(doc: Invoice, envelope: Envelope, version: str) -> None:
    _round_trip(doc, envelope, version)
