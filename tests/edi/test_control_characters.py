"""NUL and other control characters inside EDIFACT and X12 values are reported with their position,
never passed on (a NUL in a reference reached PostgreSQL and raised DataError) and never stripped
silently. Control characters that an X12 interchange uses as separators stay separators."""

from __future__ import annotations

import pytest

import edi
from edi.errors import CharsetError
from tests.edi.corpus import corpus_bytes

EDIFACT = corpus_bytes("edi/edifact/orders/orders_d96a_ean008_retail_sample1.edi")
X12 = corpus_bytes("edi/x12/850/850_4010_bots_01.x12")


@pytest.mark.parametrize("control", [b"\x00", b"\x01", b"\x1b", b"\x7f"], ids=["NUL", "SOH", "ESC", "DEL"])
def test_edifact_control_character_in_a_reference_is_an_error_with_its_position(control: bytes) -> None:
    data = EDIFACT.replace(b"BGM+220+", b"BGM+220+12" + control + b"3", 1)
    decoded = edi.decode_all(data)
    error = decoded.error
    assert isinstance(error, CharsetError), error
    assert f"0x{control[0]:02X}" in error.message and error.code == "21"
    assert error.position is not None
    assert error.position.offset == data.index(control)
    assert error.position.segment_tag == "BGM"
    line_start = data.rfind(b"\n", 0, data.index(control)) + 1
    assert error.position.column == data.index(control) - line_start + 1
    assert not any(m.ok for m in decoded.messages)  # the message holding it is not applied
    ack = edi.acknowledgement(decoded)
    assert ack is not None and ack.status.value != "accepted"


def test_x12_nul_in_a_purchase_order_number_is_an_error_with_its_position() -> None:
    data = X12.replace(b"BEG*00*", b"BEG*00*\x00", 1)
    decoded = edi.decode_all(data)
    error = decoded.error
    assert isinstance(error, CharsetError), error
    assert "NUL (0x00)" in error.message
    assert error.position is not None and error.position.offset == data.index(b"\x00")
    assert error.position.segment_tag == "BEG" and error.position.segment_index == 4
    assert not decoded.messages


def test_x12_control_characters_used_as_separators_are_still_separators() -> None:
    from benchmarks.edi_bench_x12 import make_850_interchange

    plain = make_850_interchange(2, 3)
    # element separator 0x1D, component separator 0x1F, segment terminator 0x1C, no line breaks
    text = plain.decode("ascii").replace("~\n", "~").replace("*", "\x1d").replace(">", "\x1f")
    converted = text.replace("~", "\x1c").encode("ascii")
    assert b"\x1d" in converted and b"\x1c" in converted
    decoded = edi.decode_all(converted)
    assert decoded.error is None, decoded.error
    assert len(decoded.messages) == 2 and decoded.ok
    assert [m.document for m in decoded.messages] == [m.document for m in edi.decode_all(plain).messages]


def test_clean_files_are_untouched() -> None:
    assert edi.decode_all(EDIFACT).ok and edi.decode_all(X12).ok
