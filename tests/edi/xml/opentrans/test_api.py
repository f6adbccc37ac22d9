"""The public surface of ``edi.xml.opentrans``: exported names, detect, decode errors, encode errors,
envelope handling and the documents built in ``documents.py``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import edi.xml.opentrans as opentrans
from edi.documents import (
    Acknowledgement,
    AckStatus,
    Address,
    Document,
    Envelope,
    Party,
    PurchaseOrder,
)
from edi.errors import EdiSyntaxError, EncodeError, UnsafeXmlError, UnsupportedError
from edi.xml.opentrans import decode, detect, encode
from tests.edi.xml.opentrans.documents import CHANGE, DESPATCH, INVOICE, ORDER, RESPONSE
from tests.edi.xml.opentrans.xsd import xsd_errors

DOCUMENTS = [
    pytest.param(ORDER, "ORDER", id="order"),
    pytest.param(CHANGE, "ORDERCHANGE", id="change"),
    pytest.param(RESPONSE, "ORDERRESPONSE", id="response"),
    pytest.param(DESPATCH, "DISPATCHNOTIFICATION", id="despatch"),
    pytest.param(INVOICE, "INVOICE", id="invoice"),
]


def test_public_names_are_pinned() -> None:
    assert sorted(opentrans.__all__) == [
        "DEFAULT_UDX_RULES",
        "FORMAT",
        "NAMESPACE",
        "UdxRule",
        "VERSION",
        "decode",
        "detect",
        "encode",
    ]


@pytest.mark.parametrize(("document", "root"), DOCUMENTS)
def test_document_survives_encode_and_decode(document: Document, root: str) -> None:
    data = encode(document)
    assert xsd_errors(data) == []
    assert detect(data) == root
    message = decode(data)
    assert message.ok, message.error
    assert message.message_type == root
    assert message.document == document


def test_envelope_is_taken_from_the_parties_with_gln_first() -> None:
    order = decode(encode(ORDER))
    assert (order.envelope.sender, order.envelope.sender_qualifier) == ("4012345000009", "gln")
    assert (order.envelope.recipient, order.envelope.recipient_qualifier) == ("L-77", "buyer_specific")
    invoice = decode(encode(INVOICE))
    assert (invoice.envelope.sender, invoice.envelope.recipient) == ("L-77", "4012345000009")
    assert invoice.envelope.control_reference == "INV-3"


def test_envelope_time_and_test_flag_are_written_to_control_info() -> None:
    prepared = datetime(2026, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    envelope = Envelope(sender="x", recipient="y", control_reference="PO-1", prepared_at=prepared, test=True)
    message = decode(encode(ORDER, envelope=envelope))
    assert message.envelope.prepared_at == prepared
    assert message.envelope.test is True
    assert any("STOP_AUTOMATIC_PROCESSING" in warning for warning in message.warnings)


def test_naive_envelope_time_is_refused() -> None:
    envelope = Envelope(sender="x", recipient="y", control_reference="1", prepared_at=datetime(2026, 3, 1))
    with pytest.raises(EncodeError, match="timezone-aware"):
        encode(ORDER, envelope=envelope)


def test_timestamp_without_offset_is_read_as_utc() -> None:
    data = encode(ORDER).replace(
        b"<ORDER_HEADER>",
        b"<ORDER_HEADER><CONTROL_INFO><GENERATION_DATE>2026-03-01T10:00:00</GENERATION_DATE></CONTROL_INFO>",
    )
    assert decode(data).envelope.prepared_at == datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "data",
    [
        b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>",
        b"<ORDER xmlns='http://www.opentrans.org/XMLSchema/1.0' version='1.0'/>",
        b"<ORDER xmlns='http://www.opentrans.org/XMLSchema/2.1' version='2.0'/>",
        b"UNA:+.? 'UNB+UNOC:3+X+Y'",
        b"<!DOCTYPE x><ORDER/>",
        b"",
    ],
    ids=["ubl", "opentrans-1.0-namespace", "version-2.0", "edifact", "doctype", "empty"],
)
def test_detect_says_none_for_anything_else(data: bytes) -> None:
    assert detect(data) is None


def test_decode_refuses_foreign_and_unsafe_input() -> None:
    with pytest.raises(UnsupportedError, match=r"not in the openTRANS 2\.1 namespace"):
        decode(b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>")
    with pytest.raises(UnsupportedError, match=r"only 2\.1 is mapped"):
        decode(b"<ORDER xmlns='http://www.opentrans.org/XMLSchema/2.1' version='2.0'/>")
    with pytest.raises(UnsupportedError, match="QUOTATION is not mapped"):
        decode(b"<QUOTATION xmlns='http://www.opentrans.org/XMLSchema/2.1' version='2.1'/>")
    with pytest.raises(UnsafeXmlError):
        decode(b"<!DOCTYPE ORDER [<!ENTITY x 'y'>]><ORDER/>")
    with pytest.raises(EdiSyntaxError) as caught:
        decode(b"<ORDER xmlns='http://www.opentrans.org/XMLSchema/2.1' version='2.1'>\n<ORDER_HEADER>")
    assert caught.value.position is not None
    assert caught.value.position.line == 2


def test_missing_mandatory_element_is_named() -> None:
    data = encode(ORDER).replace(b"<ORDER_ID>PO-1</ORDER_ID>", b"")
    error = decode(data).error
    assert error is not None
    assert "ORDER/ORDER_HEADER/ORDER_INFO has no ORDER_ID, which is mandatory" in error.message


def test_acknowledgements_have_no_opentrans_document() -> None:
    ack = Acknowledgement(interchange_reference="1", status=AckStatus.ACCEPTED)
    with pytest.raises(UnsupportedError, match="Acknowledgement"):
        encode(ack)


@pytest.mark.parametrize(
    ("document", "match"),
    [
        pytest.param(
            dataclasses.replace(ORDER, currency="CZK"), "currency 'CZK'", id="currency-not-in-bmecat"
        ),
        pytest.param(
            dataclasses.replace(ORDER, lines=(dataclasses.replace(ORDER.lines[0], unit="XYZ"),)),
            "unit 'XYZ'",
            id="unit-not-in-bmecat",
        ),
        pytest.param(
            dataclasses.replace(ORDER, seller=Party(name="no id")), "seller has neither", id="party-no-id"
        ),
        pytest.param(
            dataclasses.replace(ORDER, lines=(dataclasses.replace(ORDER.lines[0], line_id="x" * 51),)),
            "LINE_ITEM_ID .* has 51 characters; openTRANS 2.1 allows 50",
            id="too-long",
        ),
        pytest.param(
            dataclasses.replace(ORDER, lines=()), "at least one ORDER_ITEM", id="order-without-lines"
        ),
        pytest.param(dataclasses.replace(RESPONSE, lines=()), "at least one", id="response-without-lines"),
        pytest.param(
            dataclasses.replace(CHANGE, lines=()), "at least one ORDER_ITEM", id="change-without-lines"
        ),
        pytest.param(
            dataclasses.replace(CHANGE, sequence=None),
            "needs ORDERCHANGE_SEQUENCE_ID",
            id="change-no-sequence",
        ),
        pytest.param(
            dataclasses.replace(CHANGE, lines=(dataclasses.replace(CHANGE.lines[0], quantity=None),)),
            "needs a quantity above zero",
            id="changed-line-without-quantity",
        ),
        pytest.param(
            dataclasses.replace(
                DESPATCH,
                packages=(
                    dataclasses.replace(
                        DESPATCH.packages[0],
                        lines=(dataclasses.replace(DESPATCH.lines[0], order_line_id=None),),
                    ),
                ),
            ),
            "no order_line_id",
            id="despatch-line-without-order-line",
        ),
        pytest.param(
            dataclasses.replace(DESPATCH, packages=(dataclasses.replace(DESPATCH.packages[0], sscc="123"),)),
            "SSCC '123'",
            id="bad-sscc",
        ),
        pytest.param(dataclasses.replace(INVOICE, type_code="389"), "type code '389'", id="self-billing"),
        pytest.param(
            dataclasses.replace(INVOICE, order_number=None), "no order number", id="order-line-no-order"
        ),
        pytest.param(
            dataclasses.replace(ORDER, note="bell\x07"),
            "REMARKS .* cannot be written as XML",
            id="control-character",
        ),
    ],
)
def test_inexpressible_document_is_an_encode_error(document: Document, match: str) -> None:
    with pytest.raises(EncodeError, match=match):
        encode(document)


def test_country_missing_from_bmecat_list_travels_in_free_text() -> None:
    buyer = dataclasses.replace(ORDER.buyer, address=Address(city="Beograd", country_code="RS"))
    data = encode(dataclasses.replace(ORDER, buyer=buyer))
    assert b"<bmecat:COUNTRY>RS</bmecat:COUNTRY>" in data
    assert xsd_errors(data) == []
    order = decode(data).document
    assert isinstance(order, PurchaseOrder)
    assert order.buyer == buyer


def test_large_and_tiny_decimals_are_written_without_exponent() -> None:
    line = dataclasses.replace(ORDER.lines[0], quantity=Decimal("1E+3"), unit_price=Decimal("1E-7"))
    data = encode(dataclasses.replace(ORDER, lines=(line,)))
    assert b"<QUANTITY>1000</QUANTITY>" in data
    assert b"<bmecat:PRICE_AMOUNT>0.0000001</bmecat:PRICE_AMOUNT>" in data
    assert xsd_errors(data) == []


def test_bad_generation_date_is_a_mapping_error() -> None:
    data = encode(ORDER).replace(
        b"<ORDER_HEADER>",
        b"<ORDER_HEADER><CONTROL_INFO><GENERATION_DATE>soon</GENERATION_DATE></CONTROL_INFO>",
    )
    error = decode(data).error
    assert error is not None
    assert "GENERATION_DATE 'soon' is not a date" in error.message
