"""Streaming X12 tokenizer: bytes in chunks -> batches of segment tuples.

X12 has no release character, so a segment is everything up to the terminator and an element is
everything up to the element separator: two ``str.split`` calls do the work. The tokenizer reads
the source in chunks, cuts the decoded text after the last complete segment, and hands the
segments on in :class:`Batch` objects that remember where their text started, so an error found
later can still name byte offset, line and column. Memory is bounded by the chunk size plus the
longest segment, whatever the file size.

Each interchange (ISA..IEA) gets its own batches, because the next interchange may use other
separators. Whitespace between segments (CR/LF after the terminator, the blank padding of 80-column
records) is ignored; anything else after an IEA that is not a new ISA is rejected.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from itertools import repeat
from typing import BinaryIO

from edi._controls import EOF_MARK, EOF_MARK_REFUSED, describe, eof_mark_ignored, find_control
from edi.errors import CharsetError, EdiSyntaxError, Position
from edi.x12._syntax import ISA_LENGTH, Segment, Separators, read_isa

__all__ = ["Batch", "Tokenizer"]

CHUNK_SIZE = 1 << 16
MAX_SEGMENT = 1 << 20
_WS = " \t\r\n\x85"
_BOM = "\ufeff"
_EBCDIC_ISA = b"\xc9\xe2\xc1"


class Batch:
    """Consecutive segments of one interchange and the text they were split from."""

    __slots__ = (
        "_starts",
        "byte_offset",
        "column",
        "encoding",
        "first_index",
        "line",
        "segments",
        "separators",
        "text",
    )

    def __init__(
        self,
        segments: list[Segment],
        text: str,
        separators: Separators,
        first_index: int,
        byte_offset: int,
        line: int,
        column: int,
        encoding: str,
    ) -> None:
        self.segments = segments
        self.text = text
        self.separators = separators
        self.first_index = first_index
        self.byte_offset = byte_offset
        self.line = line
        self.column = column
        self.encoding = encoding
        self._starts: list[int] | None = None

    def _segment_starts(self) -> list[int]:
        # Computed on the first error only: the happy path never pays for positions.
        if self._starts is None:
            term = self.separators.segment
            starts: list[int] = []
            at = 0
            for part in self.text.split(term):
                stripped = part.lstrip(_WS)
                if stripped:
                    starts.append(at + len(part) - len(stripped))
                at += len(part) + len(term)
            self._starts = starts
        return self._starts

    def position(self, k: int, *, element: int | None = None) -> Position:
        """Where segment ``k`` of this batch (0-based) starts."""
        starts = self._segment_starts()
        start = starts[k] if k < len(starts) else len(self.text)
        head = self.text[:start]
        offset = self.byte_offset + len(head.encode(self.encoding, "replace"))
        newline = head.rfind("\n")
        line = self.line + head.count("\n")
        column = start - newline if newline >= 0 else self.column + start
        tag = self.segments[k][0] if k < len(self.segments) else None
        return Position(
            offset=offset,
            line=line,
            column=column,
            segment_index=self.first_index + k,
            segment_tag=tag,
            element=element,
        )


class Tokenizer:
    """Turns a byte source into :class:`Batch` objects, interchange by interchange.

    ``encoding`` None means: ASCII/UTF-8, or EBCDIC (code page 037) when the file starts with an
    EBCDIC ``ISA``. Bytes that the encoding cannot decode raise :class:`CharsetError`.
    """

    def __init__(
        self,
        source: bytes | BinaryIO,
        *,
        encoding: str | None = None,
        chunk_size: int = CHUNK_SIZE,
        strict: bool = False,
        warnings: list[str] | None = None,
    ) -> None:
        self._source = source
        self._strict = strict
        #: tolerated deviations outside any set (a missing final terminator, a Ctrl-Z at the end)
        self.warnings: list[str] = warnings if warnings is not None else []
        self._requested = encoding
        self._chunk_size = chunk_size
        self._pos = 0  # read position in a bytes source
        self._buf = ""
        self._eof = False
        self._byte = 0  # byte offset of _buf[0]
        self._line = 1
        self._column = 1
        self.encoding = encoding or "utf-8"
        self._decoder: codecs.IncrementalDecoder | None = None
        self.separators: Separators | None = None

    # -- reading -------------------------------------------------------------------------------
    def _read(self) -> bytes:
        # A buffer that already holds a long partial segment grows by its own size, not by one
        # chunk: the appends and searches then add up to linear time instead of quadratic.
        size = max(self._chunk_size, len(self._buf))
        if isinstance(self._source, bytes | bytearray | memoryview):
            data = bytes(self._source[self._pos : self._pos + size])
            self._pos += len(data)
            return data
        return self._source.read(size)

    def _fill(self) -> bool:
        """Append the next decoded chunk to the buffer; False at end of input."""
        if self._eof:
            return False
        data = self._read()
        if self._decoder is None:
            # Short reads (pipes, sockets): look at the first real bytes before choosing the codec.
            while len(data.lstrip(b"\x40\x15\x25\x0d\x20\x0a")) < 3:
                more = self._read()
                if not more:
                    break
                data += more
            if self._requested is None and data.lstrip(b"\x40\x15\x25\x0d").startswith(_EBCDIC_ISA):
                self.encoding = "cp037"
            self._decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            offset = self._byte + len(self._buf.encode(self.encoding)) + exc.start
            raise CharsetError(
                f"byte 0x{exc.object[exc.start]:02X} cannot be decoded as {self.encoding}; X12 data "
                "should be ASCII (decode with encoding='latin-1' if the partner sends ISO 8859-1)",
                position=Position(offset=offset),
                code="024",
            ) from None
        if not data:
            self._eof = True
        self._buf += text
        return bool(data)

    def _consume(self, n: int, head: str | None = None) -> None:
        """Drop the first ``n`` characters (``head``, when the caller already sliced them)."""
        if head is None:
            head = self._buf[:n]
        self._byte += n if head.isascii() else len(head.encode(self.encoding))
        newlines = head.count("\n")
        if newlines:
            self._line += newlines
            self._column = n - head.rfind("\n")
        else:
            self._column += n
        self._buf = self._buf[n:]

    def _here(self) -> Position:
        return Position(offset=self._byte, line=self._line, column=self._column)

    def _ahead(self, head: str) -> Position:
        """Where the buffer's text after ``head`` (a prefix of it) starts."""
        newlines = head.count("\n")
        column = len(head) - head.rfind("\n") if newlines else self._column + len(head)
        offset = self._byte + len(head.encode(self.encoding, "replace"))
        return Position(offset=offset, line=self._line + newlines, column=column)

    # -- batches -------------------------------------------------------------------------------
    def batches(self) -> Iterator[Batch]:
        """Every batch of every interchange, in file order."""
        first = True
        while True:
            # blanks are dropped as they come: stripping a growing buffer of them was quadratic
            while True:
                lead = len(self._buf) - len(self._buf.lstrip(_WS + _BOM if first else _WS))
                if lead:
                    self._consume(lead)
                if self._buf or not self._fill():
                    break
            if not self._buf:
                if first:
                    raise EdiSyntaxError(
                        "the file is empty; expected an X12 interchange starting with ISA",
                        position=self._here(),
                        code="023",
                    )
                return
            while len(self._buf) < ISA_LENGTH + 4 and self._fill():
                pass
            if not first and self._buf.startswith(EOF_MARK) and self._only_eof_marks():
                return
            if not self._buf.startswith("ISA"):
                if first:
                    raise EdiSyntaxError(
                        f"not an X12 interchange: expected ISA, found {self._buf[:10]!r}",
                        position=self._here(),
                        code="022",
                    )
                raise EdiSyntaxError(
                    f"unexpected data after IEA: {self._buf[:20]!r}; only another ISA..IEA interchange "
                    "may follow",
                    position=self._here(),
                    code="022",
                )
            first = False
            seps, _ = read_isa(self._buf, offset=self._byte, line=self._line)
            self.separators = seps
            yield from self._interchange(seps)

    def _find_iea(self, term: str, needle: str, start: int = 0) -> tuple[int, int]:
        """Index just after the IEA segment's terminator, or -1 when no complete IEA is buffered at or
        after ``start``; and where the next search, once more text is buffered, must start: at an IEA
        whose terminator has not arrived yet, else just before the end (a needle may straddle it)."""
        buf = self._buf
        at = buf.find(needle, start)
        while at >= 0:
            j = at
            while j > 0 and buf[j - 1] in _WS and not buf.endswith(term, 0, j):
                j -= 1
            if j == 0 or buf.endswith(term, 0, j):
                end = buf.find(term, at)
                return (end + len(term), 0) if end >= 0 else (-1, at)
            at = buf.find(needle, at + 1)
        return -1, max(0, len(buf) - len(needle) - len(term))

    def _interchange(self, seps: Separators) -> Iterator[Batch]:
        term = seps.segment
        needle = "IEA" + seps.element
        index = 1
        start = 0  # the buffer before here holds no IEA (it did not change but grew since)
        while True:
            cut, resume = self._find_iea(term, needle, start)
            start = 0
            done = cut > 0
            if not done:
                last = self._buf.rfind(term)
                if last < 0 and self._buf[:1] in ("\r", "\n", " ", "\t"):
                    # blank lines between segments are no part of the next one
                    blank = len(self._buf) - len(self._buf.lstrip(_WS))
                    self._consume(blank)
                    resume = max(0, resume - blank)
                if last >= 0:
                    cut = last + len(term)
                    # Keep the line break after the terminator in this batch, so that the next
                    # batch starts with a tag and needs no stripping.
                    breaks = _line_breaks(term)
                    found = breaks.match(self._buf, cut) if breaks is not None else None
                    if found is not None:
                        cut = found.end()
            if cut > 0 and (done or len(self._buf) >= self._chunk_size or self._eof):
                batch = self._cut(cut, seps, index)
                index += len(batch.segments)
                yield batch
                if done:
                    return
                continue
            if self._fill():
                start = resume
            else:
                if cut > 0:
                    continue  # end of input: hand on the complete segments first
                if self._terminate_iea(term, needle):
                    continue
                if self._buf.strip(_WS):
                    tail = self._buf.strip(_WS)[:40]
                    raise EdiSyntaxError(
                        f"the file ends inside a segment without terminator {term!r}: {tail!r}",
                        position=self._here(),
                        code="023",
                    )
                raise EdiSyntaxError(
                    "the file ends before the IEA interchange trailer",
                    position=Position(
                        offset=self._byte, line=self._line, column=self._column, segment_index=index
                    ),
                    code="023",
                )
            if len(self._buf) > MAX_SEGMENT + self._chunk_size and self._buf.rfind(term) < 0:
                raise EdiSyntaxError(
                    f"no segment terminator {term!r} within {MAX_SEGMENT} characters",
                    position=self._here(),
                    code="004",
                )

    def _only_eof_marks(self) -> bool:
        """Whether the rest of the input after an IEA is Ctrl-Z (0x1A), the end-of-file mark DOS and
        CP/M tools append, and blanks: dropped with a warning, refused in strict mode."""
        where = self._here()
        while not self._buf.strip(_WS + EOF_MARK):
            self._consume(len(self._buf))
            if not self._fill():
                break
        if self._buf:
            return False  # more data follows: the caller refuses it
        if self._strict:
            raise EdiSyntaxError(EOF_MARK_REFUSED, position=where, code="022")
        self.warnings.append(eof_mark_ignored(where))
        return True

    def _terminate_iea(self, term: str, needle: str) -> bool:
        """At the end of the input, an IEA that lacks only its terminator (perhaps followed by a Ctrl-Z)
        gets one, with a warning, as other parsers read it; strict mode refuses it. False for any other
        unterminated rest: the file is truncated."""
        tail = self._buf.rstrip(_WS)
        body = tail.rstrip(_WS + EOF_MARK).lstrip(_WS)
        if not body.startswith(needle):
            return False
        self._consume(len(self._buf) - len(self._buf.lstrip(_WS)))
        tail = self._buf.rstrip(_WS)
        where = self._here()
        shown = body[:40]
        if self._strict:
            raise EdiSyntaxError(
                f"the last segment {shown!r} has no segment terminator {term!r}; strict mode refuses a "
                "missing final terminator",
                position=where,
                code="023",
            )
        self.warnings.append(
            f"the last segment {shown!r} has no segment terminator {term!r}; read as if it had one ({where})"
        )
        if len(body) < len(tail):
            mark = self._ahead(tail[: tail.index(EOF_MARK, len(body))])
            self.warnings.append(eof_mark_ignored(mark))
        self._buf = body + term
        return True

    def _control_character(self, text: str, bad: int, seps: Separators, index: int) -> None:
        head = text[:bad]
        newline = head.rfind("\n")
        segment = index + len([p for p in head.split(seps.segment)[:-1] if p.strip(_WS)])
        start = head.rfind(seps.segment) + 1
        tag = head[start:].lstrip(_WS).split(seps.element, 1)[0][:3]
        raise CharsetError(
            f"{describe(text[bad])} inside a value of segment {tag!r}: control characters other "
            "than the separators are not allowed in X12 data (the sender must remove it)",
            position=Position(
                offset=self._byte + len(head.encode(self.encoding, "replace")),
                line=self._line + head.count("\n"),
                column=bad - newline if newline >= 0 else self._column + bad,
                segment_index=segment,
                segment_tag=tag if tag.isalnum() else None,
            ),
            code="024",
        )

    def _cut(self, cut: int, seps: Separators, index: int) -> Batch:
        text = self._buf[:cut]
        bad = find_control(text, seps.specials())
        if bad >= 0:
            self._control_character(text, bad, seps, index)
        parts = _regular_parts(text, seps)
        if parts is None:
            parts = _parts(text, seps)
        elem = seps.element
        segments: list[Segment] = list(map(tuple, map(str.split, parts, repeat(elem, len(parts)))))
        batch = Batch(segments, text, seps, index, self._byte, self._line, self._column, self.encoding)
        self._consume(cut, text)
        return batch


_BREAKS: dict[str, re.Pattern[str] | None] = {}


def _line_breaks(term: str) -> re.Pattern[str] | None:
    """The line breaks that may follow a terminator (none that is the terminator itself)."""
    if term not in _BREAKS:
        chars = "".join(c for c in "\r\n" if c not in term)
        _BREAKS[term] = re.compile(f"[{chars}]*") if chars else None
    return _BREAKS[term]


def _regular_parts(text: str, seps: Separators) -> list[str] | None:
    """The segment texts of a batch from a file that writes ``suffix`` (a line break) after every
    terminator and nothing else between segments, as our serializer and most senders do; None when
    ``text`` is not that regular. Splitting on terminator + suffix at once gives exactly what
    :func:`_parts` would, without its replace pass over the text."""
    term, suffix = seps.segment, seps.suffix
    if suffix not in ("\n", "\r\n") or term in "\r\n":
        return None
    sep = term + suffix
    # A batch may start with the rest of the line break its predecessor ended on, and the last one
    # ends with the IEA's terminator alone.
    body = text.lstrip("\r\n")
    if body.endswith(sep):
        body = body[: -len(sep)]
    elif body.endswith(term):
        body = body[: -len(term)]
    else:
        return None
    parts = body.split(sep)
    # Whatever is left between the separators must hold no terminator, line break or other
    # whitespace that _parts would strip, and no segment may be empty.
    content = "".join(parts)
    if (
        term in content
        or "\n" in content
        or "\r" in content
        or "\t" in content
        or "\x85" in content
        or not all(parts)
        or body.startswith(" ")
        or (sep + " ") in body
    ):
        return None
    return parts


def _parts(text: str, seps: Separators) -> list[str]:
    """The segment texts of ``text`` (complete segments), whitespace between segments dropped."""
    term = seps.segment
    body = text
    if seps.suffix == "\r\n":
        body = body.replace(term + "\r\n", term)
    elif seps.suffix == "\n":
        body = body.replace(term + "\n", term)
    parts = body.split(term)
    parts.pop()
    if "\n" in body or "\r" in body or (term + " ") in body or body[:1] in (" ", "\t"):
        parts = [p.lstrip(_WS) for p in parts]
    if "" in parts:
        parts = [p for p in parts if p]
    return parts
