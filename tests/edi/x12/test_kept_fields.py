"""What an X12 round trip must keep (issue #13 item 7): payment terms, state codes, every party role,
allowances and charges, 856 order line references, data with ``^`` before 00402, and
acknowledgements as they were received."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from edi import check_elements
from edi.documents import (
    AllowanceCharge,
    DespatchAdvice,
    Document,
    Envelope,
    Invoice,
    OtherParty,
    PaymentTerms,
)
from edi.errors import EncodeError
from edi.x12 import decode_all, encode, parse_segments
from tests.edi.x12._build import interchange, transaction_set

ENVELOPE = Envelope(sender="SENDER", recipient="RECEIVER", control_reference="12")

INVOICE = [
    "BIG*20240110*INV-1**PO-1",
    "CUR*SE*USD",
    "N1*SE*SELLER INC*92*S-1",
    "N3*1 MAIN ST",
    "N4*SAN JOSE*CA*95110*US",
    "N1*BY*BUYER CORP*92*B-1",
    "N1*BT*BUYER ACCOUNTS*92*B-2",
    "N4*PLANO*TX*75075*US",
    "N1*DU*RESELLER*92*R-1",
    "ITD***2.5**30",
    "IT1*1*2*EA*10**VN*A-1",
    "TXI*VA**19***2",
    "SAC*A*C310***150*6*10*****02***Volume discount",
    "TXI*VA**7***2",
    "IT1*2*1*EA*5",
    "TDS*2650",
    "TXI*VA*3.80*19***2**20",
    "SAC*C*D240***500****DO*50*****Freight",
    "TXI*VA**19***2",
    "SAC*N**VI*HA",
    "CTT*2",
]


def _decode(set_id: str, body: list[str], functional_id: str) -> Document:
    (message,) = decode_all(
        interchange(transaction_set(set_id, "0001", body), functional_id=functional_id)
    ).messages
    assert message.ok, message.error
    assert message.document is not None
    return message.document


def _invoice(body: list[str]) -> Invoice:
    document = _decode("810", body, "IN")
    assert isinstance(document, Invoice)
    return document


def _again(document: Document, envelope: Envelope = ENVELOPE) -> Document | None:
    (message,) = decode_all(encode(document, envelope)).messages
    assert message.error is None, message.error
    return message.document


def _segments(document: Document, tag: str) -> list[tuple[str, ...]]:
    return [seg for seg in parse_segments(encode(document, ENVELOPE)) if seg[0] == tag]


def test_itd_discount_percent_and_days_are_payment_terms() -> None:
    invoice = _invoice(INVOICE)
    assert invoice.payment_terms == PaymentTerms(discount_percent=Decimal("2.5"), discount_days=30)
    assert _segments(invoice, "ITD") == [("ITD", "", "", "2.5", "", "30")]
    assert _again(invoice) == invoice


def test_itd_net_days_due_date_and_text_survive() -> None:
    body = [s if not s.startswith("ITD") else "ITD*14*3****20240214*35*****Net 35" for s in INVOICE]
    terms = _invoice(body).payment_terms
    assert terms is not None
    assert (terms.net_days, terms.due_date.isoformat() if terms.due_date else None, terms.description) == (
        35,
        "2024-02-14",
        "Net 35",
    )
    assert _again(_invoice(body)) == _invoice(body)


def test_itd_with_only_type_and_basis_codes_gives_no_payment_terms() -> None:
    body = [s if not s.startswith("ITD") else "ITD*01*3" for s in INVOICE]
    invoice = _invoice(body)
    assert invoice.payment_terms is None
    assert _again(invoice) == invoice


def test_n4_state_code_is_the_address_region_and_is_written_back() -> None:
    invoice = _invoice(INVOICE)
    assert invoice.seller.address is not None and invoice.seller.address.region == "CA"
    assert ("N4", "SAN JOSE", "CA", "95110", "US") in _segments(invoice, "N4")


def test_n402_that_is_no_two_character_code_is_not_kept() -> None:
    body = [s.replace("N4*SAN JOSE*CA*", "N4*SAN JOSE*LOCSTATE*") for s in INVOICE]
    invoice = _invoice(body)
    assert invoice.seller.address is not None and invoice.seller.address.region is None
    assert _again(invoice) == invoice


def test_bill_to_and_roles_without_a_field_are_other_parties_in_file_order() -> None:
    invoice = _invoice(INVOICE)
    assert [(o.role, o.party.name) for o in invoice.other_parties] == [
        ("bill_to", "BUYER ACCOUNTS"),
        ("x12:DU", "RESELLER"),
    ]
    assert [seg[1] for seg in _segments(invoice, "N1")] == ["SE", "BY", "BT", "DU"]
    assert _again(invoice) == invoice


def test_a_role_coined_by_another_format_is_not_written() -> None:
    invoice = dataclasses.replace(
        _invoice(INVOICE), other_parties=(OtherParty("edifact:CN", _invoice(INVOICE).buyer),)
    )
    assert [seg[1] for seg in _segments(invoice, "N1")] == ["SE", "BY"]


def test_sac_loops_are_allowances_and_charges_of_line_and_invoice() -> None:
    invoice = _invoice(INVOICE)
    assert invoice.lines[0].allowances_charges == (
        AllowanceCharge(
            False,
            Decimal("1.50"),
            percentage=Decimal(10),
            reason_code="C310",
            reason="Volume discount",
            vat_category="S",
            vat_rate=Decimal(7),
        ),
    )
    # the TXI of the SAC loop is the allowance's, not the line's or a subtotal
    assert (invoice.lines[0].vat_category, invoice.lines[0].vat_rate) == ("S", Decimal(19))
    assert len(invoice.tax_subtotals) == 1
    assert invoice.allowances_charges == (
        AllowanceCharge(
            True,
            Decimal("5.00"),
            base_amount=Decimal(50),
            reason_code="D240",
            reason="Freight",
            vat_category="S",
            vat_rate=Decimal(19),
        ),
    )
    assert (invoice.totals.allowance_total, invoice.totals.charge_total) == (None, Decimal("5.00"))
    assert _again(invoice) == invoice


def test_sac_reason_code_of_another_list_goes_to_sac04_and_back() -> None:
    allowance = AllowanceCharge(False, Decimal("3.10"), reason_code="95", reason="Discount")
    invoice = dataclasses.replace(_invoice(INVOICE), allowances_charges=(allowance,))
    assert _segments(invoice, "SAC")[-1][:6] == ("SAC", "A", "", "ZZ", "95", "310")
    again = _again(invoice)
    assert isinstance(again, Invoice) and again.allowances_charges == (allowance,)


def test_allowance_amount_below_a_cent_is_refused_naming_the_field() -> None:
    allowance = AllowanceCharge(False, Decimal("0.005"))
    invoice = dataclasses.replace(_invoice(INVOICE), allowances_charges=(allowance,))
    with pytest.raises(EncodeError, match=r"allowances_charges\[0\]\.amount 0\.005 .* SAC05 is in cents"):
        encode(invoice, ENVELOPE)


SHIP_NOTICE = [
    "BSN*00*SHIP-1*20240105*1200",
    "HL*1**S",
    "N1*ST*STORE 7*92*ST-7",
    "N1*SE*SUPPLIER*92*SU-1",
    "N1*SF*WAREHOUSE*92*WH-1",
    "HL*2*1*O",
    "PRF*PO-1",
    "HL*3*2*I",
    "LIN**UP*012345678905",
    "SN1**4*EA",
    "HL*4*2*I",
    "LIN*7*UP*012345678912*PL*3",
    "SN1**1*EA",
    "CTT*4",
]


def test_856_item_without_lin01_keeps_no_order_line_through_a_round_trip() -> None:
    advice = _decode("856", SHIP_NOTICE, "SH")
    assert isinstance(advice, DespatchAdvice)
    first, second = advice.lines
    assert (first.line_id, first.order_line_id) == ("1", None)
    assert (second.line_id, second.order_line_id) == ("7", "3")
    assert [seg[1] for seg in _segments(advice, "LIN")] == ["", "7"]
    assert _again(advice) == advice


def test_856_ship_from_is_an_other_party() -> None:
    advice = _decode("856", SHIP_NOTICE, "SH")
    assert isinstance(advice, DespatchAdvice)
    assert [(o.role, o.party.name) for o in advice.other_parties] == [("ship_from", "WAREHOUSE")]
    assert _again(advice) == advice


def test_caret_is_ordinary_data_before_version_00402() -> None:
    invoice = dataclasses.replace(_invoice(INVOICE), order_number="V874^8745")
    old = dataclasses.replace(ENVELOPE, syntax="00204")
    data = encode(invoice, old, version="002040")
    assert data[82:83] == b"U"  # ISA11: the standards identifier, no repetition separator
    again = _again(invoice, old)
    assert isinstance(again, Invoice) and again.order_number == "V874^8745"


TA1 = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*0304*U*00401*"
    "000000042*0*P*>~TA1*000000007*240101*1200*R*015~IEA*0*000000042~"
)


def test_an_acknowledgement_of_no_group_is_written_as_a_ta1() -> None:
    (message,) = decode_all(TA1.encode()).messages
    assert message.document is not None
    data = encode(message.document, ENVELOPE)
    assert [seg[0] for seg in parse_segments(data)] == ["ISA", "TA1", "IEA"]
    assert _again(message.document) == message.document


ACK_999 = [
    "AK1*HC*17456*004010X098A1",
    "AK2*837*002",
    "IK3*CLM*22**8",
    "IK4*2*782*1",
    "IK5*R*5",
    "AK9*R*1*1*0",
]


def test_999_answering_a_short_set_control_number_echoes_it() -> None:
    ack = _decode("999", ACK_999, "FA")
    data = encode(ack, ENVELOPE)
    assert ("AK2", "837", "002") in list(parse_segments(data))
    assert check_elements(data) == []
    assert _again(ack) == ack
