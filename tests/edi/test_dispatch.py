"""``edi.decode_all`` / ``edi.iter_messages``: the file-level warnings of a tolerated deviation and
the ``strict`` switch that refuses it, the same for EDIFACT and X12 (issue #13 item 5)."""

from __future__ import annotations

import io

import pytest

import edi
from edi.errors import EdiSyntaxError
from tests.edi.x12._build import interchange, purchase_order

EDIFACT = (
    b"UNB+UNOC:3+A+B+260101:1200+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'DTM+137:20260101:102'"
    b"NAD+BY+5412345000013::9'NAD+SU+4012345000009::9'LIN+1++4012345000016:EN'QTY+21:5'UNT+8+1'UNZ+1+1"
)
X12 = interchange(purchase_order(), terminator="~")[:-1]

# a file whose last segment lacks its terminator, followed by a Ctrl-Z end-of-file mark
CASES = [
    pytest.param(EDIFACT + b"\x1a", "edifact", id="edifact"),
    pytest.param(X12 + b"\x1a", "x12", id="x12"),
]


@pytest.mark.parametrize(("data", "kind"), CASES)
def test_tolerated_deviations_are_file_level_warnings(data: bytes, kind: str) -> None:
    decoded = edi.decode_all(data)
    assert (decoded.format, decoded.ok, len(decoded.messages)) == (kind, True, 1)
    assert sorted("Ctrl-Z (0x1A)" in w for w in decoded.warnings) == [False, True]
    assert any("has no segment terminator" in w for w in decoded.warnings)
    assert list(decoded.native.warnings) == decoded.warnings  # the codec's own result has them too


@pytest.mark.parametrize(("data", "kind"), CASES)
def test_strict_refuses_them(data: bytes, kind: str) -> None:
    decoded = edi.decode_all(data, strict=True)
    assert decoded.format == kind
    assert isinstance(decoded.error, EdiSyntaxError)
    assert "strict mode refuses" in decoded.error.message
    assert decoded.warnings == []


@pytest.mark.parametrize(("data", "kind"), CASES)
def test_a_stream_reports_the_same_warnings(data: bytes, kind: str) -> None:
    whole = edi.decode_all(data)
    stream = edi.iter_messages(io.BytesIO(data))
    assert [m.ok for m in stream] == [True]
    assert stream.warnings == whole.warnings
    summary = stream.summary()
    assert (summary.format, summary.warnings, summary.error) == (kind, whole.warnings, None)
    strict = edi.iter_messages(data, strict=True)
    list(strict)
    assert isinstance(strict.error, EdiSyntaxError)
