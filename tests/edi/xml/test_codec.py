from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from edi.documents import AckError, Acknowledgement, AckStatus, OrderLine, Party, PurchaseOrder
from edi.errors import EdiSyntaxError, EncodeError, UnsafeXmlError, UnsupportedError, ValidationError
from edi.xml import codec
from edi.xml.safe import parse_xml
from edi.xml.schemas import SchemaStore
from tests.edi.xml._support import STORE, XML

UBL_ORDER = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (UBL_ORDER, ("ubl", "Order")),
        (
            b'<?xml version="1.0"?>\n<!-- c -->'
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
            ("ubl", "Invoice"),
        ),
        (
            b"<x:CrossIndustryInvoice "
            b'xmlns:x="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>',
            ("cii", "CrossIndustryInvoice"),
        ),
        (
            b'<x:CrossIndustryDocument xmlns:x="urn:ferd:CrossIndustryDocument:invoice:1p0"/>',
            ("zugferd", "CrossIndustryDocument"),
        ),
        (b'<ORDER xmlns="http://www.opentrans.org/XMLSchema/2.1" version="2.1"/>', ("opentrans", "ORDER")),
        (b'<BMECAT xmlns="http://www.bmecat.org/bmecat/2005" version="2005"/>', ("bmecat", "BMECAT")),
        (b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', None),
        (b"<Invoice/>", None),
        (b"UNA:+.? 'UNB+UNOC:3+X+Y'", None),
        (b"", None),
    ],
)
def test_detect_recognises_root_elements(data: bytes, expected: tuple[str, str] | None) -> None:
    assert codec.detect(data) == expected


def test_detect_reads_only_the_root_start_tag() -> None:
    # everything after the root's start tag is broken, detection still answers
    assert codec.detect(UBL_ORDER[:-2] + b"><cbc:ID>unterminated") == ("ubl", "Order")


def test_detect_recognises_opentrans_samples() -> None:
    path = XML / "opentrans21/samples/naugrimm/minimal_valid_order.xml"
    assert codec.detect(path.read_bytes()) == ("opentrans", "ORDER")


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>&xxe;</ID></Order>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Order [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>&d;</ID></Order>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Order SYSTEM "http://127.0.0.1:9/order.dtd">
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>"""


@pytest.mark.parametrize("data", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_hostile_xml_is_refused(data: bytes) -> None:
    with pytest.raises(UnsafeXmlError):
        codec.decode(data)


def test_oversized_xml_is_refused() -> None:
    data = UBL_ORDER[:-2] + b">" + b" " * (50 * 1024 * 1024) + b"</Order>"
    with pytest.raises(UnsafeXmlError, match="exceeds the limit"):
        codec.decode(data)


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(EdiSyntaxError) as caught:
        codec.decode(UBL_ORDER[:-2] + b">\n<cbc:ID>1</cbc:ID></Order>")
    assert caught.value.position is not None and caught.value.position.line == 2


def test_unknown_xml_is_unsupported() -> None:
    with pytest.raises(UnsupportedError, match="not an XML business document"):
        codec.decode(b"<Invoice/>")


def test_opentrans_is_left_to_its_own_codec() -> None:
    with pytest.raises(UnsupportedError, match="opentrans"):
        codec.decode(b'<ORDER xmlns="http://www.opentrans.org/XMLSchema/2.1" version="2.1"/>')


@pytest.mark.parametrize(
    "name",
    [
        "peppol-bis-ordering/samples/OrderResponseAdvanced_Example.xml",
        "peppol-bis-ordering/samples/Advanced_Ordering_scenarios/advanced_ordering_sc2/OrderResponse_sc2.xml",
    ],
)
def test_validating_decode_rejects_order_change_document_reference(name: str) -> None:
    message = codec.decode((XML / name).read_bytes(), validate=True, schemas=STORE)
    assert isinstance(message.error, ValidationError)
    assert "OrderChangeDocumentReference" in message.error.message
    assert message.document is None and message.envelope.control_reference


def test_validating_decode_accepts_valid_document() -> None:
    message = codec.decode(
        (XML / "peppol-bis-ordering/samples/Order_Example.xml").read_bytes(), validate=True, schemas=STORE
    )
    assert message.ok and isinstance(message.document, PurchaseOrder)


def test_validating_decode_without_schema_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedError, match=r"neither in the schema folder .* nor among the installed"):
        codec.decode(
            (XML / "peppol-bis-ordering/samples/Order_Example.xml").read_bytes(),
            validate=True,
            schemas=SchemaStore(tmp_path),
        )


def test_mapping_error_is_returned_in_the_message_with_position() -> None:
    data = (
        (XML / "peppol-bis-ordering/samples/Order_Example.xml")
        .read_bytes()
        .replace(b"<cbc:IssueDate>", b"<cbc:IssueDate>x", 1)
    )
    message = codec.decode(data)
    assert message.error is not None and not message.ok
    assert "is not a valid date" in message.error.message
    assert message.error.position is not None and message.error.position.segment_tag == "/Order/cbc:IssueDate"
    assert message.error.position.line is not None


def test_encode_refuses_cii_for_orders_and_unknown_syntax() -> None:
    order = PurchaseOrder(
        number="1", issue_date=date(2026, 1, 2), buyer=Party(name="B"), seller=Party(name="S"), lines=()
    )
    with pytest.raises(EncodeError, match="CII carries invoices only"):
        codec.encode(order, syntax="cii")
    with pytest.raises(EncodeError, match="unknown XML syntax"):
        codec.encode(order, syntax="edifact")
    with pytest.raises(EncodeError, match="no lines"):
        codec.encode(order)


def test_application_response_round_trips_and_is_schema_valid() -> None:
    ack = Acknowledgement(
        interchange_reference="INV-7",
        status=AckStatus.REJECTED,
        kind="application",
        document_reference="INV-7",
        sender=Party(name="Käufer & Co", gln="4000001000005"),
        recipient=Party(name="Seller <Ltd>", gln="4000001000012"),
        errors=(
            AckError(code="BV", text='Buyer reference "missing"', segment_tag="/Invoice/cbc:BuyerReference"),
        ),
        issue_date=date(2026, 3, 4),
    )
    data = codec.encode(ack)
    assert STORE.findings(parse_xml(data)) == ()
    message = codec.decode(data)
    assert message.document == ack
    assert (message.message_type, message.envelope.sender) == ("ApplicationResponse", "4000001000005")


def test_quantities_keep_their_decimal_notation() -> None:
    order = PurchaseOrder(
        number="1",
        issue_date=date(2026, 1, 2),
        buyer=Party(name="B"),
        seller=Party(name="S"),
        lines=(OrderLine(line_id="1", quantity=Decimal("1E+2"), unit_price=Decimal("0.10")),),
        currency="EUR",
    )
    data = codec.encode(order)
    assert b'unitCode="C62">100</cbc:Quantity>' in data
    assert b'currencyID="EUR">0.10</cbc:PriceAmount>' in data
    assert STORE.findings(parse_xml(data)) == ()


def test_unit_price_without_currency_cannot_be_encoded() -> None:
    order = PurchaseOrder(
        number="1",
        issue_date=date(2026, 1, 2),
        buyer=Party(name="B"),
        seller=Party(name="S"),
        lines=(OrderLine(line_id="1", quantity=Decimal("1"), unit_price=Decimal("2")),),
    )
    with pytest.raises(EncodeError, match="needs the order currency"):
        codec.encode(order)


def test_text_that_xml_cannot_hold_is_an_encode_error() -> None:
    order = PurchaseOrder(
        number="bell\x07",
        issue_date=date(2026, 1, 2),
        buyer=Party(name="B"),
        seller=Party(name="S"),
        lines=(OrderLine(line_id="1", quantity=Decimal("1")),),
    )
    with pytest.raises(EncodeError, match="cannot hold"):
        codec.encode(order)
