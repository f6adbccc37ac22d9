"""Credit notes in every format that carries one (issue #17.5): EDIFACT INVOIC with BGM 381, X12 810
with BIG07 CR, UBL CreditNote, CII type code 381; each names the invoice it corrects (BT-25: RFF+IV,
REF*OI, BillingReference, InvoiceReferencedDocument) and reads back as written; the XML ones are
valid against their schemas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import edi
import edi.documents as doc
from edi.xml.safe import parse_xml
from tests.edi.xml._support import STORE

SELLER = doc.Party(name="Supplier A", gln="4023456000017", vat_id="DE123456789")
BUYER = doc.Party(name="Owner", gln="4012345000016", vat_id="DE987654321")


def credit_note(reference: str | None = "INV-7") -> doc.Invoice:
    net, tax = Decimal("100.00"), Decimal("19.00")
    return doc.Invoice(
        number="GS-7",
        issue_date=date(2030, 1, 9),
        currency="EUR",
        seller=SELLER,
        buyer=BUYER,
        lines=(
            doc.InvoiceLine(
                line_id="1",
                order_line_id="1",
                quantity=Decimal(4),
                net_price=Decimal(25),
                net_amount=net,
                vat_rate=Decimal(19),
                description="Ventil 200, beschädigt",
            ),
        ),
        tax_subtotals=(doc.TaxSubtotal(category="S", rate=Decimal(19), taxable_amount=net, tax_amount=tax),),
        totals=doc.MonetaryTotals(
            line_total=net, tax_exclusive=net, tax_total=tax, tax_inclusive=net + tax, payable=net + tax
        ),
        type_code="381",
        order_number="A-1",
        invoice_reference=reference,
        payment_terms=doc.PaymentTerms(due_date=date(2030, 2, 8)),
    )


ENVELOPE = doc.Envelope(sender="4023456000017", recipient="4012345000016", control_reference="77")


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl", "cii"])
def test_a_credit_note_and_its_invoice_reference_read_back_as_written(fmt: str) -> None:
    envelope = (
        ENVELOPE
        if fmt != "x12"
        else doc.Envelope(
            sender="SUPPLIERA",
            recipient="OWNER",
            control_reference="77",
            sender_qualifier="ZZ",
            recipient_qualifier="ZZ",
        )
    )
    data = edi.encode(credit_note(), format=fmt, envelope=envelope)
    decoded = edi.decode_all(data)
    assert decoded.error is None
    (message,) = decoded.messages
    assert message.ok, message.error
    document = message.document
    assert isinstance(document, doc.Invoice)
    assert (document.type_code, document.invoice_reference, document.number) == ("381", "INV-7", "GS-7")
    assert document.totals.payable == Decimal("119.00")
    if fmt in ("ubl", "cii"):
        root = parse_xml(data)
        assert STORE.findings(root) == ()  # BillingReference / InvoiceReferencedDocument in schema order
        if fmt == "ubl":
            assert root.tag.endswith("}CreditNote")


@pytest.mark.parametrize("fmt", ["edifact", "x12", "ubl", "cii"])
def test_an_invoice_without_a_reference_writes_none(fmt: str) -> None:
    invoice = credit_note(reference=None)
    envelope = (
        ENVELOPE
        if fmt != "x12"
        else doc.Envelope(
            sender="SUPPLIERA",
            recipient="OWNER",
            control_reference="78",
            sender_qualifier="ZZ",
            recipient_qualifier="ZZ",
        )
    )
    data = edi.encode(invoice, format=fmt, envelope=envelope)
    (message,) = edi.decode_all(data).messages
    assert isinstance(message.document, doc.Invoice) and message.document.invoice_reference is None
    assert b"BillingReference" not in data and b"InvoiceReferencedDocument" not in data
    assert b"RFF+IV" not in data and b"REF*OI" not in data
