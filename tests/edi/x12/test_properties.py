"""Generated documents survive ``encode`` -> ``decode`` for the four business document types.

X12 has no release character, so text that contains none of the separators (``*``, ``>``, ``^``,
``~``, CR, LF) is carried as is; text with a separator is refused with an EncodeError naming the
field (checked below).

Fields X12 cannot carry (generated as ``None``/default here, and ``None`` after any X12 round trip):

* every document: ``Party.vat_id``; a party with both GLN and party id (N1 has one identifier);
  ``Address.additional`` without ``street`` (N301 is mandatory); the US state (N402) is read but
  dropped; only PER phone (TE) and e-mail (EM) are kept for a contact.
* PurchaseOrder: nothing else.
* OrderResponse: a unit of measure when the quantity is ``None`` (ACK02/ACK03 are a pair).
* DespatchAdvice: ``Package.package_type``; ``order_line_id`` other than ``line_id`` (LIN01 is the
  one line number, decoded into both); only the first order's PRF is kept.
* Invoice: ``buyer_reference``, ``order_line_id``, ``TaxSubtotal.exemption_reason``, VAT categories
  other than S and E, ``type_code`` other than 380/381/383, ``PaymentTerms`` iban/bic/means code,
  ``allowance_total``/``charge_total``/``prepaid``; ``net_amount`` is always quantity x price and
  the totals are recomputed (payable = tax inclusive = TDS01, tax exclusive = payable - tax).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
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
from edi.errors import EncodeError
from edi.x12 import decode_all, encode

SAFE = st.characters(min_codepoint=32, max_codepoint=126, exclude_characters="*>^~")
# X12 004010 minimum lengths: identifiers (N104, BSN02) 2, city (N401) 2, postcode (N403) 3..15
TEXT = st.text(SAFE, min_size=3, max_size=20)
OPT_TEXT = st.none() | TEXT
OPT_POSTCODES = st.none() | st.text(SAFE, min_size=3, max_size=15)
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
OPT_DATES = st.none() | DATES
QUANTITIES = st.decimals(min_value=0, max_value=100_000, places=3)
PRICES = st.decimals(min_value=0, max_value=10_000, places=2)
UNITS = st.sampled_from(["C62", "CS", "KGM", "LBR", "DZN", "MTR", "SET"])
GTINS = st.none() | st.integers(min_value=12, max_value=14).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)
COUNTRIES = st.none() | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
ENVELOPE = Envelope(
    sender="SENDER",
    recipient="RECEIVER",
    control_reference="12",
    message_reference="1",
    prepared_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
)

addresses = st.none() | st.builds(
    Address,
    street=TEXT,
    city=OPT_TEXT,
    postal_code=OPT_POSTCODES,
    country_code=COUNTRIES,
    additional=OPT_TEXT,
)
contacts = st.none() | st.builds(Contact, name=TEXT, phone=OPT_TEXT, email=OPT_TEXT)
identifiers: st.SearchStrategy[dict[str, str]] = st.one_of(
    st.just({}),
    st.text("0123456789", min_size=13, max_size=13).map(lambda g: {"gln": g}),
    TEXT.map(lambda p: {"party_id": p}),
)
parties = st.builds(
    lambda ids, **kw: Party(**ids, **kw), identifiers, name=OPT_TEXT, address=addresses, contact=contacts
)
opt_parties = st.none() | parties

order_lines = st.builds(
    OrderLine,
    line_id=TEXT,
    quantity=QUANTITIES,
    unit=UNITS,
    gtin=GTINS,
    supplier_article=OPT_TEXT,
    buyer_article=OPT_TEXT,
    description=OPT_TEXT,
    unit_price=st.none() | PRICES,
    requested_date=OPT_DATES,
)
purchase_orders = st.builds(
    PurchaseOrder,
    number=TEXT,
    issue_date=DATES,
    buyer=parties,
    seller=parties,
    lines=st.lists(order_lines, min_size=1, max_size=4).map(tuple),
    currency=st.none() | st.sampled_from(["EUR", "USD"]),
    delivery_party=opt_parties,
    invoicee=opt_parties,
    requested_delivery_date=OPT_DATES,
    note=OPT_TEXT,
)


@st.composite
def response_lines(draw: st.DrawFn) -> OrderResponseLine:
    quantity = draw(st.none() | QUANTITIES)
    return OrderResponseLine(
        line_id=draw(TEXT),
        status=draw(st.sampled_from(LineStatus)),
        quantity=quantity,
        unit=draw(UNITS) if quantity is not None else "C62",
        gtin=draw(GTINS),
        supplier_article=draw(OPT_TEXT),
        buyer_article=draw(OPT_TEXT),
        unit_price=draw(st.none() | PRICES),
        promised_date=draw(OPT_DATES),
    )


order_responses = st.builds(
    OrderResponse,
    number=TEXT,
    order_number=TEXT,
    issue_date=DATES,
    status=st.sampled_from(ResponseStatus),
    buyer=parties,
    seller=parties,
    lines=st.lists(response_lines(), max_size=4).map(tuple),
    currency=st.none() | st.just("EUR"),
    note=OPT_TEXT,
)

despatch_lines = TEXT.flatmap(
    lambda line_id: st.builds(
        DespatchLine,
        line_id=st.just(line_id),
        quantity=QUANTITIES,
        unit=UNITS,
        order_line_id=st.just(line_id),
        gtin=GTINS,
        supplier_article=OPT_TEXT,
        buyer_article=OPT_TEXT,
        description=OPT_TEXT,
        batch_number=OPT_TEXT,
        best_before=OPT_DATES,
    )
)
packages = st.builds(
    Package,
    lines=st.lists(despatch_lines, min_size=1, max_size=4).map(tuple),
    sscc=st.none() | st.text("0123456789", min_size=18, max_size=18),
)
despatch_advices = st.builds(
    DespatchAdvice,
    number=TEXT,
    order_number=TEXT,
    issue_date=DATES,
    buyer=parties,
    seller=parties,
    packages=st.lists(packages, min_size=1, max_size=4).map(tuple),
    ship_to=opt_parties,
    despatch_date=OPT_DATES,
    expected_delivery_date=OPT_DATES,
    carrier=OPT_TEXT,
    tracking_number=OPT_TEXT,
)


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        quantity, price = draw(QUANTITIES), draw(PRICES)
        lines.append(
            InvoiceLine(
                line_id=draw(TEXT),
                quantity=quantity,
                net_price=price,
                net_amount=quantity * price,
                unit=draw(UNITS),
                gtin=draw(GTINS),
                supplier_article=draw(OPT_TEXT),
                buyer_article=draw(OPT_TEXT),
                description=draw(OPT_TEXT),
                vat_category=draw(st.sampled_from(["S", "E"])),
                vat_rate=draw(st.none() | st.decimals(min_value=0, max_value=30, places=1)),
            )
        )
    taxes = tuple(
        draw(
            st.lists(
                st.builds(
                    TaxSubtotal,
                    category=st.sampled_from(["S", "E"]),
                    rate=st.none() | st.just(Decimal(19)),
                    taxable_amount=PRICES,
                    tax_amount=PRICES,
                ),
                max_size=2,
            )
        )
    )
    payable = draw(PRICES)
    tax_total = sum((t.tax_amount for t in taxes), Decimal(0))
    totals = MonetaryTotals(
        line_total=sum((line.net_amount for line in lines), Decimal(0)),
        tax_exclusive=payable - tax_total,
        tax_total=tax_total,
        tax_inclusive=payable,
        payable=payable,
    )
    terms = draw(st.none() | st.builds(PaymentTerms, description=TEXT, due_date=OPT_DATES))
    return Invoice(
        number=draw(TEXT),
        issue_date=draw(DATES),
        currency=draw(st.sampled_from(["EUR", "USD"])),
        seller=draw(parties),
        buyer=draw(parties),
        lines=tuple(lines),
        tax_subtotals=taxes,
        totals=totals,
        type_code=draw(st.sampled_from(["380", "381", "383"])),
        order_number=draw(OPT_TEXT),
        despatch_number=draw(OPT_TEXT),
        delivery_date=draw(OPT_DATES),
        payee=draw(opt_parties),
        ship_to=draw(opt_parties),
        payment_terms=terms,
        note=draw(OPT_TEXT),
    )


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _round_trip(document: Document) -> Document | None:
    result = decode_all(encode(document, ENVELOPE))
    assert result.error is None
    (message,) = result.messages
    assert message.error is None, message.error
    return message.document


@SETTINGS
@given(purchase_orders)
def test_purchase_order_survives_x12(document: PurchaseOrder) -> None:
    assert _round_trip(document) == document


@SETTINGS
@given(order_responses)
def test_order_response_survives_x12(document: OrderResponse) -> None:
    assert _round_trip(document) == document


@SETTINGS
@given(despatch_advices)
def test_despatch_advice_survives_x12(document: DespatchAdvice) -> None:
    assert _round_trip(document) == document


@SETTINGS
@given(invoices())
def test_invoice_survives_x12(document: Invoice) -> None:
    assert _round_trip(document) == document


def _with_text(document: Any, path: str, value: str) -> Any:
    head, _, rest = path.partition(".")
    if head.endswith("]"):
        name, index = head[:-1].split("[")
        items = list(getattr(document, name))
        items[int(index)] = _with_text(items[int(index)], rest, value) if rest else value
        return dataclasses.replace(document, **{name: tuple(items)})
    if rest:
        return dataclasses.replace(document, **{head: _with_text(getattr(document, head), rest, value)})
    return dataclasses.replace(document, **{head: value})


@pytest.mark.parametrize(
    ("strategy", "path"),
    [
        (purchase_orders, "number"),
        (purchase_orders, "lines[0].description"),
        (order_responses, "order_number"),
        (despatch_advices, "packages[0].lines[0].batch_number"),
        (invoices(), "seller.name"),
    ],
)
@settings(max_examples=5, deadline=None)
@given(data=st.data(), separator=st.sampled_from(["*", "~", ">", "^", "\n"]))
def test_text_containing_a_separator_is_refused_naming_the_field(
    strategy: st.SearchStrategy[Any], path: str, data: st.DataObject, separator: str
) -> None:
    document = _with_text(data.draw(strategy), path, f"A{separator}B")
    with pytest.raises(EncodeError) as info:
        encode(document, ENVELOPE, version="005010")  # 00501 has a repetition separator (^)
    assert path in info.value.message
    assert repr(separator) in info.value.message
