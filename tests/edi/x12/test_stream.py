"""Streaming: a generated interchange of ~20 MB (200 MB opt-in) decodes in bounded memory.

The data is produced on the fly by a file-like object, so neither the test nor the repository ever
holds the whole file.
"""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Iterator

import pytest

from edi.documents import PurchaseOrder
from edi.x12 import decode

MB = 1 << 20
DESCRIPTION = "GENERATED WIDGET WITH A LONG DESCRIPTION " * 16


def _pieces(sets: int) -> Iterator[bytes]:
    yield (
        b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240102*0304*^*00401*"
        b"000000042*0*P*>~\nGS*PO*SENDER*RECEIVER*20240102*0304*7*X*004010~\n"
    )
    for n in range(1, sets + 1):
        body = [f"BEG*00*SA*PO{n}**20240102", "N1*BY*BUYER*UL*4012345000009"]
        for line in range(1, 6):
            body.append(f"PO1*{line}*{line}*EA*1.25**VN*ART{line}")
            body.append(f"PID*F****{DESCRIPTION}{line}")
        body.append("CTT*5")
        segments = [f"ST*850*{n:09d}", *body, f"SE*{len(body) + 2}*{n:09d}"]
        yield ("~\n".join(segments) + "~\n").encode("ascii")
    yield f"GE*{sets}*7~\nIEA*1*000000042~\n".encode("ascii")


class GeneratedStream(io.RawIOBase):
    """A read-only binary stream over generated pieces; counts the bytes handed out."""

    def __init__(self, sets: int) -> None:
        self._pieces = _pieces(sets)
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer):
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._pending += piece
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self.size += n
        return n


def _decode_in_bounded_memory(sets: int) -> tuple[int, int, int]:
    stream = GeneratedStream(sets)
    count = 0
    last = ""
    tracemalloc.start()
    try:
        for message in decode(io.BufferedReader(stream)):
            assert message.ok, message.error
            count += 1
            assert isinstance(message.document, PurchaseOrder)
            last = message.document.number
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last == f"PO{sets}"
    return count, stream.size, peak


def test_20_mb_stream_decodes_set_by_set_in_bounded_memory() -> None:
    count, size, peak = _decode_in_bounded_memory(6_000)
    assert count == 6_000
    assert size > 20 * MB
    assert peak < 6 * MB, f"peak {peak / MB:.1f} MB for a {size / MB:.0f} MB stream"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("EDI_BIG_STREAM_TEST") != "1", reason="set EDI_BIG_STREAM_TEST=1")
def test_200_mb_stream_decodes_in_the_same_memory() -> None:
    count, size, peak = _decode_in_bounded_memory(60_000)
    assert count == 60_000
    assert size > 200 * MB
    assert peak < 6 * MB, f"peak {peak / MB:.1f} MB for a {size / MB:.0f} MB stream"
