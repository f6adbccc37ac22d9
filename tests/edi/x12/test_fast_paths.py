"""The shortcuts of the X12 decoder give exactly what the plain paths give.

* the tokenizer splits a regular batch (terminator + line break after every segment) in one go and
  falls back to the stripping path for anything else;
* numbers, dates and N1 parties are cached by their text: invalid text is never cached, a cached
  value is the value the text means, and the caches stay bounded.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edi.documents import PurchaseOrder
from edi.errors import MappingError
from edi.x12 import _values, decode_all, parse_segments
from edi.x12._syntax import Separators
from edi.x12._tokenizer import _parts, _regular_parts
from edi.x12._values import CACHE_LIMIT, CACHE_TEXT, DECIMALS, dec, parse_date, read_party
from tests.edi.x12._build import interchange, purchase_order, transaction_set

ELEMENT = st.text(st.sampled_from("AB1 .\t-"), max_size=4)
SEGMENT = st.builds(
    lambda tag, elements: "*".join([tag, *elements]),
    st.sampled_from(["N1", "PO1", "", " N3", "\tX"]),
    st.lists(ELEMENT, max_size=3),
)
GAP = st.sampled_from(["~\n", "~\n", "~\n", "~\r\n", "~", "~\n\n", "~\n ", "~ ", "~\n\t", "\r~\n", "~\x85"])


@given(
    st.sampled_from(["", "\n", "\r\n", " ", "\t"]),
    st.lists(st.tuples(SEGMENT, GAP), min_size=1, max_size=8),
    st.sampled_from(["\n", "\r\n"]),
)
def test_regular_split_agrees_with_the_stripping_split(
    lead: str, pieces: list[tuple[str, str]], suffix: str
) -> None:
    text = lead + "".join(segment + gap for segment, gap in pieces)
    seps = Separators(suffix=suffix)
    fast = _regular_parts(text, seps)
    if fast is not None:
        assert fast == _parts(text, seps)


def test_a_regular_batch_takes_the_fast_split() -> None:
    text = "\nST*850*1~\nBEG*00~\nSE*3*1~"
    assert _regular_parts(text, Separators(suffix="\n")) == ["ST*850*1", "BEG*00", "SE*3*1"]


@pytest.mark.parametrize(
    "text",
    ["A*1~\n\nB*2~\n", "A*1~\n B*2~\n", "A*1~B*2~\n", "A*1~\n~\nB~\n", " A*1~\n", "A*1~\r\nB~\n", "A*\t1~\n"],
)
def test_irregular_batches_fall_back(text: str) -> None:
    assert _regular_parts(text, Separators(suffix="\n")) is None


def test_irregular_whitespace_mid_file_still_gives_every_segment() -> None:
    regular = interchange(purchase_order("0001"), purchase_order("0002"), terminator="~\n")
    irregular = regular.replace(b"CUR*BY*EUR~\n", b"CUR*BY*EUR~\n\r\n  ", 1)
    assert list(parse_segments(irregular)) == list(parse_segments(regular))


def test_cached_numbers_and_dates_are_the_values_of_their_text() -> None:
    assert dec("2.50", 1, ("PO1",), 2) == Decimal("2.50")
    assert str(dec("2.50", 1, ("PO1",), 2)) == "2.50"  # not the cached 2.5 of some other text
    assert str(dec("2.5", 1, ("PO1",), 2)) == "2.5"
    assert parse_date("240102", 1, ("DTM",), 2).isoformat() == "2024-01-02"


@pytest.mark.parametrize("text", ["2E1", "NaN", " 2", "1.2.3", ""])
def test_invalid_numbers_are_rejected_however_often_they_come(text: str) -> None:
    for _ in range(2):
        with pytest.raises(MappingError) as info:
            dec(text, 3, ("PO1",), 2)
        assert info.value.code == "6"
    assert text not in DECIMALS


def test_invalid_dates_are_rejected_however_often_they_come() -> None:
    parse_date("20240228", 1, ("DTM",), 2)
    for _ in range(2):
        with pytest.raises(MappingError):
            parse_date("20240230", 1, ("DTM",), 2)


def test_value_cache_stays_bounded() -> None:
    for n in range(CACHE_LIMIT + 10):
        dec(str(n), 1, ("PO1",), 2)
    assert len(DECIMALS) <= CACHE_LIMIT


def test_long_texts_are_decoded_but_not_kept() -> None:
    digits = "1" * 200
    assert dec(digits, 1, ("PO1",), 2) == Decimal(digits)
    assert digits not in DECIMALS
    loop = (("N1", "BY", "X" * CACHE_TEXT), ("N3", "STREET"))
    code, party = read_party(loop)
    assert (code, party.name) == ("BY", "X" * CACHE_TEXT)
    assert loop not in _values._PARTIES


def test_a_bad_quantity_after_good_orders_is_still_an_error() -> None:
    good = purchase_order("0001")
    bad = [s.replace("PO1*1*5*", "PO1*1*5E0*") for s in purchase_order("0002")]
    result = decode_all(interchange(good, bad))
    assert result.messages[0].ok
    assert result.messages[1].error is not None
    assert result.messages[1].error.code == "6"


def _order(control: str, per: str | None) -> list[str]:
    body = [
        "BEG*00*SA*PO-1**20240102",
        "N1*BY*BUYER GMBH*UL*4012345000009",
        "N3*HAUPTSTRASSE 1",
        *([per] if per else []),
        "PO1*1*5*EA*2.50",
    ]
    return transaction_set("850", control, body)


def test_repeated_party_loops_give_equal_parties_and_different_loops_differ() -> None:
    result = decode_all(
        interchange(_order("0001", None), _order("0002", None), _order("0003", "PER*IC*ANNA*TE*123"))
    )
    docs = [m.document for m in result.messages]
    assert all(isinstance(d, PurchaseOrder) for d in docs)
    first, second, third = (d.buyer for d in docs if isinstance(d, PurchaseOrder))
    assert first == second
    assert first.address is not None and first.address.street == "HAUPTSTRASSE 1"
    assert third != first
    assert third.contact is not None and third.contact.phone == "123"
