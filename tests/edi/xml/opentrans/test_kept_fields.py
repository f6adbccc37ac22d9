"""What openTRANS carries and writes back (issue #13 item 7): STATE, cash discount terms
(TIME_FOR_PAYMENT), ALLOW_OR_CHARGES_FIX on invoice and item, and every declared PARTY."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from edi.documents import Address, AllowanceCharge, Document, Invoice, OtherParty, Party
from edi.errors import EncodeError
from edi.xml.opentrans import decode, encode
from tests.edi.xml.opentrans.documents import BUYER, INVOICE, ORDER
from tests.edi.xml.opentrans.xsd import xsd_errors

WAREHOUSE = Party(name="Lager Nord", gln="4012345000016", address=Address(city="Hamburg", region="HH"))


def _again(document: Document) -> Document | None:
    data = encode(document)
    assert xsd_errors(data) == []
    message = decode(data)
    assert message.ok, message.error
    return message.document


def test_state_is_the_region() -> None:
    buyer = dataclasses.replace(BUYER, address=dataclasses.replace(BUYER.address or Address(), region="NRW"))
    order = dataclasses.replace(ORDER, buyer=buyer)
    assert b"<bmecat:STATE>NRW</bmecat:STATE>" in encode(order)
    assert _again(order) == order


def test_cash_discount_and_net_days_are_time_for_payment_entries() -> None:
    assert INVOICE.payment_terms is not None
    terms = dataclasses.replace(
        INVOICE.payment_terms, discount_percent=Decimal("2"), discount_days=10, net_days=30
    )
    invoice = dataclasses.replace(INVOICE, payment_terms=terms)
    data = encode(invoice)
    assert b"<DAYS>10</DAYS>" in data and b"<DISCOUNT_FACTOR>0.02</DISCOUNT_FACTOR>" in data
    assert b"<DAYS>30</DAYS>" in data
    assert _again(invoice) == invoice


def test_discount_without_days_or_due_date_is_refused() -> None:
    assert INVOICE.payment_terms is not None
    terms = dataclasses.replace(INVOICE.payment_terms, discount_percent=Decimal("2"), due_date=None)
    with pytest.raises(EncodeError, match="discount_percent 2 needs discount_days or a due_date"):
        encode(dataclasses.replace(INVOICE, payment_terms=terms))


def test_allowances_of_invoice_and_item_are_allow_or_charges_fix() -> None:
    line = dataclasses.replace(
        INVOICE.lines[0],
        allowances_charges=(AllowanceCharge(False, None, percentage=Decimal(5), reason_code="rebate"),),
    )
    freight = AllowanceCharge(True, Decimal("10.00"), reason_code="freight", reason="Fracht")
    invoice = dataclasses.replace(
        INVOICE,
        lines=(line,),
        allowances_charges=(freight,),
        totals=dataclasses.replace(
            INVOICE.totals,
            charge_total=Decimal("10.00"),
            tax_exclusive=Decimal("110.00"),
            tax_inclusive=Decimal("129.00"),
            payable=Decimal("129.00"),
        ),
    )
    data = encode(invoice)
    assert b"<AOC_PERCENTAGE_FACTOR>0.05</AOC_PERCENTAGE_FACTOR>" in data
    assert b'<ALLOW_OR_CHARGE type="surcharge">' in data
    again = _again(invoice)
    assert again == invoice


def test_reason_code_opentrans_cannot_hold_is_refused() -> None:
    bad = AllowanceCharge(True, Decimal(1), reason_code="two words")
    with pytest.raises(EncodeError, match="cannot be an openTRANS ALLOW_OR_CHARGE_TYPE"):
        encode(dataclasses.replace(INVOICE, allowances_charges=(bad,)))


def test_declared_parties_without_a_field_are_other_parties() -> None:
    invoice = dataclasses.replace(
        INVOICE,
        other_parties=(OtherParty("ship_from", WAREHOUSE), OtherParty("opentrans:marketplace", BUYER)),
    )
    data = encode(invoice)
    assert b"<PARTY_ROLE>deliverer</PARTY_ROLE>" in data and b"<PARTY_ROLE>marketplace</PARTY_ROLE>" in data
    again = _again(invoice)
    assert isinstance(again, Invoice)
    assert again.other_parties == invoice.other_parties
