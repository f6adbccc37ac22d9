"""ISA/GS/ST..SE/GE/IEA control counts and references, and set-level isolation of faults."""

from __future__ import annotations

import pytest

from edi.documents import PurchaseOrder
from edi.errors import EdiError, EnvelopeError, MappingError
from edi.x12 import decode, decode_all
from tests.edi.x12._build import PO_BODY, interchange, purchase_order, transaction_set


def test_envelope_fields_come_from_isa_gs_and_st() -> None:
    (message,) = decode_all(interchange(purchase_order("0815"))).messages
    env = message.envelope
    assert (env.sender, env.sender_qualifier, env.recipient, env.recipient_qualifier) == (
        "SENDER",
        "ZZ",
        "RECEIVER",
        "ZZ",
    )
    assert (env.control_reference, env.group_reference, env.message_reference) == ("000000042", "7", "0815")
    assert (env.syntax, env.version, env.test, env.ack_requested) == ("00401", "004010", False, False)
    assert env.prepared_at is not None
    assert env.prepared_at.utcoffset() is not None
    assert (message.format, message.message_type, message.segment_count) == ("x12", "850", 12)


def test_test_indicator_and_ack_request_are_read() -> None:
    data = interchange(purchase_order()).replace(b"*0*P*>", b"*1*T*>")
    env = decode_all(data).messages[0].envelope
    assert (env.test, env.ack_requested) == (True, True)


def test_se_count_mismatch_rejects_that_set_only() -> None:
    bad = transaction_set("850", "0002", PO_BODY, count=99)
    result = decode_all(interchange(purchase_order("0001"), bad, purchase_order("0003")))
    assert result.error is None
    assert [m.ok for m in result.messages] == [True, False, True]
    error = result.messages[1].error
    assert isinstance(error, EnvelopeError)
    assert error.code == "4"
    assert "SE01 says '99' segments" in error.message
    assert error.position is not None
    assert error.position.segment_tag == "SE"


def test_control_counts_are_compared_as_numbers() -> None:
    one = transaction_set("850", "0001", PO_BODY, count=12)
    one[-1] = one[-1].replace("SE*12*", "SE*0000000012*")
    data = interchange(one).replace(b"GE*1*7", b"GE*000001*7").replace(b"IEA*1*", b"IEA*00001*")
    result = decode_all(data)
    assert result.error is None
    assert [m.ok for m in result.messages] == [True]
    # a number, not anything int() would take
    bad = transaction_set("850", "0001", PO_BODY, count=12)
    bad[-1] = bad[-1].replace("SE*12*", "SE* 12*")
    (message,) = decode_all(interchange(bad)).messages
    assert isinstance(message.error, EnvelopeError)
    assert message.error.code == "4"
    result = decode_all(interchange(purchase_order()).replace(b"GE*1*7", b"GE*+1*7"))
    assert isinstance(result.error, EnvelopeError)
    assert result.error.code == "5"


def test_se02_differing_from_st02_rejects_the_set() -> None:
    bad = transaction_set("850", "0002", PO_BODY)
    bad[-1] = bad[-1].replace("0002", "0009")
    (message,) = decode_all(interchange(bad)).messages
    assert isinstance(message.error, EnvelopeError)
    assert message.error.code == "3"


def test_missing_se_rejects_the_set_and_the_next_set_still_decodes() -> None:
    broken = purchase_order("0001")[:-1]
    result = decode_all(interchange(broken, purchase_order("0002")))
    assert result.error is None
    assert [m.envelope.message_reference for m in result.messages] == ["0001", "0002"]
    assert isinstance(result.messages[0].error, EnvelopeError)
    assert result.messages[0].error.code == "2"
    assert result.messages[1].ok


def test_one_bad_transaction_set_in_fifty_rejects_only_that_set() -> None:
    sets = [purchase_order(f"{n:04d}", number=f"PO-{n}") for n in range(1, 51)]
    sets[16] = transaction_set("850", "0017", PO_BODY[1:])  # no BEG
    result = decode_all(interchange(*sets))
    assert result.error is None
    assert sum(m.ok for m in result.messages) == 49
    bad = result.messages[16]
    assert isinstance(bad.error, MappingError)
    assert bad.error.code == "3"
    assert bad.error.position is not None
    assert bad.error.position.segment_tag == "BEG"
    doc = result.messages[17].document
    assert isinstance(doc, PurchaseOrder)
    assert doc.number == "PO-18"


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        ((b"GE*1*7", b"GE*2*7"), "5", "GE01 says '2' transaction sets"),
        ((b"GE*1*7", b"GE*1*8"), "4", "GE02 group control number '8'"),
        ((b"IEA*1*", b"IEA*3*"), "021", "IEA01 says '3' functional groups"),
        ((b"IEA*1*000000042", b"IEA*1*000000043"), "001", "IEA02 interchange control number"),
        ((b"GE*1*7~\n", b""), "3", "has no GE trailer before IEA"),
    ],
)
def test_group_and_interchange_trailer_faults_raise_after_the_sets_before_them(
    edit: tuple[bytes, bytes], code: str, words: str
) -> None:
    data = interchange(purchase_order()).replace(*edit)
    seen = []
    with pytest.raises(EnvelopeError) as info:
        for message in decode(data):
            seen.append(message)
    assert [m.ok for m in seen] == [True]
    assert info.value.code == code
    assert words in info.value.message


def test_segment_between_transaction_sets_is_an_interchange_error() -> None:
    data = interchange(purchase_order()).replace(b"GE*1*7", b"REF*ZZ*STRAY~\nGE*1*7")
    result = decode_all(data)
    assert isinstance(result.error, EnvelopeError)
    assert result.error.code == "024"
    assert "REF is outside any ST..SE" in result.error.message


def test_several_interchanges_in_one_file_each_use_their_own_separators() -> None:
    first = interchange(purchase_order("0001"))
    second = interchange(purchase_order("0002")).replace(b"*", b"|").replace(b"~", b"\x1c")
    result = decode_all(first + b"\r\n" + second)
    assert result.error is None
    assert [m.envelope.message_reference for m in result.messages] == ["0001", "0002"]
    assert all(m.ok for m in result.messages)
    assert result.interchanges == ("000000042", "000000042")


def test_decode_all_keeps_the_interchange_error_beside_the_messages() -> None:
    data = interchange(purchase_order()) + b"JUNK"
    result = decode_all(data)
    assert [m.ok for m in result.messages] == [True]
    assert isinstance(result.error, EdiError)
    assert not result.ok


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        ((b"*000000042*0*P*", b"*00000042X*0*P*"), "018"),
        ((b"*000000042*0*P*", b"*000000042*2*P*"), "019"),
        ((b"*000000042*0*P*", b"*000000042*0*Q*"), "020"),
    ],
)
def test_invalid_isa_values_are_rejected_with_their_ta1_code(edit: tuple[bytes, bytes], code: str) -> None:
    result = decode_all(interchange(purchase_order()).replace(*edit, 1))
    assert result.messages == ()
    assert isinstance(result.error, EnvelopeError)
    assert result.error.code == code
    assert result.error.position is not None
    assert result.error.position.segment_tag == "ISA"


def test_transaction_set_in_the_wrong_functional_group_is_rejected() -> None:
    (message,) = decode_all(interchange(purchase_order(), functional_id="IN")).messages
    assert isinstance(message.error, EnvelopeError)
    assert message.error.code == "6"
    assert "expected GS01 'PO'" in message.error.message
