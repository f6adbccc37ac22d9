"""Every UBL / CII / ZUGFeRD corpus sample decodes to its expected document or names its error, and
every mapped sample survives decode -> encode -> decode with an XSD-valid encoding."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from edi.documents import Acknowledgement, DespatchAdvice, Invoice, OrderChange, OrderResponse, PurchaseOrder
from edi.errors import MappingError, UnsupportedError
from edi.xml import codec
from edi.xml.safe import parse_xml
from tests.edi.corpus import corpus_files
from tests.edi.xml._support import STORE, rel

FOLDERS = [
    "xml/ubl21/samples",
    "xml/en16931/ubl/samples",
    "xml/en16931/cii/samples",
    "xml/xrechnung/ubl",
    "xml/xrechnung/cii",
    "xml/xrechnung/extension",
    "xml/xrechnung/schematron-tests",
    "xml/xrechnung/validator-config-instances",
    "xml/peppol-bis-ordering/samples",
    "xml/zugferd-facturx/samples",
]
FILES = [p for folder in FOLDERS for p in corpus_files(folder) if p.suffix in (".xml", ".pdf")]

KIND = {
    "Invoice": Invoice,
    "CreditNote": Invoice,
    "CrossIndustryInvoice": Invoice,
    "CrossIndustryDocument": Invoice,
    "Order": PurchaseOrder,
    "OrderChange": OrderChange,
    "OrderResponse": OrderResponse,
    "OrderResponseSimple": OrderResponse,
    "DespatchAdvice": DespatchAdvice,
}
# Files that do not become a document, and the error that says why.
REFUSED: dict[str, tuple[type[Exception], str]] = {
    "ubl21/samples/UBL-Invoice-2.1-Example-Trivial.xml": (MappingError, "invoice currency code (BT-5)"),
    # a credit note line with nothing but its ID: a deliberately broken KoSIT test instance
    "xrechnung/validator-config-instances/ubl008.xml": (MappingError, "invoice line quantity (BT-129)"),
    "zugferd-facturx/samples/akretion/factur-x-basicwl.xml": (UnsupportedError, "BASIC WL"),
    "zugferd-facturx/samples/akretion/factur-x-minimum.xml": (UnsupportedError, "MINIMUM"),
    "zugferd-facturx/samples/zugferd21/zugferd_2p3_BASIC-WL_Einfach.xml": (UnsupportedError, "BASIC WL"),
    "zugferd-facturx/samples/zugferd21/zugferd_2p3_MINIMUM_Buchungshilfe.xml": (UnsupportedError, "MINIMUM"),
    "zugferd-facturx/samples/zugferd21/zugferd_2p3_MINIMUM_Rechnung.xml": (UnsupportedError, "MINIMUM"),
}
UNMAPPED_ROOTS = {"OrderCancellation"}
NOT_OURS = {"order-x-basic.xml", "order-x-comfort.xml"}  # Order-X: recognised, not decoded here


def _decodable(path: Path) -> bool:
    return path.name not in NOT_OURS


@pytest.mark.parametrize("path", [p for p in FILES if _decodable(p)], ids=rel)
def test_corpus_file_decodes_to_expected_outcome(path: Path) -> None:
    message = codec.decode(path.read_bytes())
    name = rel(path)
    if name in REFUSED:
        error_type, words = REFUSED[name]
        assert isinstance(message.error, error_type)
        assert words in message.error.message
        return
    if message.message_type in UNMAPPED_ROOTS:
        assert isinstance(message.error, UnsupportedError)
        assert message.message_type in message.error.message
        return
    assert message.error is None, message.error
    document = message.document
    assert isinstance(document, KIND[message.message_type])
    assert document is not None and not isinstance(document, Acknowledgement)
    assert message.envelope.control_reference == document.number
    # OASIS samples predate EN 16931; the KoSIT validator instances break its rules on purpose
    if isinstance(document, Invoice) and not name.startswith(("ubl21/", "xrechnung/validator-config")):
        _check_invoice(document)
    elif isinstance(document, PurchaseOrder):
        assert document.lines and all(line.quantity > 0 for line in document.lines)
    elif isinstance(document, DespatchAdvice):
        assert document.lines and document.order_number
    elif isinstance(document, OrderResponse):
        assert document.order_number
    elif isinstance(document, OrderChange):
        assert document.order_number and document.lines


def _check_invoice(invoice: Invoice) -> None:
    assert invoice.lines
    # EN 16931 BR-CO-15: total with VAT = total without VAT + VAT (the samples are valid invoices)
    assert invoice.totals.tax_inclusive == invoice.totals.tax_exclusive + invoice.totals.tax_total
    # BR-CO-10 holds for the lines we read (ZUGFeRD 1.0 drops nothing either)
    assert sum((line.net_amount for line in invoice.lines), Decimal(0)) == invoice.totals.line_total
    assert invoice.seller.name and invoice.buyer.name


@pytest.mark.parametrize("name", sorted(NOT_OURS))
def test_order_x_is_recognised_but_not_decoded_here(name: str) -> None:
    data = (STORE.root / "zugferd-facturx/samples/akretion" / name).read_bytes()  # type: ignore[operator]
    assert codec.detect(data) == ("orderx", "SCRDMCCBDACIOMessageStructure")
    with pytest.raises(UnsupportedError, match="orderx"):
        codec.decode(data)


def test_ubl_invoice_example_facts() -> None:
    message = codec.decode((STORE.root / "ubl21/samples/UBL-Invoice-2.1-Example.xml").read_bytes())  # type: ignore[operator]
    invoice = message.document
    assert isinstance(invoice, Invoice)
    assert (invoice.number, invoice.currency, invoice.issue_date.isoformat()) == (
        "TOSL108",
        "EUR",
        "2009-12-15",
    )
    assert invoice.totals.payable == Decimal("729") and invoice.totals.tax_total == Decimal("292.20")
    assert invoice.seller.gln == "1234567890123" and invoice.buyer.gln == "1234567987654"
    assert invoice.order_number == "123"
    assert (message.envelope.sender, message.envelope.recipient) == ("1234567890123", "1234567987654")


def test_xrechnung_cii_facts() -> None:
    message = codec.decode((STORE.root / "xrechnung/cii/01.01a-INVOICE_uncefact.xml").read_bytes())  # type: ignore[operator]
    invoice = message.document
    assert isinstance(invoice, Invoice)
    assert invoice.buyer_reference == "04011000-12345-03"
    assert invoice.seller.vat_id == "DE 123456789"
    assert (
        message.envelope.association
        == "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    )
    assert (message.envelope.sender, message.envelope.version) == ("seller@email.de", "D16B")


def test_peppol_order_response_line_status_facts() -> None:
    path = "peppol-bis-ordering/samples/Order-response_use_cases/UC2_Order_response.xml"
    response = codec.decode((STORE.root / path).read_bytes()).document  # type: ignore[operator]
    assert isinstance(response, OrderResponse)
    assert response.status == "changed" and response.order_number == "1"
    assert [(line.line_id, line.status, line.gtin) for line in response.lines] == [
        ("1", "accepted", "05432167890984"),
        ("2", "accepted", "05476154389097"),
    ]


def test_peppol_despatch_advice_package_facts() -> None:
    advice = codec.decode(
        (STORE.root / "peppol-bis-ordering/samples/DespatchAdvice_Example.xml").read_bytes()  # type: ignore[operator]
    ).document
    assert isinstance(advice, DespatchAdvice)
    assert advice.order_number == "AEG012345" and advice.tracking_number == "456789"
    assert advice.carrier == "Name" and str(advice.despatch_date) == "2018-09-25"
    (line,) = advice.lines
    assert (line.quantity, line.batch_number, str(line.best_before), line.gtin) == (
        Decimal("10"),
        "546378239",
        "2018-12-01",
        "1234567891234",
    )
    assert advice.packages[0].package_type == "4H"


def test_zugferd_1_basic_facts() -> None:
    message = codec.decode((STORE.root / "zugferd-facturx/samples/akretion/zugferd-basic.xml").read_bytes())  # type: ignore[operator]
    invoice = message.document
    assert isinstance(invoice, Invoice) and message.format == "zugferd" and message.envelope.version == "1.0"
    (line,) = invoice.lines
    # the line carries only its total: the net price is derived, the line number is its position
    assert (line.line_id, line.net_price, invoice.totals.payable) == ("1", Decimal("9.9"), Decimal("235.62"))


def _round_trip_cases() -> list[Path]:
    cases = []
    for path in FILES:
        if not _decodable(path) or rel(path) in REFUSED:
            continue
        message = codec.decode(path.read_bytes())
        if message.document is not None:
            cases.append(path)
    return cases


@pytest.mark.parametrize("path", _round_trip_cases(), ids=rel)
def test_mapped_sample_round_trips_through_a_schema_valid_encoding(path: Path) -> None:
    first = codec.decode(path.read_bytes())
    assert first.document is not None
    syntax = "ubl" if first.format == "ubl" else "cii"
    encoded = codec.encode(first.document, syntax=syntax)
    assert STORE.findings(parse_xml(encoded)) == ()
    again = codec.decode(encoded)
    assert again.document == first.document
