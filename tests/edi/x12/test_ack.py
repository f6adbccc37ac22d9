"""997 / 999 / TA1: building acknowledgements from a decode and writing and reading them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from edi.documents import AckError, Acknowledgement, AckStatus, Envelope, MessageAck
from edi.errors import EncodeError, UnsupportedError
from edi.x12 import acknowledge, acknowledge_all, decode_all, encode, parse_segments
from tests.edi.x12._build import PO_BODY, interchange, purchase_order, transaction_set

ENVELOPE = Envelope(
    sender="RECEIVER",
    recipient="SENDER",
    control_reference="501",
    group_reference="77",
    message_reference="1",
    prepared_at=datetime(2024, 1, 3, 4, 5, tzinfo=UTC),
)


def _mixed() -> bytes:
    bad_price = [s.replace("PO1*2*1*CA*10", "PO1*2*1*CA*TEN") for s in PO_BODY]
    return interchange(
        purchase_order("0001"),
        transaction_set("850", "0002", bad_price),
        transaction_set("850", "0003", PO_BODY, count=3),
    )


def test_997_reports_accepted_and_rejected_sets_with_segment_and_element() -> None:
    ack = acknowledge(decode_all(_mixed()))
    assert (ack.interchange_reference, ack.group_reference, ack.status) == (
        "000000042",
        "7",
        AckStatus.PARTIALLY_ACCEPTED,
    )
    ok, element_fault, count_fault = ack.messages
    assert (ok.message_reference, ok.status, ok.errors) == ("0001", AckStatus.ACCEPTED, ())
    (error,) = element_fault.errors
    assert (error.code, error.segment_tag, error.segment_index, error.element) == ("6", "PO1", 10, 4)
    assert [(e.code, e.segment_tag) for e in count_fault.errors] == [("4", None)]


def test_997_is_written_with_ak3_ak4_ak5_and_ak9() -> None:
    data = encode(acknowledge(decode_all(_mixed())), ENVELOPE)
    segments = list(parse_segments(data))
    tags = [s[0] for s in segments]
    assert tags == [
        "ISA",
        "GS",
        "ST",
        "AK1",
        "AK2",
        "AK5",
        "AK2",
        "AK3",
        "AK4",
        "AK5",
        "AK2",
        "AK5",
        "AK9",
        "SE",
        "GE",
        "IEA",
    ]
    assert ("GS", "FA", "RECEIVER", "SENDER", "20240103", "0405", "77", "X", "004010") in segments
    assert ("AK1", "PO", "7") in segments
    assert ("AK3", "PO1", "10", "", "8") in segments
    assert ("AK4", "4", "", "6") in segments
    assert ("AK5", "R", "4") in segments
    assert ("AK9", "P", "3", "3", "1") in segments


def test_written_997_decodes_to_the_same_acknowledgement() -> None:
    ack = acknowledge(decode_all(_mixed()))
    (message,) = decode_all(encode(ack, ENVELOPE)).messages
    decoded = message.document
    assert isinstance(decoded, Acknowledgement)
    assert decoded.status is ack.status
    assert decoded.group_reference == ack.group_reference
    assert [(m.message_reference, m.status) for m in decoded.messages] == [
        (m.message_reference, m.status) for m in ack.messages
    ]
    fault = decoded.messages[1].errors
    assert [(e.code, e.segment_tag, e.segment_index, e.element) for e in fault] == [
        ("8", "PO1", 10, None),
        ("6", "PO1", 10, 4),
        ("5", None, None, None),
    ]


def test_999_uses_ik_segments_and_the_implementation_guide_version() -> None:
    ack = acknowledge(decode_all(_mixed()), kind="999")
    data = encode(ack, ENVELOPE, ack_type="999", version="005010")
    segments = list(parse_segments(data))
    assert ("ST", "999", "0001", "005010X231") in segments
    assert segments[1][8] == "005010X231"
    assert {"IK3", "IK4", "IK5"} <= {s[0] for s in segments}
    (message,) = decode_all(data).messages
    assert message.message_type == "999"
    assert isinstance(message.document, Acknowledgement)
    assert message.document.status is AckStatus.PARTIALLY_ACCEPTED


def test_ta1_rejects_an_interchange_with_garbage_after_iea() -> None:
    result = decode_all(interchange(purchase_order()) + b"1r\n")
    ack = acknowledge(result, kind="TA1")
    assert (ack.interchange_reference, ack.status, ack.errors[0].code) == (
        "000000042",
        AckStatus.REJECTED,
        "022",
    )
    segments = list(parse_segments(encode(replace(ack, issue_date=None), ENVELOPE, ack_type="TA1")))
    assert [s[0] for s in segments] == ["ISA", "TA1", "IEA"]
    assert segments[1] == ("TA1", "000000042", "", "", "R", "022")
    assert segments[2][1] == "0"


def test_ta1_accepts_a_clean_interchange_and_reads_back() -> None:
    ack = acknowledge(decode_all(interchange(purchase_order())), kind="TA1")
    assert (ack.status, ack.errors) == (AckStatus.ACCEPTED, ())
    (message,) = decode_all(encode(ack, ENVELOPE, ack_type="TA1")).messages
    assert message.message_type == "TA1"
    assert message.document == ack


def test_one_acknowledgement_per_functional_group() -> None:
    data = interchange(purchase_order()).replace(
        b"IEA*1*",
        b"".join(
            [
                b"GS*PO*SENDER*RECEIVER*20240102*0304*8*X*004010~\n",
                b"\n".join(s.encode() + b"~" for s in purchase_order("0009")),
                b"\nGE*1*8~\nIEA*1*",
            ]
        ),
    )
    data = data.replace(b"IEA*1*", b"IEA*2*", 1)
    acks = acknowledge_all(decode_all(data))
    assert [a.group_reference for a in acks] == ["7", "8"]


def test_997_for_a_file_without_groups_is_refused() -> None:
    with pytest.raises(UnsupportedError, match="no functional group"):
        acknowledge(decode_all(b"ISA*garbage"))


def test_acknowledgement_without_known_set_type_cannot_be_written() -> None:
    ack = Acknowledgement(
        interchange_reference="1",
        status=AckStatus.ACCEPTED,
        group_reference="5",
        errors=(AckError(code="1"),),
    )
    with pytest.raises(EncodeError, match="AK101"):
        encode(ack, ENVELOPE)


def test_ak4_component_position_and_bad_value_copy_survive_a_997() -> None:
    errors = (
        AckError(code="8", segment_tag="N1", segment_index=4),
        AckError(code="7", text="XX", segment_tag="N1", segment_index=4, element=3, component=2),
    )
    ack = Acknowledgement(
        interchange_reference="",
        status=AckStatus.REJECTED,
        group_reference="5",
        messages=(MessageAck("0001", "850", AckStatus.REJECTED, (*errors, AckError(code="5"))),),
    )
    data = encode(ack, ENVELOPE)
    assert ("AK4", "3>2", "", "7", "XX") in list(parse_segments(data))
    (message,) = decode_all(data).messages
    assert message.document == ack


@pytest.mark.parametrize(
    ("body", "code", "tag"),
    [
        (["AK1*PO*7", "AK2*850*0001", "AK9*A*1*1*1"], "3", "AK5"),
        (["AK1*PO*7", "AK2*850*0001", "AK5*Q", "AK9*A*1*1*1"], "7", "AK5"),
        (["AK1*PO*7", "AK9*A*1*ONE*1"], "6", "AK9"),
        (["AK2*850*0001", "AK5*A", "AK9*A*1*1*1"], "3", "AK1"),
    ],
)
def test_997_structure_and_code_faults_reject_the_set(body: list[str], code: str, tag: str) -> None:
    (message,) = decode_all(interchange(transaction_set("997", "0001", body), functional_id="FA")).messages
    assert message.error is not None
    assert message.error.position is not None
    assert (message.error.code, message.error.position.segment_tag) == (code, tag)


def test_group_trailer_fault_rejects_the_group_in_the_997() -> None:
    result = decode_all(interchange(purchase_order()).replace(b"GE*1*7", b"GE*5*7"))
    ack = acknowledge(result)
    assert (ack.status, [e.code for e in ack.errors]) == (AckStatus.REJECTED, ["5"])
    assert ("AK9", "R", "1", "1", "1", "5") in list(parse_segments(encode(ack, ENVELOPE)))


def test_an_application_advice_824_names_the_document_and_each_broken_rule() -> None:
    rule = "BR-DE-3: Seller city (BT-37)*must~be given, and this text runs on past sixty characters"
    ack = Acknowledgement(
        interchange_reference="INV-7",
        status=AckStatus.REJECTED,
        kind="application",
        document_reference="INV-7",
        group_reference="12",
        errors=(AckError(code="BV", text=rule), AckError(code="SV")),
        issue_date=date(2030, 1, 5),
    )
    envelope = Envelope(sender="OWNER", recipient="PARTNER", control_reference="7")
    segments = parse_segments(encode(ack, envelope, ack_type="824"))
    body = [s for s in segments if s[0] in ("GS", "ST", "BGN", "OTI", "TED")]
    assert body[0][1] == "AG"  # the functional group of application advices
    assert body[1][:2] == ("ST", "824")
    assert body[2] == ("BGN", "00", "INV-7-advice", "20300105")
    assert body[3] == ("OTI", "TR", "IV", "INV-7", "", "", "12")
    ted = body[4]
    assert ted[1] == "848" and len(ted[2]) == 60 and ted[2].startswith("BR-DE-3: Seller city (BT-37) must be")
    assert "*" not in ted[2] and "~" not in ted[2]  # separators cannot be escaped in X12
    assert body[5] == ("TED", "848", "SV")
