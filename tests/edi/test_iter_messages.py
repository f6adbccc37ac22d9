"""``edi.iter_messages`` decodes a file one message at a time (issue #12 item 4): the same messages,
errors and acknowledgement as ``edi.decode_all``, without holding every document, and from a file
object without holding the file."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

import edi
from edi.documents import AckStatus, Message, PurchaseOrder
from tests.edi.test_never_raises import ENVELOPE, FAST, HEADERS, _mutations, seed_bytes

MB = 1024 * 1024


def _same(streamed: list[Message], whole: list[Message]) -> None:
    assert [(m.format, m.message_type, m.envelope, m.document, m.warnings) for m in streamed] == [
        (m.format, m.message_type, m.envelope, m.document, m.warnings) for m in whole
    ]
    assert [(type(m.error), str(m.error)) for m in streamed] == [(type(m.error), str(m.error)) for m in whole]


def _compare(data: bytes, *, chunked: bool) -> edi.Decoded:
    whole = edi.decode_all(data)
    stream = edi.iter_messages(io.BytesIO(data) if chunked else data)
    messages = list(stream)
    summary = stream.summary()
    _same(messages, whole.messages)
    assert (type(summary.error), str(summary.error)) == (type(whole.error), str(whole.error))
    if whole.format != "unknown":
        assert stream.format == summary.format == whole.format
    # The summary has no business documents, but acknowledges the same way.
    assert [m.ok for m in summary.messages] == [m.ok for m in whole.messages]
    assert all(
        m.document is None or m.message_type in ("CONTRL", "APERAK", "997", "999", "TA1")
        for m in summary.messages
        if summary.format in ("edifact", "x12")
    )
    ack = edi.acknowledgement(summary)
    assert ack == edi.acknowledgement(whole)
    if ack is not None:
        assert edi.encode_acknowledgement(summary, ack, ENVELOPE) is not None
    return summary


def test_corpus_seeds_stream_like_decode_all() -> None:
    for seeds in seed_bytes().values():
        for data in seeds:
            for chunked in (False, True):
                summary = _compare(data, chunked=chunked)
                assert summary.messages and summary.error is None


@FAST
@given(_mutations(), st.booleans())
def test_mutated_corpus_files_stream_like_decode_all(mutated: tuple[str, bytes], chunked: bool) -> None:
    _compare(mutated[1], chunked=chunked)


@FAST
@given(st.sampled_from(HEADERS), st.binary(max_size=2000), st.booleans())
def test_arbitrary_bytes_behind_a_header_stream_like_decode_all(
    header: bytes, tail: bytes, chunked: bool
) -> None:
    _compare(header + tail, chunked=chunked)


class _Generated:
    """A big EDIFACT ORDERS interchange, written as it is read: the test holds no copy of it."""

    def __init__(self, messages: int, lines: int) -> None:
        self._parts = self._generate(messages, lines)
        self._buffer = b""
        self.size = 0

    @staticmethod
    def _generate(messages: int, lines: int) -> Iterator[bytes]:
        yield b"UNA:+.? 'UNB+UNOC:3+4012345000009:14+5412345000013:14+260101:1200+BIG'"
        for m in range(1, messages + 1):
            body = [f"UNH+{m}+ORDERS:D:96A:UN:EAN008'", f"BGM+220+PO{m:08d}+9'", "DTM+137:20260101:102'"]
            body += ["NAD+BY+5412345000013::9'", "NAD+SU+4012345000009::9'", "CUX+2:EUR:9'"]
            for n in range(1, lines + 1):
                body += [f"LIN+{n}++40123450000{n % 100:02d}:EN'", f"IMD+F++:::Article {n} described'"]
                body += [f"QTY+21:{n * 3}'", f"PRI+AAA:{n}.25'"]
            body += ["UNS+S'", f"CNT+2:{lines}'", f"UNT+{len(body) + 3}+{m}'"]
            yield "".join(body).encode("latin-1")
        yield f"UNZ+{messages}+BIG'".encode()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        cut = len(self._buffer) if size < 0 else size
        out, self._buffer = self._buffer[:cut], self._buffer[cut:]
        self.size += len(out)
        return out


def test_a_big_stream_is_decoded_in_flat_memory_and_acknowledged() -> None:
    # 500 messages of 200 lines: an 8 MB stream whose documents take about 47 MB. The peak stays
    # near 1 MB at any length (it was the same for 2,000 messages, a 31 MB stream that took four
    # times as long under tracemalloc), so the bound below, half the stream, fails whether the
    # decoder holds the file or the documents.
    source = _Generated(messages=500, lines=200)
    tracemalloc.start()
    try:
        stream = edi.iter_messages(source)
        count = 0
        for message in stream:
            assert isinstance(message.document, PurchaseOrder) and len(message.document.lines) == 200
            count += 1
        summary = stream.summary()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 500 and summary.error is None
    assert source.size > 7 * MB
    # here one document, the chunk being read and a summary per message (about 0.5 MB)
    assert peak < source.size / 2, f"peak {peak / MB:.1f} MB for a {source.size / MB:.0f} MB stream"
    ack = edi.acknowledgement(summary)
    assert ack is not None and ack.status is AckStatus.ACCEPTED and len(ack.messages) == 500
