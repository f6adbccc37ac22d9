"""Transaction sets are checked against their definition (issue #13 item 6): a segment that is not
part of the set or has more data elements than its definition is an error of that set, with its
position, as EDIFACT's ``check_structure`` does; acknowledgements name segment and element."""

from __future__ import annotations

import pytest

from edi.errors import EdiSyntaxError
from edi.x12 import acknowledge, decode_all, encode, parse_segments
from edi.x12._sets import ELEMENTS, SEGMENTS
from tests.edi.x12._build import PO_BODY, interchange, purchase_order, transaction_set
from tests.edi.x12.test_ack import ENVELOPE


def _with(*replacements: tuple[str, str]) -> list[str]:
    body = list(PO_BODY)
    for old, new in replacements:
        body = [new if segment == old else segment for segment in body]
    return transaction_set("850", "0002", body)


def test_a_segment_that_is_not_part_of_the_set_is_an_error_with_its_position() -> None:
    data = interchange(purchase_order("0001"), _with(("CUR*BY*EUR", "FTE*BY*EUR")), purchase_order("0003"))
    result = decode_all(data)
    assert result.error is None
    assert [m.ok for m in result.messages] == [True, False, True]
    error = result.messages[1].error
    assert isinstance(error, EdiSyntaxError)
    assert error.code == "6"
    assert error.message.startswith("segment 'FTE' is not part of transaction set 850")
    assert error.position is not None
    at = data.index(b"FTE")
    assert (error.position.segment_tag, error.position.offset, error.position.line) == ("FTE", at, 17)
    assert error.position.segment_index == 17  # in the interchange: ISA, GS, 12 segments, ST, BEG, FTE


def test_a_segment_with_too_many_elements_is_an_error_naming_the_first_one_too_many() -> None:
    data = interchange(_with(("N3*HAUPTSTRASSE 1", "N3*HAUPTSTRASSE 1*HINTERHAUS*3. STOCK")))
    (message,) = decode_all(data).messages
    error = message.error
    assert isinstance(error, EdiSyntaxError)
    assert (error.code, error.message) == (
        "3",
        "N3 has 3 data elements, at most 2 allowed (an element separator in the data?)",
    )
    assert error.position is not None
    assert (error.position.segment_tag, error.position.element) == ("N3", 3)
    assert error.position.offset == data.index(b"N3*")
    # empty trailing elements are not counted
    data = interchange(_with(("N3*HAUPTSTRASSE 1", "N3*HAUPTSTRASSE 1***"), ("CTT*2", "CTT*2*******")))
    (message,) = decode_all(data).messages
    assert message.ok, message.error


def test_the_997_names_the_segment_and_the_element() -> None:
    data = interchange(
        _with(("CUR*BY*EUR", "FTE*BY*EUR")),
        transaction_set("850", "0003", [s.replace("CTT*2", "CTT*2*1*KG*1*LB*1*X*EXTRA") for s in PO_BODY]),
    )
    ack = acknowledge(decode_all(data))
    unknown, too_long = ack.messages
    assert [(e.code, e.segment_tag, e.segment_index, e.element) for e in unknown.errors] == [
        ("6", "FTE", 3, None)
    ]
    assert [(e.code, e.segment_tag, e.segment_index, e.element) for e in too_long.errors] == [
        ("3", "CTT", 11, 8)
    ]
    segments = list(parse_segments(encode(ack, ENVELOPE)))
    assert ("AK3", "FTE", "3", "", "6") in segments
    assert ("AK3", "CTT", "11", "", "8") in segments
    assert ("AK4", "8", "", "3") in segments


@pytest.mark.parametrize("set_id", ["810", "850", "855", "856", "997", "999"])
def test_every_segment_of_a_set_has_an_element_count(set_id: str) -> None:
    assert {"ST", "SE"} <= SEGMENTS[set_id]
    assert sorted(SEGMENTS[set_id] - ELEMENTS.keys()) == (["SHH"] if set_id in ("850", "855") else [])
