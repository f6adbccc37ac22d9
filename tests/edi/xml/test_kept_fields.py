"""What UBL and CII invoices carry and write back (issue #13 item 7): allowances and charges on the
invoice (BG-20/21) and its lines (BG-27/28), the country subdivision (BT-39...), the tax
representative (BG-11) and the further CII trade parties."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from edi.documents import AllowanceCharge, Invoice, OtherParty
from edi.xml import codec
from edi.xml.safe import parse_xml
from tests.edi.corpus import corpus_files
from tests.edi.xml._support import STORE, XML


def _invoice(path: Path) -> Invoice:
    message = codec.decode(path.read_bytes())
    assert message.ok, message.error
    assert isinstance(message.document, Invoice)
    return message.document


def _again(invoice: Invoice, syntax: str) -> Invoice:
    data = codec.encode(invoice, syntax=syntax)
    assert STORE.findings(parse_xml(data)) == ()
    message = codec.decode(data)
    assert isinstance(message.document, Invoice), message.error
    return message.document


UBL_EXAMPLE = corpus_files("xml/en16931/ubl/samples", "ubl-tc434-example2.xml")[0]
CII_EXAMPLE = corpus_files("xml/en16931/cii/samples", "CII_example5.xml")[0]


def test_ubl_allowances_and_charges_of_invoice_and_line() -> None:
    invoice = _invoice(UBL_EXAMPLE)
    assert invoice.allowances_charges == (
        AllowanceCharge(
            False,
            Decimal("100.00"),
            reason_code="88",
            reason="Promotion discount",
            vat_category="S",
            vat_rate=Decimal(25),
        ),
        AllowanceCharge(True, Decimal("100.00"), reason="Freight", vat_category="S", vat_rate=Decimal(25)),
    )
    assert invoice.lines[0].allowances_charges == (
        AllowanceCharge(False, Decimal("12.00"), reason="Damage"),
        AllowanceCharge(True, Decimal("12.00"), reason="Testing"),
    )
    assert _again(invoice, "ubl") == invoice


def test_ubl_price_discount_is_not_a_line_allowance() -> None:
    path = XML.parent.parent / "conformance" / "peppol-bis-billing" / "Allowance-example.xml"
    if not path.exists():
        pytest.skip(f"{path} not present")
    invoice = _invoice(path)
    # the first line's Price holds an AllowanceCharge of 40 (BT-147); its own are 1 and 101
    assert [ac.amount for ac in invoice.lines[0].allowances_charges] == [Decimal(1), Decimal(101)]


def test_ubl_region_and_tax_representative() -> None:
    invoice = _invoice(UBL_EXAMPLE)
    assert invoice.seller.address is not None and invoice.seller.address.region == "RegionA"
    assert [(o.role, o.party.name) for o in invoice.other_parties] == [
        ("tax_representative", "Tax handling company AS")
    ]
    data = codec.encode(invoice, syntax="ubl")
    assert b"<cbc:CountrySubentity>RegionA</cbc:CountrySubentity>" in data
    assert b"<cac:TaxRepresentativeParty>" in data


def test_ubl_charge_indicator_is_an_xsd_boolean() -> None:
    data = UBL_EXAMPLE.read_bytes().replace(
        b"<cbc:ChargeIndicator>false</cbc:ChargeIndicator>", b"<cbc:ChargeIndicator>0</cbc:ChargeIndicator>"
    )
    message = codec.decode(data)
    assert isinstance(message.document, Invoice), message.error
    assert [ac.charge for ac in message.document.allowances_charges] == [False, True]


def test_cii_allowances_with_percentage_and_base_of_invoice_and_line() -> None:
    invoice = _invoice(CII_EXAMPLE)
    assert invoice.allowances_charges[0] == AllowanceCharge(
        False,
        Decimal(150),
        base_amount=Decimal(1500),
        percentage=Decimal(10),
        reason_code="95",
        reason="Loyal customer",
        vat_category="S",
        vat_rate=Decimal(25),
    )
    assert invoice.lines[0].allowances_charges[1] == AllowanceCharge(
        True,
        Decimal(100),
        base_amount=Decimal(1000),
        percentage=Decimal(10),
        reason_code="ABL",
        reason="Packaging",
    )
    assert _again(invoice, "cii") == invoice


def test_cii_region_and_tax_representative() -> None:
    invoice = _invoice(CII_EXAMPLE)
    assert invoice.seller.address is not None and invoice.seller.address.region == "Overijssel"
    assert [(o.role, o.party.name) for o in invoice.other_parties] == [("tax_representative", "Dick Panama")]
    data = codec.encode(invoice, syntax="cii")
    assert b"<ram:CountrySubDivisionName>Overijssel</ram:CountrySubDivisionName>" in data
    assert b"<ram:SellerTaxRepresentativeTradeParty>" in data


def test_cii_extended_parties_are_written_where_the_schema_has_them() -> None:
    invoice = _invoice(CII_EXAMPLE)
    party = invoice.buyer
    invoice = dataclasses.replace(
        invoice,
        other_parties=(
            *invoice.other_parties,
            OtherParty("payer", party),
            OtherParty("ship_from", party),
            OtherParty("bill_to", party),
            OtherParty("invoice_issuer", party),
            OtherParty("end_user", party),
            OtherParty("x12:DU", party),  # no CII element: not written
        ),
    )
    again = _again(invoice, "cii")  # schema-valid, so each element sits in its place
    assert [o.role for o in again.other_parties] == [
        "tax_representative",
        "end_user",
        "ship_from",
        "invoice_issuer",
        "bill_to",
        "payer",
    ]
