"""Segment -> document mapping of the 850, 855, 856 and 810, and their mandatory/code checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi.documents import (
    DespatchAdvice,
    Invoice,
    LineStatus,
    Message,
    OrderResponse,
    PurchaseOrder,
    ResponseStatus,
)
from edi.errors import MappingError
from edi.x12 import decode_all
from tests.edi.x12._build import PO_BODY, interchange, purchase_order, transaction_set


def _one(set_id: str, body: list[str], *, strict: bool = False, functional_id: str = "PO") -> Message:
    data = interchange(transaction_set(set_id, "0001", body), functional_id=functional_id)
    result = decode_all(data, strict=strict)
    assert result.error is None
    (message,) = result.messages
    return message


def _error(message: Message) -> MappingError:
    assert isinstance(message.error, MappingError), message.error
    return message.error


def test_850_maps_parties_gln_party_id_and_address() -> None:
    po = decode_all(interchange(purchase_order())).messages[0].document
    assert isinstance(po, PurchaseOrder)
    assert (po.number, po.issue_date, po.currency) == ("PO-1", date(2024, 1, 2), "EUR")
    assert (po.buyer.name, po.buyer.gln, po.buyer.party_id) == ("BUYER GMBH", "4012345000009", None)
    assert po.buyer.address is not None
    assert (po.buyer.address.street, po.buyer.address.city, po.buyer.address.postal_code) == (
        "HAUPTSTRASSE 1",
        "BERLIN",
        "10115",
    )
    assert po.buyer.address.country_code == "DE"
    assert (po.seller.name, po.seller.party_id) == ("SELLER AG", "S-77")


def test_850_line_qualifiers_become_gtin_supplier_and_buyer_article() -> None:
    po = decode_all(interchange(purchase_order())).messages[0].document
    assert isinstance(po, PurchaseOrder)
    first, second = po.lines
    assert (first.line_id, first.quantity, first.unit, first.unit_price) == (
        "1",
        Decimal(5),
        "C62",
        Decimal("2.50"),
    )
    assert (first.gtin, first.supplier_article, first.buyer_article) == ("4012345000016", "ART-1", "B-1")
    assert first.description == "BLUE WIDGET"
    assert (second.unit, second.gtin) == ("CS", "012345678905")


def test_850_dtm_002_is_the_requested_date_of_order_or_line() -> None:
    body = [*PO_BODY[:2], "DTM*002*20240301", *PO_BODY[2:8], "DTM*002*20240315", *PO_BODY[8:]]
    po = _one("850", body).document
    assert isinstance(po, PurchaseOrder)
    assert po.requested_delivery_date == date(2024, 3, 1)
    assert po.lines[0].requested_date == date(2024, 3, 15)
    assert po.lines[1].requested_date is None


def test_850_ctt_disagreeing_with_the_lines_is_a_warning_and_an_error_when_strict() -> None:
    body = [*PO_BODY[:-1], "CTT*3"]
    assert _one("850", body).warnings == ("CTT01 says 3 line items but the order has 2 PO1 segments",)
    assert _error(_one("850", body, strict=True)).code == "5"


@pytest.mark.parametrize(
    ("edit", "code", "tag", "element"),
    [
        (("BEG*00*SA*PO-1**20240102", "REF*ZZ*X"), "3", "BEG", None),
        (("BEG*00*", "BEG*99*"), "7", "BEG", 1),
        (("BEG*00*SA*PO-1**20240102", "BEG*00*SA*PO-1**20241302"), "8", "BEG", 5),
        (("PO1*1*5*EA", "PO1*1*FIVE*EA"), "6", "PO1", 2),
        (("PO1*1*5*EA", "PO1*1**EA"), "1", "PO1", 2),
    ],
)
def test_850_content_faults_name_segment_element_and_x12_code(
    edit: tuple[str, str], code: str, tag: str, element: int | None
) -> None:
    body = [s.replace(*edit) for s in PO_BODY]
    error = _error(_one("850", body))
    assert error.position is not None
    assert (error.code, error.position.segment_tag, error.position.element) == (code, tag, element)


def test_mapping_error_names_segment_number_line_column_and_byte_offset() -> None:
    body = [s.replace("PO1*2*1*CA*10", "PO1*2*X*CA*10") for s in PO_BODY]
    data = interchange(transaction_set("850", "0001", body))
    (message,) = decode_all(data).messages
    pos = _error(message).position
    assert pos is not None
    index = 3 + body.index("PO1*2*X*CA*10**UP*012345678905") + 1
    assert (pos.segment_index, pos.line, pos.column, pos.element) == (index, index, 1, 2)
    assert pos.offset == data.index(b"PO1*2*X")
    assert f"segment {index} (PO1) element 2 at line {index}, column 1 byte {pos.offset}" in str(
        message.error
    )


ACK_BODY = [
    "BAK*00*AC*PO-1*20240102*****20240103",
    "N1*SE*SELLER AG*92*S-77",
    "PO1*1*5*EA*2.50**EN*4012345000016",
    "ACK*IA*5*EA*068*20240110",
    "PO1*2*1*CA*10",
    "ACK*IQ*3*CA*068*20240120",
    "PO1*3*1*EA*4",
    "ACK*IR*0*EA",
    "CTT*3",
]


def test_855_maps_header_and_line_status_quantity_and_date() -> None:
    resp = _one("855", ACK_BODY, functional_id="PR").document
    assert isinstance(resp, OrderResponse)
    assert (resp.order_number, resp.status, resp.issue_date) == (
        "PO-1",
        ResponseStatus.CHANGED,
        date(2024, 1, 3),
    )
    assert [(line.status, line.quantity, line.promised_date) for line in resp.lines] == [
        (LineStatus.ACCEPTED, Decimal(5), date(2024, 1, 10)),
        (LineStatus.CHANGED, Decimal(3), date(2024, 1, 20)),
        (LineStatus.REJECTED, Decimal(0), None),
    ]
    assert resp.lines[1].unit == "CS"
    assert resp.seller.party_id == "S-77"


def test_855_rejection_without_lines() -> None:
    resp = _one("855", ["BAK*00*RJ*PO-1*20240102"], functional_id="PR").document
    assert isinstance(resp, OrderResponse)
    assert (resp.status, resp.lines) == (ResponseStatus.REJECTED, ())


@pytest.mark.parametrize(
    ("edit", "code", "tag", "element"),
    [
        (("BAK*00*AC", "BAK*00*XX"), "7", "BAK", 2),
        (("ACK*IQ", "ACK*QQ"), "7", "ACK", 1),
        (("BAK*00*AC*PO-1*20240102*****20240103", "DTM*002*20240101"), "3", "BAK", None),
    ],
)
def test_855_code_and_mandatory_checks(
    edit: tuple[str, str], code: str, tag: str, element: int | None
) -> None:
    error = _error(_one("855", [s.replace(*edit) for s in ACK_BODY], functional_id="PR"))
    assert error.position is not None
    assert (error.code, error.position.segment_tag, error.position.element) == (code, tag, element)


ASN_BODY = [
    "BSN*00*SHIP-9*20240105*1200",
    "HL*1**S",
    "TD5**2*DHLX",
    "REF*CN*TRACK123",
    "DTM*011*20240105",
    "DTM*017*20240108",
    "N1*ST*WAREHOUSE*UL*4012345000023",
    "HL*2*1*O",
    "PRF*PO-1",
    "HL*3*2*P",
    "MAN*GM*00340123450000000017",
    "HL*4*3*I",
    "LIN*1*EN*4012345000016*VN*ART-1*LT*BATCH-A",
    "SN1**5*EA",
    "DTM*036*20250101",
    "HL*5*2*I",
    "LIN*2*UP*012345678905",
    "SN1**1*CA",
    "REF*LT*BATCH-B",
    "CTT*5",
]


def test_856_maps_hierarchy_sscc_batches_and_carrier() -> None:
    asn = _one("856", ASN_BODY, functional_id="SH").document
    assert isinstance(asn, DespatchAdvice)
    assert (asn.number, asn.order_number, asn.issue_date) == ("SHIP-9", "PO-1", date(2024, 1, 5))
    assert (asn.carrier, asn.tracking_number) == ("DHLX", "TRACK123")
    assert (asn.despatch_date, asn.expected_delivery_date) == (date(2024, 1, 5), date(2024, 1, 8))
    assert asn.ship_to is not None
    assert asn.ship_to.gln == "4012345000023"
    loose, packed = asn.packages
    assert (loose.sscc, [line.line_id for line in loose.lines]) == (None, ["2"])
    assert (packed.sscc, [line.line_id for line in packed.lines]) == ("340123450000000017", ["1"])
    first = packed.lines[0]
    assert (first.quantity, first.gtin, first.supplier_article) == (Decimal(5), "4012345000016", "ART-1")
    assert (first.batch_number, first.best_before) == ("BATCH-A", date(2025, 1, 1))
    assert (loose.lines[0].batch_number, loose.lines[0].unit) == ("BATCH-B", "CS")


def test_856_without_prf_is_rejected() -> None:
    error = _error(_one("856", [s for s in ASN_BODY if not s.startswith("PRF")], functional_id="SH"))
    assert error.position is not None
    assert (error.code, error.position.segment_tag) == ("3", "PRF")


def test_856_item_without_sn1_is_rejected() -> None:
    error = _error(_one("856", [s for s in ASN_BODY if s != "SN1**5*EA"], functional_id="SH"))
    assert error.position is not None
    assert error.position.segment_tag == "SN1"


INVOICE_BODY = [
    "BIG*20240110*INV-1**PO-1***CR",
    "CUR*SE*EUR",
    "REF*SI*SHIP-9",
    "N1*SE*SELLER AG*92*S-77",
    "N1*BY*BUYER GMBH*UL*4012345000009",
    "ITD******20240210******NET 30",
    "IT1*1*5*EA*2.50**EN*4012345000016",
    "TXI*VA**19",
    "PID*F****BLUE WIDGET",
    "IT1*2*2*EA*10",
    "TDS*3570",
    "TXI*VA*5.70*19***2**30",
    "CTT*2",
]


def test_810_maps_lines_tax_and_total_in_cents() -> None:
    inv = _one("810", INVOICE_BODY, functional_id="IN").document
    assert isinstance(inv, Invoice)
    assert (inv.number, inv.type_code, inv.currency, inv.order_number) == ("INV-1", "381", "EUR", "PO-1")
    assert inv.despatch_number == "SHIP-9"
    assert [(line.net_amount, line.vat_rate) for line in inv.lines] == [
        (Decimal("12.50"), Decimal(19)),
        (Decimal(20), None),
    ]
    assert inv.lines[0].description == "BLUE WIDGET"
    (tax,) = inv.tax_subtotals
    assert (tax.category, tax.rate, tax.taxable_amount, tax.tax_amount) == (
        "S",
        Decimal(19),
        Decimal(30),
        Decimal("5.70"),
    )
    totals = inv.totals
    assert (totals.line_total, totals.tax_total, totals.payable) == (
        Decimal("32.50"),
        Decimal("5.70"),
        Decimal("35.70"),
    )
    assert totals.tax_exclusive == Decimal("30.00")
    assert inv.payment_terms is not None
    assert (inv.payment_terms.description, inv.payment_terms.due_date) == ("NET 30", date(2024, 2, 10))


def test_810_without_tds_is_rejected() -> None:
    error = _error(_one("810", [s for s in INVOICE_BODY if not s.startswith("TDS")], functional_id="IN"))
    assert error.position is not None
    assert (error.code, error.position.segment_tag) == ("3", "TDS")


def test_810_line_without_price_is_rejected() -> None:
    body = [s.replace("IT1*2*2*EA*10", "IT1*2*2*EA") for s in INVOICE_BODY]
    error = _error(_one("810", body, functional_id="IN"))
    assert error.position is not None
    assert (error.code, error.position.segment_tag, error.position.element) == ("1", "IT1", 4)


@pytest.mark.parametrize("quantity", ["1E5", "NaN", "Infinity", "1_000", " 5", "5-", "--5", "1.2.3"])
def test_numbers_accept_only_digits_sign_and_decimal_point(quantity: str) -> None:
    body = [s.replace("PO1*1*5*EA", f"PO1*1*{quantity}*EA") for s in PO_BODY]
    error = _error(_one("850", body))
    assert (error.code, quantity in error.message) == ("6", True)


@pytest.mark.parametrize(("quantity", "expected"), [("-2", "-2"), (".5", "0.5"), ("7.", "7"), ("0012", "12")])
def test_numbers_in_x12_r_notation_are_read(quantity: str, expected: str) -> None:
    body = [s.replace("PO1*1*5*EA", f"PO1*1*{quantity}*EA") for s in PO_BODY]
    po = _one("850", body).document
    assert isinstance(po, PurchaseOrder)
    assert po.lines[0].quantity == Decimal(expected)


@pytest.mark.parametrize(
    ("set_id", "body", "functional_id", "expected"),
    [
        ("810", INVOICE_BODY, "IN", "CTT01 says 9 IT1 line items but the transaction set has 2"),
        ("855", ACK_BODY, "PR", "CTT01 says 9 PO1 line items but the transaction set has 3"),
        ("856", ASN_BODY, "SH", "CTT01 says 9 items but the transaction set has 2"),
    ],
)
def test_ctt_hash_count_mismatch_is_a_warning(
    set_id: str, body: list[str], functional_id: str, expected: str
) -> None:
    edited = [s if not s.startswith("CTT") else "CTT*9" for s in body]
    assert _one(set_id, edited, functional_id=functional_id).warnings == (expected,)
    assert _one(set_id, body, functional_id=functional_id).warnings == ()
