"""Content checks beyond the XSD: each mutation of a valid file yields a MappingError naming the fault,
with the element path and line of the offending element."""

from __future__ import annotations

import pytest

from edi.documents import Document, LineStatus, OrderResponse
from edi.errors import MappingError
from edi.xml.opentrans import UdxRule, decode, encode
from tests.edi.corpus import CORPUS
from tests.edi.xml.opentrans.documents import DESPATCH, INVOICE, ORDER, RESPONSE
from tests.edi.xml.opentrans.xsd import xsd_errors


def _mutated(document: Document, old: str, new: str, count: int = 1) -> bytes:
    data = encode(document).decode()
    assert old in data, old
    return data.replace(old, new, count).encode()


def _error(data: bytes) -> MappingError:
    message = decode(data)
    assert message.document is None
    assert isinstance(message.error, MappingError)
    return message.error


CASES = [
    pytest.param(
        ORDER,
        "<bmecat:SUPPLIER_IDREF>L-77<",
        "<bmecat:SUPPLIER_IDREF>L-78<",
        "SUPPLIER_IDREF 'L-78' names no PARTY",
        "ORDER_PARTIES_REFERENCE/SUPPLIER_IDREF",
        id="idref-without-party",
    ),
    pytest.param(
        ORDER,
        "<QUANTITY>2</QUANTITY>",
        "<QUANTITY>-2</QUANTITY>",
        "QUANTITY -2 of line '1' must be more than zero",
        "ORDER_ITEM[1]/QUANTITY",
        id="negative-quantity",
    ),
    pytest.param(
        ORDER,
        "<QUANTITY>2</QUANTITY>",
        "<QUANTITY>0</QUANTITY>",
        "must be more than zero",
        "ORDER_ITEM[1]/QUANTITY",
        id="zero-quantity-in-order",
    ),
    pytest.param(
        ORDER,
        "<bmecat:ORDER_UNIT>KGM<",
        "<bmecat:ORDER_UNIT>KILO<",
        "ORDER_UNIT 'KILO' is not a UN/ECE Recommendation 20 unit code",
        "ORDER_ITEM[2]/ORDER_UNIT",
        id="unknown-unit",
    ),
    pytest.param(
        ORDER,
        '<bmecat:PARTY_ID type="gln">4012345000009<',
        '<bmecat:PARTY_ID type="gln">4012345000008<',
        "PARTY_ID '4012345000008' of type 'gln' is not a GLN",
        "PARTY[1]/PARTY_ID",
        id="gln-check-digit",
    ),
    pytest.param(
        ORDER,
        ">4006381333931<",
        ">4006381333932<",
        "INTERNATIONAL_PID '4006381333932' of type 'gtin' is not a GTIN",
        "PRODUCT_ID/INTERNATIONAL_PID",
        id="gtin-check-digit",
    ),
    pytest.param(
        ORDER,
        "<TOTAL_ITEM_NUM>2<",
        "<TOTAL_ITEM_NUM>3<",
        "TOTAL_ITEM_NUM says 3 items but the item list holds 2",
        "ORDER_SUMMARY/TOTAL_ITEM_NUM",
        id="item-count",
    ),
    pytest.param(
        ORDER,
        "<LINE_ITEM_ID>2<",
        "<LINE_ITEM_ID>1<",
        "LINE_ITEM_ID '1' occurs twice",
        "ORDER_ITEM[2]",
        id="duplicate-line-id",
    ),
    pytest.param(
        ORDER,
        "<ORDER_DATE>2026-03-01<",
        "<ORDER_DATE>2026-02-30<",
        "ORDER_DATE: day is out of range",
        "ORDER_INFO/ORDER_DATE",
        id="impossible-date",
    ),
    pytest.param(
        INVOICE,
        "<TOTAL_AMOUNT>119.00<",
        "<TOTAL_AMOUNT>120.00<",
        "TOTAL_AMOUNT 120.00 differs from NET_VALUE_GOODS - allowances + charges + tax = 119.00",
        "INVOICE_SUMMARY/TOTAL_AMOUNT",
        id="invoice-total",
    ),
    pytest.param(
        INVOICE,
        "<NET_VALUE_GOODS>100.00<",
        "<NET_VALUE_GOODS>90.00<",
        "NET_VALUE_GOODS 90.00 differs from the sum of PRICE_LINE_AMOUNT 100.00",
        "INVOICE_SUMMARY/NET_VALUE_GOODS",
        id="invoice-goods",
    ),
    pytest.param(
        INVOICE,
        "<bmecat:TAX>0.19<",
        "<bmecat:TAX>19<",
        "TAX 19 is not a tax factor",
        "PRODUCT_PRICE_FIX/TAX_DETAILS_FIX",
        id="tax-as-percent",
    ),
    pytest.param(
        INVOICE,
        "<bmecat:TAX_CATEGORY>standard_rate<",
        "<bmecat:TAX_CATEGORY>normal<",
        "TAX_CATEGORY 'normal' is neither a BMEcat tax category",
        "PRODUCT_PRICE_FIX/TAX_DETAILS_FIX",
        id="tax-category",
    ),
    pytest.param(
        DESPATCH,
        "<ORDER_ID>PO-1<",
        "<ORDER_ID>PO-2<",
        "covers several orders ('PO-1', 'PO-2')",
        "DISPATCHNOTIFICATION_ITEM[2]/ORDER_REFERENCE",
        id="despatch-of-two-orders",
    ),
]


@pytest.mark.parametrize(("document", "old", "new", "names", "path"), CASES)
def test_content_fault_is_a_mapping_error_naming_it(
    document: Document, old: str, new: str, names: str, path: str
) -> None:
    if document is DESPATCH:  # a second item so that one of two references can differ
        data = encode(document).decode()
        start, end = data.index("<DISPATCHNOTIFICATION_ITEM>"), data.index("</DISPATCHNOTIFICATION_ITEM>")
        item = data[start : end + len("</DISPATCHNOTIFICATION_ITEM>")]
        second = item.replace("<LINE_ITEM_ID>1<", "<LINE_ITEM_ID>2<", 1).replace(old, new)
        data = data.replace(item, item + second).replace("<TOTAL_ITEM_NUM>1<", "<TOTAL_ITEM_NUM>2<")
        mutated = data.encode()
    else:
        mutated = _mutated(document, old, new)
    error = _error(mutated)
    assert names in error.message
    assert error.position is not None
    assert error.position.segment_tag is not None
    assert path in error.position.segment_tag
    assert error.position.line is not None


def test_content_faults_pass_the_xsd() -> None:
    # the faults above are content faults: the schema alone lets them through
    assert xsd_errors(_mutated(ORDER, "<bmecat:SUPPLIER_IDREF>L-77<", "<bmecat:SUPPLIER_IDREF>L-78<")) == []
    assert xsd_errors(_mutated(INVOICE, "<TOTAL_AMOUNT>119.00<", "<TOTAL_AMOUNT>120.00<")) == []


def test_order_total_must_match_the_line_amounts() -> None:
    path = CORPUS / "xml/opentrans21/samples/naugrimm/Example_ORDER_Testdistributor_Bestellung.xml"
    data = path.read_bytes().replace(b"<TOTAL_AMOUNT>2298.0<", b"<TOTAL_AMOUNT>2299.0<")
    error = _error(data)
    assert "TOTAL_AMOUNT 2299.0 differs from the sum of PRICE_LINE_AMOUNT 2298.0" in error.message


def test_zero_quantity_in_an_order_response_rejects_the_line() -> None:
    data = _mutated(RESPONSE, "<QUANTITY>1</QUANTITY>", "<QUANTITY>0</QUANTITY>")
    data = data.replace(b"<UDX.ECRM.LINE_STATUS>changed</UDX.ECRM.LINE_STATUS>", b"")
    response = decode(data).document
    assert isinstance(response, OrderResponse)
    assert response.lines[0].status is LineStatus.REJECTED


def test_unknown_status_in_the_status_field_is_a_mapping_error() -> None:
    error = _error(
        _mutated(RESPONSE, ">changed</UDX.ECRM.RESPONSE_STATUS>", ">maybe</UDX.ECRM.RESPONSE_STATUS>")
    )
    assert "UDX.ECRM.RESPONSE_STATUS 'maybe' is not one of accepted, rejected, changed" in error.message


def test_partner_udx_rule_is_checked_in_item_udx() -> None:
    data = _mutated(RESPONSE, "<ITEM_UDX>", "<ITEM_UDX><UDX.ACME.COLOR>ultramarine</UDX.ACME.COLOR>")
    assert decode(data).ok
    rules = {"UDX.ACME.COLOR": UdxRule("UDX.ACME.COLOR", max_length=5)}
    error = decode(data, udx_rules=rules).error
    assert isinstance(error, MappingError)
    assert "UDX.ACME.COLOR holds 11 characters ('ultramarine')" in error.message


def test_structured_udx_field_must_hold_its_children() -> None:
    data = _mutated(
        ORDER, "</ORDER_INFO>", "<HEADER_UDX><UDX.ORGANIZATION.CUSTOM_DATA/></HEADER_UDX></ORDER_INFO>"
    )
    error = _error(data)
    assert "must contain UDX.ORGANIZATION.CUSTOM_DATA.NAME" in error.message


def test_mapping_error_keeps_the_document_id_in_the_envelope() -> None:
    message = decode(_mutated(ORDER, "<QUANTITY>2</QUANTITY>", "<QUANTITY>-2</QUANTITY>"))
    assert (message.format, message.message_type) == ("opentrans", "ORDER")
    assert message.envelope.control_reference == "PO-1"
    assert not message.ok


def test_a_delivery_reference_naming_no_party_is_a_warning_and_the_party_is_unknown() -> None:
    data = _mutated(
        DESPATCH, '<DELIVERY_IDREF type="gln">4012345000009<', '<DELIVERY_IDREF type="gln">9999<', 2
    )
    message = decode(data)
    assert message.error is None and message.document is not None
    assert message.document.ship_to is None
    assert len(message.warnings) == 2
    assert all("DELIVERY_IDREF '9999' names no PARTY" in w for w in message.warnings)


def test_a_buyer_reference_naming_no_party_is_still_refused() -> None:
    data = _mutated(
        DESPATCH, '<bmecat:BUYER_IDREF type="gln">4012345000009<', '<bmecat:BUYER_IDREF type="gln">9999<'
    )
    assert "BUYER_IDREF '9999' names no PARTY" in _error(data).message
