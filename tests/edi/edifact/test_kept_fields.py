"""What an EDIFACT round trip must keep (issue #13 item 7): regions, every NAD role, cash discount
terms, and ALC allowances and charges on the invoice and its lines."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

import edi
from edi.documents import AllowanceCharge, Envelope, Invoice, PaymentTerms, PurchaseOrder
from edi.edifact import decode_all, encode
from edi.errors import EncodeError

ENVELOPE = Envelope(sender="SENDER", recipient="RECEIVER", control_reference="7")


def _interchange(message_type: str, version: str, body: list[str]) -> bytes:
    segments = [
        "UNB+UNOC:3+SENDER:14+RECEIVER:14+240110:1200+7",
        f"UNH+1+{message_type}:D:{version}:UN:EAN008",
        *body,
        f"UNT+{len(body) + 2}+1",
        "UNZ+1+7",
    ]
    return ("'".join(segments) + "'").encode("latin-1")


INVOIC = [
    "BGM+380+INV-1+9",
    "DTM+137:20240110:102",
    "NAD+SU+4012345000009::9++SELLER AG+MAIN STREET 1+SPRINGFIELD+IL+62701+US",
    "NAD+BY+4012345000016::9++BUYER GMBH+HAUPTSTRASSE 1+MUENCHEN+BY+80331+DE",
    "NAD+IV+4012345000023::9++BUYER ACCOUNTS",
    "NAD+SF+4012345000030::9++WAREHOUSE",
    "NAD+ZZZ+4012345000047::9++SOMEONE ELSE",
    "CUX+2:EUR:4",
    "PAT+1++5:3:D:30",
    "DTM+13:20240209:102",
    "PAT+22++5:3:D:10",
    "PCD+12:2",
    "MOA+52:0.6",
    "ALC+C++++FC:::Freight",
    "MOA+23:10",
    "TAX+7+VAT+++:::19+S",
    "LIN+1++4012345000054:EN",
    "QTY+47:3",
    "MOA+203:30",
    "PRI+AAA:10",
    "TAX+7+VAT+++:::7+S",
    "ALC+A+Damaged:95",
    "PCD+1:10",
    "MOA+204:3",
    "MOA+25:30",
    "ALC+A",
    "MOA+509:1",
    "UNS+S",
    "MOA+79:30",
    "MOA+125:37",
    "MOA+176:3.99",
    "MOA+77:40.99",
    "MOA+9:40.99",
    "ALC+C",
    "MOA+23:10",
    "TAX+7+VAT+++:::19+S",
    "MOA+125:10",
    "MOA+124:1.90",
    "TAX+7+VAT+++:::7+S",
    "MOA+125:27",
    "MOA+124:2.09",
]


def _invoice(body: list[str] = INVOIC, version: str = "96A") -> Invoice:
    (message,) = decode_all(_interchange("INVOIC", version, body)).messages
    assert message.ok, message.error
    assert isinstance(message.document, Invoice)
    return message.document


def _again(document: Invoice, version: str = "D96A") -> Invoice:
    (message,) = decode_all(encode(document, ENVELOPE, version=version)).messages
    assert message.ok, message.error
    assert isinstance(message.document, Invoice)
    return message.document


def test_nad_country_sub_entity_is_the_region() -> None:
    invoice = _invoice()
    assert invoice.seller.address is not None and invoice.seller.address.region == "IL"
    assert b"NAD+SU+4012345000009::9++SELLER AG+MAIN STREET 1+SPRINGFIELD+IL+62701+US'" in encode(
        invoice, ENVELOPE
    )
    assert _again(invoice) == invoice


def test_region_name_goes_to_c819_from_d01b_and_is_refused_in_d96a() -> None:
    body = [s.replace("+BY+80331+", "+:::Upper Bavaria+80331+") for s in INVOIC]
    invoice = _invoice(body, version="14B")
    assert invoice.buyer.address is not None and invoice.buyer.address.region == "Upper Bavaria"
    assert b"+MUENCHEN+:::Upper Bavaria+80331+DE'" in encode(invoice, ENVELOPE, version="D01B")
    assert _again(invoice, "D01B") == invoice
    with pytest.raises(EncodeError, match="NAD element 7"):
        encode(invoice, ENVELOPE, version="D96A")


def test_every_nad_role_without_a_field_is_an_other_party() -> None:
    invoice = _invoice()
    assert [(o.role, o.party.name) for o in invoice.other_parties] == [
        ("bill_to", "BUYER ACCOUNTS"),
        ("ship_from", "WAREHOUSE"),
        ("edifact:ZZZ", "SOMEONE ELSE"),
    ]
    assert _again(invoice) == invoice


def test_pat_groups_give_net_days_due_date_and_cash_discount() -> None:
    invoice = _invoice()
    assert invoice.payment_terms == PaymentTerms(
        due_date=date(2024, 2, 9), discount_percent=Decimal(2), discount_days=10, net_days=30
    )
    assert _again(invoice) == invoice


def test_alc_groups_are_allowances_and_charges_of_invoice_and_line() -> None:
    invoice = _invoice()
    assert invoice.allowances_charges == (
        AllowanceCharge(
            True, Decimal(10), reason_code="FC", reason="Freight", vat_category="S", vat_rate=Decimal(19)
        ),
    )
    (line,) = invoice.lines
    # ALC+A with only an item price discount (MOA+509) is no line allowance
    assert line.allowances_charges == (
        AllowanceCharge(
            False,
            Decimal(3),
            base_amount=Decimal(30),
            percentage=Decimal(10),
            reason_code="95",
            reason="Damaged",
        ),
    )
    # the ALC group's segments are the allowance's, not the line's
    assert (line.net_amount, line.vat_rate) == (Decimal(30), Decimal(7))
    # the summary ALC repeats a total; the charge total is the one allowance
    assert (invoice.totals.charge_total, invoice.totals.allowance_total) == (Decimal(10), None)
    assert len(invoice.tax_subtotals) == 2
    assert _again(invoice) == invoice


def test_long_allowance_reason_spreads_over_both_7160() -> None:
    reason = "Discount for the order placed at the trade fair in spring"
    invoice = dataclasses.replace(
        _invoice(), allowances_charges=(AllowanceCharge(False, Decimal(1), reason=reason),)
    )
    assert b"ALC+A++++:::Discount for the order placed at:the trade fair in spring'" in encode(
        invoice, ENVELOPE
    )
    assert _again(invoice).allowances_charges[0].reason == reason


ORDERS_D01B = [
    "BGM+220+PO-1+9",
    "DTM+137:20240110:102",
    "NAD+BY+4012345000016::9",
    "NAD+SU+4012345000009::9",
    "LIN+1++4012345000054:SRV",
    "QTY+21:2:GBND",
]


def test_edi_encode_writes_the_directory_the_document_came_in() -> None:
    (message,) = decode_all(_interchange("ORDERS", "01B", ORDERS_D01B)).messages
    assert isinstance(message.document, PurchaseOrder)
    data = edi.encode(message.document, format="edifact", envelope=message.envelope)
    assert b"ORDERS:D:01B:UN" in data and b"QTY+21:2:GBND'" in data
    assert edi.decode_all(data).messages[0].document == message.document
