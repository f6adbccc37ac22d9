"""Every openTRANS 2.1 corpus sample with its expected outcome.

Accepted samples state decoded facts (type, document id, envelope sender/recipient, line count, one
quantity, one price); rejected ones the error class and what the message names. A sample added to the
corpus without an entry here fails ``test_every_sample_has_an_expectation``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from edi.documents import (
    ChangeAction,
    DespatchAdvice,
    Invoice,
    InvoiceLine,
    LineStatus,
    OrderChange,
    OrderResponse,
    PurchaseOrder,
    ResponseStatus,
)
from edi.errors import EdiError, MappingError, UnsupportedError
from edi.xml.opentrans import decode, detect
from tests.edi.corpus import CORPUS, corpus_files

SAMPLES = CORPUS / "xml" / "opentrans21" / "samples"
FILES = corpus_files("xml/opentrans21/samples", "*.xml")


@dataclass(frozen=True)
class Accepted:
    message_type: str
    number: str
    sender: str
    recipient: str
    lines: int
    quantity: tuple[int, str]  # (line index, quantity)
    price: tuple[int, str] | None = None  # (line index, unit/net price)


@dataclass(frozen=True)
class Rejected:
    error: type[EdiError]
    names: str  # what the message must name


_TD_ORDER = Accepted("ORDER", "ORDER_180801-004", "123456", "10000735", 3, (2, "3.0"), (2, "386.0"))
_MIN_ORDER = Accepted("ORDER", "order-id-1", "org.de.buyer", "org.de.buyer", 1, (0, "10.0"))
_MIN_INVOICE = Accepted(
    "INVOICE", "invoice-id-1", "org.de.issuer", "org.de.rcpt", 1, (0, "10.0"), (0, "123.0")
)
_SHARP_INVOICE = Accepted("INVOICE", "I21298", "108304", "968314", 1, (0, "4"), (0, "1200"))
_BAD_IDREF = Rejected(MappingError, "BUYER_IDREF 'see above in parties")
_UDX_TOO_LONG = Rejected(MappingError, "UDX.ORGANIZATION.CUSTOM_DATA_2 holds 11 characters")

EXPECTED: dict[str, Accepted | Rejected] = {
    "naugrimm/Example_DISPATCHNOTIFICATION_Testdistributor_Lieferavis.xml": Accepted(
        "DISPATCHNOTIFICATION", "39076516", "10000735", "123456", 3, (2, "3.0")
    ),
    "naugrimm/Example_INVOICE_Testdistributor_Rechnung.xml": Accepted(
        "INVOICE", "2468013", "10000735", "123456", 3, (1, "2.0"), (1, "94.0")
    ),
    "naugrimm/Example_ORDERRESPONSE_Testdistributor_Auftragsbestaetigung.xml": Accepted(
        "ORDERRESPONSE", "GWAHJV-160131-1470", "10000735", "123456", 3, (1, "2.0"), (1, "364413.0")
    ),
    "naugrimm/Example_ORDER_Testdistributor_Bestellung.xml": _TD_ORDER,
    "naugrimm/Example_ORDER_Testdistributor_Bestellung_Eigener_Lieferschein.xml": Accepted(
        "ORDER", "ORDER_180801-005", "123456", "10000735", 3, (2, "3.0"), (2, "386.0")
    ),
    "naugrimm/Example_ORDER_Testdistributor_Bestellung_Projekt.xml": Accepted(
        "ORDER", "ORDER_180801-004", "123456", "10000735", 3, (2, "3.0"), (2, "72.0")
    ),
    "naugrimm/minimal_valid_invoice.xml": _MIN_INVOICE,
    "naugrimm/minimal_valid_invoice_with_delivery_date.xml": _MIN_INVOICE,
    "naugrimm/minimal_valid_order.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_address.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_contactdetails.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_delivery_date.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_delivery_date_in_order_item.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_payment_account.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_payment_card_amex.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_payment_cash.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_payment_check.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_payment_debit.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_udx.xml": _MIN_ORDER,
    "naugrimm/minimal_valid_order_with_udx_header.xml": _MIN_ORDER,
    # one item reversed by its negative QUANTITY: a cancellation of 5
    "naugrimm/minimal_valid_orderchange.xml": Accepted(
        "ORDERCHANGE", "order-id-1-1", "org.de.buyer", "org.de.buyer", 1, (0, "5.0")
    ),
    "naugrimm/minimal_valid_orderresponse.xml": Accepted(
        "ORDERRESPONSE", "order-id-1", "org.de.buyer", "org.de.buyer", 1, (0, "5.0")
    ),
    "naugrimm/sample_order_opentrans_2_1_xml_signature.xml": _BAD_IDREF,
    "opentranssharp/sample_dispatchnotification_opentrans_2_1.xml": Accepted(
        "DISPATCHNOTIFICATION", "LA86", "108304", "968314", 1, (0, "4000")
    ),
    "opentranssharp/sample_dispatchnotification_opentrans_2_1_invalid.xml": _UDX_TOO_LONG,
    "opentranssharp/sample_invoice_opentrans_2_1.xml": _SHARP_INVOICE,
    "opentranssharp/sample_invoice_opentrans_2_1_invalid.xml": _UDX_TOO_LONG,
    "opentranssharp/sample_invoice_opentrans_2_1_xml_signature.xml": _SHARP_INVOICE,
    "opentranssharp/sample_invoicelist_credit_card_statement_opentrans_2_1.xml": Rejected(
        UnsupportedError, "INVOICELIST"
    ),
    "opentranssharp/sample_order_opentrans_2_1_xml_signature.xml": _BAD_IDREF,
}


def _key(path: Path) -> str:
    return path.relative_to(SAMPLES).as_posix()


def test_every_sample_has_an_expectation() -> None:
    assert sorted(_key(p) for p in FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=_key)
def test_sample_decodes_to_its_expected_outcome(path: Path) -> None:
    expected = EXPECTED[_key(path)]
    data = path.read_bytes()
    if isinstance(expected, Rejected):
        if expected.error is UnsupportedError:
            with pytest.raises(UnsupportedError, match=expected.names):
                decode(data)
            return
        message = decode(data)
        assert not message.ok
        assert isinstance(message.error, expected.error)
        assert expected.names in message.error.message
        return
    message = decode(data)
    assert message.ok, message.error
    document = message.document
    assert isinstance(document, PurchaseOrder | OrderChange | OrderResponse | DespatchAdvice | Invoice)
    assert (message.format, message.message_type) == ("opentrans", expected.message_type)
    assert document.number == expected.number
    assert message.envelope.control_reference == expected.number
    assert (message.envelope.sender, message.envelope.recipient) == (expected.sender, expected.recipient)
    assert message.envelope.version == "2.1"
    assert len(document.lines) == expected.lines
    index, quantity = expected.quantity
    assert document.lines[index].quantity == Decimal(quantity)
    if expected.price is not None:
        index, price = expected.price
        line = document.lines[index]
        value = line.net_price if isinstance(line, InvoiceLine) else getattr(line, "unit_price", None)
        assert value == Decimal(price)


@pytest.mark.parametrize("path", FILES, ids=_key)
def test_detect_names_the_root_of_every_sample(path: Path) -> None:
    data = path.read_bytes()
    assert detect(data) == etree.QName(etree.fromstring(data)).localname


def test_invalid_samples_are_rejected_only_for_their_udx_field() -> None:
    for name in (
        "sample_invoice_opentrans_2_1_invalid.xml",
        "sample_dispatchnotification_opentrans_2_1_invalid.xml",
    ):
        data = (SAMPLES / "opentranssharp" / name).read_bytes()
        rejected = decode(data)
        assert rejected.error is not None
        assert rejected.error.position is not None
        assert rejected.error.position.segment_tag is not None
        assert rejected.error.position.segment_tag.endswith("HEADER_UDX/UDX.ORGANIZATION.CUSTOM_DATA_2")
        assert rejected.error.position.line is not None
        assert decode(data, udx_rules={}).ok


def test_unresolved_idref_error_points_at_the_reference() -> None:
    message = decode((SAMPLES / "naugrimm" / "sample_order_opentrans_2_1_xml_signature.xml").read_bytes())
    assert message.error is not None
    assert message.error.position is not None
    assert (
        message.error.position.segment_tag
        == "ORDER/ORDER_HEADER/ORDER_INFO/ORDER_PARTIES_REFERENCE/BUYER_IDREF"
    )
    assert message.envelope.control_reference == "OID1"


def test_testdistributor_order_keeps_parties_dates_and_note() -> None:
    order = decode(
        (SAMPLES / "naugrimm" / "Example_ORDER_Testdistributor_Bestellung.xml").read_bytes()
    ).document
    assert isinstance(order, PurchaseOrder)
    assert order.buyer.name == "ITscope GmbH"
    assert order.buyer.contact is not None
    assert order.buyer.contact.email == "support@itscope.com"
    assert order.delivery_party is not None
    assert order.delivery_party.address is not None
    assert order.delivery_party.address.additional == "5 Stock"
    assert order.invoicee is None  # INVOICE_RECIPIENT_IDREF names the buyer itself
    assert order.lines[0].gtin == "0190198870803"
    assert order.lines[2].requested_date == date(2021, 10, 22)
    assert (order.currency, order.note) == ("EUR", "hier ist ein Kommentar")


def test_testdistributor_despatch_reads_package_carrier_and_order_lines() -> None:
    path = SAMPLES / "naugrimm" / "Example_DISPATCHNOTIFICATION_Testdistributor_Lieferavis.xml"
    message = decode(path.read_bytes())
    advice = message.document
    assert isinstance(advice, DespatchAdvice)
    assert advice.order_number == "GWAHJV-160131-1470"
    assert [line.order_line_id for line in advice.lines] == ["00001", "00002", "00003"]
    assert len(advice.packages) == 1
    # 20 digits: not an SSCC, so the package keeps only its description
    assert (advice.packages[0].sscc, advice.packages[0].package_type) == (None, "Parcel")
    assert any("00000000305474401482" in warning for warning in message.warnings)
    assert (advice.carrier, advice.tracking_number) == ("Trans-O-Flex GmbH & Co. KG", "1Z7318301287125572")


def test_testdistributor_invoice_totals_and_tax() -> None:
    invoice = decode(
        (SAMPLES / "naugrimm" / "Example_INVOICE_Testdistributor_Rechnung.xml").read_bytes()
    ).document
    assert isinstance(invoice, Invoice)
    assert invoice.totals.line_total == Decimal("1401.0")
    assert invoice.totals.charge_total == Decimal("10.9")
    assert invoice.totals.tax_total == Decimal("266.19")
    assert invoice.totals.payable == Decimal("1678.09")
    assert [(s.category, s.rate, s.taxable_amount) for s in invoice.tax_subtotals] == [
        ("S", Decimal(19), Decimal("1401.0"))
    ]
    assert invoice.lines[0].vat_rate == Decimal(19)
    assert invoice.order_number == "GWAHJV-160131-1470"
    assert invoice.lines[1].order_line_id == "00003"


def test_order_response_without_status_fields_is_read_as_accepted() -> None:
    path = SAMPLES / "naugrimm" / "Example_ORDERRESPONSE_Testdistributor_Auftragsbestaetigung.xml"
    response = decode(path.read_bytes()).document
    assert isinstance(response, OrderResponse)
    assert response.status is ResponseStatus.ACCEPTED
    assert {line.status for line in response.lines} == {LineStatus.ACCEPTED}
    assert response.order_number == "GWAHJV-160131-1470"


def test_the_orderchange_sample_reverses_its_item() -> None:
    change = decode((SAMPLES / "naugrimm" / "minimal_valid_orderchange.xml").read_bytes()).document
    assert isinstance(change, OrderChange)
    assert (change.order_number, change.sequence, change.issue_date) == ("order-id-1", "1", date(2020, 1, 27))
    [line] = change.lines
    assert (line.line_id, line.action, line.quantity) == (
        "line-item-id-1",
        ChangeAction.CANCELLED,
        Decimal(5),
    )
    assert line.supplier_article == "product-number-1"
