"""Interchange, group and message envelopes: every control count and reference."""

from __future__ import annotations

import pytest

from edi.documents import PurchaseOrder
from edi.edifact import decode, decode_all
from edi.errors import EdiSyntaxError, EnvelopeError, MappingError, UnsupportedError

UNB = "UNA:+.? 'UNB+UNOC:3+4012345000009:14+5412345000013:14+260101:1200+REF1'"


def _orders(ref: str, number: str = "PO1", qty: str = "5") -> str:
    body = [
        f"BGM+220+{number}+9'",
        "DTM+137:20260101:102'",
        "NAD+BY+5412345000013::9'",
        "NAD+SU+4012345000009::9'",
        "LIN+1++4012345000016:EN'",
        f"QTY+21:{qty}'",
    ]
    return f"UNH+{ref}+ORDERS:D:96A:UN:EAN008'" + "".join(body) + f"UNT+{len(body) + 2}+{ref}'"


def _interchange(*messages: str, unz: str | None = None) -> bytes:
    trailer = unz if unz is not None else f"UNZ+{len(messages)}+REF1'"
    return (UNB + "".join(messages) + trailer).encode("latin-1")


def test_well_formed_interchange_decodes() -> None:
    messages = list(decode(_interchange(_orders("1"), _orders("2", "PO2"))))
    assert [m.envelope.message_reference for m in messages] == ["1", "2"]
    assert all(isinstance(m.document, PurchaseOrder) for m in messages)


def test_unt_count_mismatch_rejects_the_message_only() -> None:
    bad = _orders("2").replace("UNT+8+2", "UNT+9+2")
    result = decode_all(_interchange(_orders("1"), bad, _orders("3")))
    assert result.error is None
    assert [m.ok for m in result.messages] == [True, False, True]
    err = result.messages[1].error
    assert isinstance(err, EnvelopeError)
    assert err.code == "29"
    assert err.position is not None
    assert (err.position.segment_tag, err.position.element, err.position.segment_index) == ("UNT", 1, 17)


def test_unt_reference_must_equal_unh_reference() -> None:
    bad = _orders("2").replace("UNT+8+2", "UNT+8+X")
    err = decode_all(_interchange(_orders("1"), bad)).messages[1].error
    assert isinstance(err, EnvelopeError)
    assert err.code == "28"


def test_unz_count_mismatch_is_rejected() -> None:
    result = decode_all(_interchange(_orders("1"), unz="UNZ+2+REF1'"))
    assert isinstance(result.error, EnvelopeError)
    assert result.error.code == "29"
    assert result.messages[0].ok  # streamed before the trailer was seen


def test_unz_reference_must_equal_unb_0020() -> None:
    result = decode_all(_interchange(_orders("1"), unz="UNZ+1+OTHER'"))
    assert isinstance(result.error, EnvelopeError)
    assert result.error.code == "28"
    assert "REF1" in result.error.message


def test_decode_raises_interchange_errors_after_yielding_earlier_messages() -> None:
    stream = decode(_interchange(_orders("1"), unz="UNZ+7+REF1'"))
    first = next(stream)
    assert first.ok
    with pytest.raises(EnvelopeError):
        next(stream)


def test_groups_are_counted_in_unz_and_une_counts_messages() -> None:
    group = "UNG+ORDERS+A+B+260101:1200+G1+UN+D:96A'" + _orders("1") + _orders("2") + "UNE+2+G1'"
    result = decode_all(_interchange(group, unz="UNZ+1+REF1'"))
    assert result.error is None
    assert [m.envelope.group_reference for m in result.messages] == ["G1", "G1"]
    wrong = decode_all(_interchange(group.replace("UNE+2+G1", "UNE+3+G1"), unz="UNZ+1+REF1'"))
    assert isinstance(wrong.error, EnvelopeError)
    assert wrong.error.code == "29"
    mismatch = decode_all(_interchange(group.replace("UNE+2+G1", "UNE+2+G2"), unz="UNZ+1+REF1'"))
    assert isinstance(mismatch.error, EnvelopeError)
    assert mismatch.error.code == "28"


def test_control_counts_are_compared_as_numbers() -> None:
    group = "UNG+ORDERS+A+B+260101:1200+G1+UN+D:96A'" + _orders("1").replace("UNT+8+1", "UNT+0008+1")
    result = decode_all(_interchange(group + "UNE+01+G1'", unz="UNZ+001+REF1'"))
    assert result.error is None
    assert [m.ok for m in result.messages] == [True]
    # a number, not anything int() would take
    bad = _orders("1").replace("UNT+8+1", "UNT+8.0+1")
    err = decode_all(_interchange(bad)).messages[0].error
    assert isinstance(err, EnvelopeError)
    assert (err.code, "'8.0'" in err.message) == ("29", True)
    result = decode_all(_interchange(_orders("1"), unz="UNZ+-1+REF1'"))
    assert isinstance(result.error, EnvelopeError)
    assert result.error.code == "29"


def test_missing_unt_is_a_message_error() -> None:
    truncated = _orders("1").rsplit("UNT", 1)[0]
    result = decode_all(_interchange(truncated, _orders("2")))
    assert isinstance(result.messages[0].error, EnvelopeError)
    assert "no UNT" in result.messages[0].error.message
    assert result.messages[1].ok


def test_one_bad_message_in_fifty_rejects_that_message_only() -> None:
    messages = [_orders(str(i), f"PO{i}") for i in range(1, 51)]
    messages[24] = _orders("25", "PO25", qty="12X")
    result = decode_all(_interchange(*messages))
    assert result.error is None
    assert len(result.messages) == 50
    bad = [m for m in result.messages if not m.ok]
    assert [m.envelope.message_reference for m in bad] == ["25"]
    err = bad[0].error
    assert isinstance(err, MappingError)
    assert err.code == "37"  # invalid type of characters in a numeric element
    assert err.position is not None
    assert (err.position.segment_tag, err.position.element) == ("QTY", 1)
    assert err.position.line == 1 and err.position.offset is not None


def test_garbage_after_unz_is_rejected() -> None:
    result = decode_all(_interchange(_orders("1")) + b"XYZ+1'")
    assert isinstance(result.error, EdiSyntaxError)
    assert result.error.code == "33"


def test_several_interchanges_in_one_file() -> None:
    first = _interchange(_orders("1"))
    second = first.replace(b"REF1", b"REF2")
    result = decode_all(first + b"\r\n" + second)
    assert result.error is None
    assert [i.control_reference for i in result.interchanges] == ["REF1", "REF2"]
    assert [m.envelope.control_reference for m in result.messages] == ["REF1", "REF2"]


def test_missing_mandatory_segment_names_it() -> None:
    msg = _orders("1").replace("NAD+SU+4012345000009::9'", "").replace("UNT+8", "UNT+7")
    err = decode_all(_interchange(msg)).messages[0].error
    assert isinstance(err, MappingError)
    assert err.code == "13"
    assert "NAD+SU" in err.message


def test_not_edifact_is_rejected() -> None:
    result = decode_all(b"ISA*00*")
    assert isinstance(result.error, EnvelopeError)
    empty = decode_all(b"")
    assert isinstance(empty.error, EnvelopeError)
    assert "no UNB" in empty.error.message


def test_unmapped_message_type_is_unsupported_with_code_17() -> None:
    paores = "UNH+9+PAORES:93:1:IA'MSG+1:45'UNT+3+9'"
    result = decode_all(_interchange(_orders("1"), paores))
    assert result.error is None
    err = result.messages[1].error
    assert isinstance(err, UnsupportedError)
    assert err.code == "17"
    assert err.position is not None
    assert (err.position.segment_tag, err.position.segment_index, err.position.line) == ("UNH", 10, 1)
