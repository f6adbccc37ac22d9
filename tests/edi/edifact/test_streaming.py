"""decode() reads in chunks and keeps memory flat, whatever the size of the input."""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Iterator

import pytest

from edi.documents import PurchaseOrder
from edi.edifact import decode, parse_segments

_NOTE = "Deliver to the back door; call ahead. " * 220  # ~8 KB of free text per message


def _message(n: int) -> bytes:
    body = [
        f"BGM+220+PO{n:09d}+9'",
        "DTM+137:20260101:102'",
        f"FTX+AAI+++{_NOTE}'",
        "NAD+BY+5412345000013::9'",
        "NAD+SU+4012345000009::9'",
        "LIN+1++4012345000016:EN'",
        f"QTY+21:{n % 97 + 1}'",
        "UNS+S'",
    ]
    return (f"UNH+{n}+ORDERS:D:96A:UN:EAN008'" + "".join(body) + f"UNT+{len(body) + 2}+{n}'").encode("ascii")


class _GeneratedStream:
    """A binary file object producing an interchange of ``messages`` messages on the fly."""

    def __init__(self, messages: int) -> None:
        self.size = 0
        self._parts = self._generate(messages)
        self._buffer = b""

    def _generate(self, messages: int) -> Iterator[bytes]:
        yield b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+5412345000013:14+260101:1200+BIG1'"
        for n in range(1, messages + 1):
            yield _message(n)
        yield f"UNZ+{messages}+BIG1'".encode("ascii")

    def read(self, size: int = -1) -> bytes:
        while len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.size += len(out)
        return out


def _messages_for(megabytes: int) -> int:
    return megabytes * 1024 * 1024 // len(_message(1))


def _decode_and_measure(messages: int) -> tuple[int, int, int]:
    stream = _GeneratedStream(messages)
    tracemalloc.start()
    try:
        count = 0
        quantity_sum = 0
        for message in decode(stream):  # type: ignore[arg-type]
            assert isinstance(message.document, PurchaseOrder), str(message.error)
            quantity_sum += int(message.document.lines[0].quantity)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == messages
    assert quantity_sum == sum(n % 97 + 1 for n in range(1, messages + 1))
    return stream.size, peak, count


def test_decoding_a_20_mb_stream_keeps_memory_flat() -> None:
    size, peak, _ = _decode_and_measure(_messages_for(20))
    assert size > 19 * 1024 * 1024
    assert peak < 3 * 1024 * 1024, f"peak {peak:,} bytes for a {size:,}-byte stream"


def test_parse_segments_reads_a_file_object_in_chunks() -> None:
    stream = _GeneratedStream(200)
    tags = [seg[0] for seg in parse_segments(stream)]  # type: ignore[arg-type]
    assert tags[0] == "UNB" and tags[-1] == "UNZ"
    assert len(tags) == 200 * 10 + 2


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("EDI_BIG_STREAM_TEST") != "1", reason="set EDI_BIG_STREAM_TEST=1 (200 MB)")
def test_decoding_a_200_mb_stream_keeps_memory_flat() -> None:
    size, peak, _ = _decode_and_measure(_messages_for(200))
    assert size > 199 * 1024 * 1024
    assert peak < 3 * 1024 * 1024, f"peak {peak:,} bytes for a {size:,}-byte stream"
