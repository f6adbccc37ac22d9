"""Linear time and bounded memory on any input (issue #12 item 4, codec side).

Timing is compared by ratio inside one process (CPU time of this process, best of three), never
against absolute figures: ``t(4n) / t(n)`` is about 4 for linear work and 16 for quadratic work; the
bound of 8 leaves room for a loaded machine. Memory is traced with tracemalloc."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

import edi
from edi.edifact._tokenizer import MAX_SEGMENT
from edi.errors import EdiSyntaxError, UnsafeXmlError
from edi.xml.safe import parse_xml

MB = 1 << 20
UNH = b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+240101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'"
UNZ = b"UNT+3+1'UNZ+1+1'"
ISA = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    b"*240101*1200*U*00401*000000001*0*P*>~GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~"
    b"BEG*00*SA*PO1**20240101~"
)
IEA = b"SE*3*0001~GE*1*1~IEA*1*000000001~"


def _cpu(data: bytes) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        edi.decode_all(data)
        best = min(best, time.process_time() - start)
    return max(best, 1e-4)


# (builder of an input of about n bytes, n): each was quadratic or worse before
SCALING: dict[str, tuple[Callable[[int], bytes], int]] = {
    # one segment that never ends, below and above the segment limit
    "edifact-unterminated-segment": (lambda n: UNH + b"FTX+AAA+++" + b"A" * n, MAX_SEGMENT // 4),
    "edifact-unterminated-over-limit": (lambda n: UNH + b"FTX+AAA+++" + b"A" * n, 4 * MAX_SEGMENT),
    # released terminators: each one used to send the cutter back to the start of the buffer
    "edifact-released-terminators": (lambda n: UNH + b"FTX+AAA+++" + b"?'" * (n // 2), MAX_SEGMENT // 8),
    "edifact-unb-released-terminators": (
        lambda n: b"UNB+UNOC:3+S+R+240101:1200+" + b"?'" * (n // 2),
        MB // 8,
    ),
    # many short segments full of release characters (a legitimate file)
    "edifact-many-released-segments": (
        lambda n: UNH + b"FTX+AAA+++a?'b?+c?:d'" * (n // 21) + UNZ,
        MB // 8,
    ),
    # blanks between and after segments were skipped byte by byte in Python
    "edifact-blanks-between-segments": (lambda n: UNH + b" \r\n" * (n // 3) + UNZ, MB),
    "x12-unterminated-segment": (lambda n: ISA + b"N9*ZZ*" + b"A" * n, MB // 4),
    # blanks after IEA: the buffer of them was stripped again after every read
    "x12-blanks-after-iea": (lambda n: ISA + IEA + b" " * n, MB),
    "x12-blank-lines-between-segments": (lambda n: ISA + b"\n" * n + IEA, MB),
}


@pytest.mark.parametrize("case", sorted(SCALING))
def test_decoding_time_grows_linearly(case: str) -> None:
    build, n = SCALING[case]
    small, large = build(n), build(4 * n)
    edi.decode_all(small)  # warm up regex caches and imports
    ratio = _cpu(large) / _cpu(small)
    assert ratio < 8, f"{case}: t(4n)/t(n) = {ratio:.1f} (linear is about 4, quadratic 16)"


# Inputs that were linear but paid Python work per byte: they must cost no more than ordinary
# segments of the same size (the baseline, measured in the same run).
ORDINARY_EDIFACT = b"FTX+AAA+++some ordinary free text of a line:more text'"
ORDINARY_X12 = b"N9*ZZ*SOME ORDINARY REFERENCE TEXT OF A LINE~"
CHEAP: dict[str, tuple[Callable[[int], bytes], Callable[[int], bytes]]] = {
    "edifact-blanks-between-segments": (
        lambda n: UNH + b" \r\n" * (n // 3) + UNZ,
        lambda n: UNH + ORDINARY_EDIFACT * (n // len(ORDINARY_EDIFACT)) + UNZ,
    ),
    "x12-blank-lines-between-segments": (
        lambda n: ISA + b"\n" * n + IEA,
        lambda n: ISA + ORDINARY_X12 * (n // len(ORDINARY_X12)) + IEA,
    ),
}


@pytest.mark.parametrize("case", sorted(CHEAP))
def test_odd_input_costs_no_more_than_ordinary_segments(case: str) -> None:
    odd, ordinary = CHEAP[case]
    n = MAX_SEGMENT // 2
    edi.decode_all(odd(n // 16))
    ratio = _cpu(odd(n)) / _cpu(ordinary(n))
    assert ratio < 2, f"{case}: {ratio:.1f} times the time of ordinary segments of the same size"


# 20 MB inputs that used to cost hundreds of MB: one element of separators, one endless segment
BIG = 20 * MB
PATHOLOGICAL: dict[str, Callable[[], bytes]] = {
    "edifact-20MB-of-component-separators": lambda: UNH + b"FTX+AAA+++" + b":" * BIG + b"'" + UNZ,
    "edifact-20MB-of-data-separators": lambda: UNH + b"FTX+AAA" + b"+" * BIG + b"'" + UNZ,
    "edifact-20MB-unterminated": lambda: UNH + b"FTX+AAA+++" + b"A" * BIG,
    "x12-20MB-of-component-separators": lambda: ISA + b"N9*ZZ*" + b">" * BIG + b"~" + IEA,
    "x12-20MB-of-element-separators": lambda: ISA + b"N9*ZZ" + b"*" * BIG + b"~" + IEA,
}


@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_oversized_segment_is_refused_in_bounded_memory(case: str) -> None:
    data = PATHOLOGICAL[case]()
    tracemalloc.start()
    try:
        decoded = edi.decode_all(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(decoded.error, EdiSyntaxError)
    assert str(MAX_SEGMENT) in decoded.error.message, decoded.error
    assert decoded.error.position is not None and decoded.error.position.offset is not None
    # a few times the segment limit, whatever the input size (it was 30 times the input)
    assert peak < len(data) / 2, f"peak {peak / MB:.1f} MB for {len(data) / MB:.0f} MB"


def test_edifact_segment_at_the_limit_still_decodes() -> None:
    text = b"x" * (MAX_SEGMENT - 100)
    decoded = edi.decode_all(UNH + b"FTX+AAA+++" + text + b"'" + UNZ)
    assert decoded.error is None, decoded.error
    assert decoded.messages


def test_whole_file_decode_memory_is_proportional_to_the_input() -> None:
    from benchmarks.edi_bench_x12 import make_850_interchange

    data = make_850_interchange(1500, 10)
    tracemalloc.start()
    try:
        decoded = edi.decode_all(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoded.ok and len(decoded.messages) == 1500
    assert peak < 8 * len(data), f"peak {peak / MB:.1f} MB for {len(data) / MB:.1f} MB"


# -- XML: the DOCTYPE guard in every encoding a parser detects by itself -----------------------------
LAUGHS = (
    '<?xml version="1.0" encoding="{enc}"?>'
    '<!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&b;</Invoice>'
)


@pytest.mark.parametrize(
    "codec", ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "cp037"]
)
def test_doctype_is_refused_in_every_encoding(codec: str) -> None:
    data = LAUGHS.format(enc=codec.upper()).encode(codec)
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(data)
    decoded = edi.decode_all(data)
    assert decoded.messages == [] and decoded.error is not None


def test_utf16_business_document_without_doctype_still_parses() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><Invoice xmlns="urn:x">Grüße</Invoice>'
    assert parse_xml(text.encode("utf-16")).text == "Grüße"
