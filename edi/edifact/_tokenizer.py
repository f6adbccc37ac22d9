"""Bytes -> segments, in bounded memory.

The framer works on bytes (every service character is ASCII, and every supported character set is
ASCII-compatible), so a UNA or UNB that changes separators or the character set can switch the
decoding exactly at its own byte offset. Complete segments are decoded body by body (up to one
chunk) and split with ``str.split`` when the body holds no release character; otherwise a regex
scanner handles the release character. Positions (byte, line, column) are not tracked per
segment: they are recomputed from the retained body of the last few batches when an error needs
them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from edi._controls import EOF_MARK_REFUSED, describe, eof_mark_ignored, find_control
from edi.edifact._scan import scan_fast, scan_slow
from edi.edifact._syntax import CHARSETS, DEFAULT_CHARS, Segment, ServiceChars, Syntax
from edi.errors import CharsetError, EdiSyntaxError, Position

__all__ = ["CHUNK_SIZE", "MAX_SEGMENT", "Batch", "Tokenizer", "parse_segments"]

CHUNK_SIZE = 65536
#: The longest segment accepted, in bytes (the longest a supported message needs is a few KiB).
MAX_SEGMENT = 1 << 20
_BOM = b"\xef\xbb\xbf"
_WS = b" \t\r\n"
_BODY_MAX = 4096


@dataclass(frozen=True, slots=True)
class _Where:
    """What :meth:`Tokenizer.locate` needs of a past batch (not its segments: keeping those alive
    would make the garbage collector walk them again and again)."""

    first_index: int
    count: int
    body: bytes
    byte_base: int
    line_base: int
    col_base: int
    syntax: Syntax


@dataclass(slots=True)
class Batch:
    """Consecutive segments from one body of bytes, all decoded with one :class:`Syntax`."""

    segments: list[Segment]
    syntax: Syntax
    first_index: int  # global 1-based number of segments[0] in the stream
    body: bytes
    byte_base: int
    line_base: int  # 1-based line of body[0]
    col_base: int  # 0-based column of body[0]
    unterminated: bool = False  # the last segment ran into the end of the input
    warnings: list[str] = field(default_factory=list)


def _unreleased(buf: bytes, j: int, rel: int, start: int = 0) -> bool:
    n = 0
    while j - 1 - n >= start and buf[j - 1 - n] == rel:
        n += 1
    return n % 2 == 0


_SEGMENT_RX: dict[tuple[bytes, int], re.Pattern[bytes]] = {}
_BLANKS_RX: dict[bytes, re.Pattern[bytes]] = {}


def _segment_rx(term: bytes, rel: int) -> re.Pattern[bytes]:
    """One segment up to and including its unreleased terminator, matched in linear time."""
    key = (term, rel)
    rx = _SEGMENT_RX.get(key)
    if rx is None:
        t, r = re.escape(term), re.escape(bytes([rel]))
        rx = _SEGMENT_RX[key] = re.compile(rb"(?:[^" + t + r + rb"]++|" + r + rb".)*+" + t, re.DOTALL)
    return rx


def _blanks_rx(term: bytes) -> re.Pattern[bytes]:
    """Blanks between segments (a terminator that is itself a blank is data, not a blank)."""
    rx = _BLANKS_RX.get(term)
    if rx is None:
        blanks = bytes(b for b in _WS if bytes([b]) != term)
        rx = _BLANKS_RX[term] = re.compile(b"[" + re.escape(blanks) + b"]*")
    return rx


def _last_cut(buf: bytes, term: bytes, rel: int, start: int, end: int) -> int:
    """Index just after the last unreleased terminator in ``buf[start:end]``, or -1. ``start`` must be
    a segment boundary. Linear in ``end - start`` whatever the release characters (walking back
    over released terminators one by one was quadratic on input like ``?'?'?'...``)."""
    j = buf.rfind(term, start, end)
    if j < 0:
        return -1
    if j == start or buf[j - 1] != rel:
        return j + 1
    rx = _segment_rx(term, rel)
    cut = -1
    pos = start
    while (m := rx.match(buf, pos, end)) is not None:
        cut = pos = m.end()
    return cut


def _first_cut(buf: bytes, term: bytes, rel: int, start: int) -> int:
    """Index just after the first unreleased terminator at or after segment boundary ``start``."""
    j = buf.find(term, start)
    if j < 0:
        return -1
    if buf.find(bytes([rel]), start, j) < 0:
        return j + 1
    m = _segment_rx(term, rel).match(buf, start)
    return m.end() if m is not None else -1


class Tokenizer:
    """Reads ``source`` in chunks and yields :class:`Batch` objects; keeps the last few batches so
    :meth:`locate` can turn a segment number into a byte/line/column position."""

    def __init__(
        self,
        source: bytes | BinaryIO,
        *,
        strict: bool = False,
        chunk_size: int = CHUNK_SIZE,
        warnings: list[str] | None = None,
    ):
        self._source = source
        self._strict = strict
        #: tolerated deviations outside any message (a missing final terminator, a Ctrl-Z at the end)
        self.warnings: list[str] = warnings if warnings is not None else []
        self._chunk = chunk_size
        self._recent: deque[_Where] = deque(maxlen=8)
        self.syntax = Syntax(DEFAULT_CHARS)
        self._next_index = 1
        self._pos = 0  # read position in a bytes source
        self._utf8_checked = False
        self._warned_8bit = False

    # -- reading -------------------------------------------------------------------------------
    def _read(self, size: int) -> bytes:
        src = self._source
        if isinstance(src, bytes | bytearray | memoryview):
            data = bytes(memoryview(src)[self._pos : self._pos + size])
            self._pos += len(data)
            return data
        return bytes(src.read(size))

    def batches(self) -> Iterator[Batch]:
        buf = b""
        base = 0  # byte offset of buf[0]
        line, col = 1, 0
        first = True
        eof = False
        while True:
            if not eof:
                # a buffer holding a long partial segment grows by its own size, not by one chunk:
                # the appends and searches then add up to linear time instead of quadratic
                chunk = self._read(max(self._chunk, len(buf)))
                if not chunk:
                    eof = True
                    buf = self._drop_eof_mark(buf, base, line, col)
                else:
                    buf += chunk
                    if first and len(buf) < 3 and not eof:
                        continue
            if first:
                first = False
                if buf.startswith(_BOM):
                    buf = buf[3:]
                    base += 3
            pos = 0
            n = len(buf)
            special = -1  # cached start of the next UNA/UNB in this buffer
            while True:
                # whitespace between segments is not data
                start = pos
                if pos < n and buf[pos] in _WS:
                    blanks = _blanks_rx(self.syntax.chars.terminator.encode("ascii")).match(buf, pos)
                    pos = blanks.end() if blanks is not None else pos
                if pos > start:
                    skipped = buf[start:pos]
                    nl = skipped.count(b"\n")
                    line += nl
                    col = len(skipped) - skipped.rfind(b"\n") - 1 if nl else col + len(skipped)
                if pos >= n:
                    break
                head = buf[pos : pos + 3]
                if len(head) < 3 and not eof:
                    break
                if head == b"UNA":
                    if n - pos < 9:
                        if not eof:
                            break
                        raise EdiSyntaxError(
                            "UNA service string advice is shorter than 9 characters",
                            position=Position(
                                offset=base + pos, line=line, column=col + 1, segment_tag="UNA"
                            ),
                            code="22",
                        )
                    self._set_una(buf[pos + 3 : pos + 9], Position(base + pos, line, col + 1, None, "UNA"))
                    pos += 9
                    col += 9
                    continue
                rel = ord(self.syntax.chars.release)
                term = self.syntax.chars.terminator.encode("ascii")
                if head == b"UNB":
                    end = _first_cut(buf, term, rel, pos)
                    if end < 0 and not eof:
                        break
                    if end < 0:
                        end = n
                    self._set_unb(buf[pos:end], Position(base + pos, line, col + 1, self._next_index, "UNB"))
                    cut = end
                else:
                    if special <= pos:
                        special = self._next_special(buf, pos, term, rel)
                    limit = special
                    # small bodies keep few segments alive at a time (less work for the GC)
                    cut = _last_cut(buf, term, rel, pos, min(limit, pos + _BODY_MAX))
                    if cut <= pos:
                        cut = _last_cut(buf, term, rel, pos, limit)
                    if cut <= pos:
                        if limit < n:
                            cut = limit  # unterminated segment right before a UNA/UNB
                        elif eof:
                            cut = n
                        else:
                            break
                body = buf[pos:cut]
                batch = self._make_batch(body, base + pos, line, col, unterminated=not body.endswith(term))
                self._recent.append(
                    _Where(
                        batch.first_index, len(batch.segments), body, batch.byte_base, line, col, batch.syntax
                    )
                )
                if self._strict:
                    self._check_trailing(batch)
                nl = body.count(b"\n")
                line += nl
                col = len(body) - body.rfind(b"\n") - 1 if nl else col + len(body)
                pos = cut
                if batch.segments:
                    yield batch
            if n - pos > MAX_SEGMENT and not eof:
                self._too_long(buf, pos, Position(base + pos, line, col + 1, self._next_index))
            buf = buf[pos:]
            base += pos
            if eof and not buf:
                return

    @property
    def strict(self) -> bool:
        return self._strict

    def _drop_eof_mark(self, buf: bytes, base: int, line: int, col: int) -> bytes:
        """``buf`` (the unread rest of the input) without a trailing Ctrl-Z (0x1A): the end-of-file mark
        DOS and CP/M tools append, which other parsers skip. Tolerated with a warning, refused in
        strict mode; a Ctrl-Z followed by anything but blanks and more of them is left for the
        tokenizer to refuse as a control character."""
        end = len(buf.rstrip(b" \t\r\n\x1a"))
        mark = buf.find(b"\x1a", end)
        if mark < 0:
            return buf
        where = self._position_in(buf, mark, base, line, col)
        if self._strict:
            raise EdiSyntaxError(EOF_MARK_REFUSED, position=where, code="33")
        self.warnings.append(eof_mark_ignored(where))
        return buf[:mark]

    def _too_long(self, buf: bytes, pos: int, where: Position) -> None:
        """Refuse a segment longer than :data:`MAX_SEGMENT` bytes: no segment of a supported message
        is near that, and holding (or splitting) an unbounded one costs unbounded memory."""
        tag = buf[pos : pos + 3].decode("latin-1")
        raise EdiSyntaxError(
            f"segment {tag!r} is longer than {MAX_SEGMENT} bytes (or its terminator "
            f"{self.syntax.chars.terminator!r} is missing); segments are limited to {MAX_SEGMENT} bytes",
            position=replace(where, segment_tag=tag if tag.isalnum() else None),
            code="16",
        )

    def _next_special(self, buf: bytes, pos: int, term: bytes, rel: int) -> int:
        """Start of the next UNA/UNB segment in ``buf`` after ``pos`` (or ``len(buf)``)."""
        limit = len(buf)
        for tag in (b"UNA", b"UNB"):
            j = buf.find(tag, pos + 1)
            while 0 <= j < limit:
                q = j - 1
                while q >= pos and buf[q] in _WS and buf[q : q + 1] != term:
                    q -= 1
                if q < pos or (buf[q : q + 1] == term and _unreleased(buf, q, rel, pos)):
                    limit = j
                    break
                j = buf.find(tag, j + 1)
        return limit

    def _check_trailing(self, batch: Batch) -> None:
        """ISO 9735 forbids trailing separators (``RFF+VA:123:'``): 0085 code 45, strict mode only."""
        for k, seg in enumerate(batch.segments):
            last = seg[-1]
            if len(seg) > 1 and (last == "" or (last.__class__ is tuple and last[-1] == "")):
                index = batch.first_index + k
                tag = seg[0] if isinstance(seg[0], str) else None
                raise EdiSyntaxError(
                    f"segment {tag} ends with a separator; trailing empty elements and components must be "
                    "omitted",
                    position=self.locate(index, tag, len(seg) - 1),
                    code="45",
                )

    # -- header segments ---------------------------------------------------------------------
    def _set_una(self, six: bytes, where: Position) -> None:
        try:
            chars = ServiceChars.from_una(six.decode("ascii"))
        except UnicodeDecodeError:
            raise EdiSyntaxError(
                "UNA holds non-ASCII service characters", position=where, code="20"
            ) from None
        used = [chars.component, chars.data, chars.decimal, chars.release, chars.terminator]
        if chars.repetition != " ":
            used.append(chars.repetition)
        if len(set(used)) != len(used) or chars.decimal not in ".,":
            raise EdiSyntaxError(
                f"UNA service characters {six.decode('ascii')!r} are ambiguous or the decimal mark is "
                "neither '.' nor ','",
                position=where,
                code="20",
            )
        self.syntax = Syntax(chars, una=True)

    def _set_unb(self, raw: bytes, where: Position) -> None:
        chars = self.syntax.chars
        text = raw.decode("latin-1")
        if not text.endswith(chars.terminator):
            text += chars.terminator
        segs = scan_slow(text, chars, False)
        s001 = segs[0][1] if segs and len(segs[0]) > 1 else ""
        ident = s001 if isinstance(s001, str) else str(s001[0])
        version = "" if isinstance(s001, str) else str(s001[1]) if len(s001) > 1 else ""
        cs = CHARSETS.get(ident)
        if cs is None:
            raise CharsetError(
                f"UNB syntax identifier {ident!r} is not supported; use UNOA..UNOL, UNOW or UNOY",
                position=replace(where, element=1, component=1),
                code="2",
            )
        if version not in ("1", "2", "3", "4"):
            raise EdiSyntaxError(
                f"UNB syntax version {version!r} is not 1, 2, 3 or 4",
                position=replace(where, element=1, component=2),
                code="2",
            )
        if version == "4" and not self.syntax.una:
            chars = replace(chars, repetition="*")
        elif version != "4" and chars.repetition != " ":
            chars = replace(chars, repetition=" ")
        self.syntax = Syntax(chars, ident, version, cs.codec, self.syntax.una)
        self._utf8_checked = cs.codec == "utf_8"
        self._warned_8bit = False

    # -- bodies -----------------------------------------------------------------------------
    def _make_batch(self, body: bytes, byte_base: int, line: int, col: int, *, unterminated: bool) -> Batch:
        syntax = self.syntax
        chars = syntax.chars
        warnings: list[str] = []
        text = self._decode(body, byte_base, line, col, warnings)
        bad = find_control(text, chars.specials())
        if bad >= 0:
            self._control_character(text, bad, body, byte_base, line, col)
        if unterminated:
            text += chars.terminator
        rep = chars.repetition != " "
        if "\r" in text or "\n" in text:
            if chars.terminator not in "\r\n":
                text = text.replace("\r", "").replace("\n", "")
            elif chars.terminator == "\n":
                text = text.replace("\r", "")
        term = chars.terminator
        if (
            chars.release in text
            or (rep and chars.repetition in text)
            or term + " " in text
            or text.startswith(" ")
        ):
            segments = scan_slow(text, chars, rep)
        else:
            segments = scan_fast(text, chars)
        if term == "\n":
            segments = [s for s in segments if s != ("",)]
        batch = Batch(
            segments, self.syntax, self._next_index, body, byte_base, line, col, unterminated, warnings
        )
        self._next_index += len(segments)
        return batch

    def _control_character(
        self, text: str, bad: int, body: bytes, byte_base: int, line: int, col: int
    ) -> None:
        chars = self.syntax.chars
        index = self._next_index + text.count(chars.terminator, 0, bad)
        start = text.rfind(chars.terminator, 0, bad) + 1
        tag = text[start:bad].lstrip(" \r\n\t")[:3]
        off = len(text[:bad].encode(self.syntax.codec, "replace"))
        where = self._position_in(body, off, byte_base, line, col)
        raise CharsetError(
            f"{describe(text[bad])} inside a value of segment {tag!r}: control characters are not "
            "allowed in EDIFACT data (the sender must remove it)",
            position=replace(where, segment_index=index, segment_tag=tag if tag.isalnum() else None),
            code="21",
        )

    def _decode(self, body: bytes, byte_base: int, line: int, col: int, warnings: list[str]) -> str:
        syntax = self.syntax
        cs = CHARSETS.get(syntax.charset)
        if body.isascii():
            text = body.decode("ascii")
        else:
            bad = next(i for i, b in enumerate(body) if b > 0x7F)
            where = self._position_in(body, bad, byte_base, line, col)
            if cs is not None and cs.ascii_only:
                if self._strict:
                    raise CharsetError(
                        f"byte 0x{body[bad]:02X} is not allowed in {syntax.charset} (7-bit)",
                        position=where,
                        code="21",
                    )
                if self._warned_8bit:
                    try:
                        return body.decode("utf-8")
                    except UnicodeDecodeError:
                        return body.decode("latin-1")
                self._warned_8bit = True  # once per interchange: warnings must not grow with the file
                try:
                    text = body.decode("utf-8")
                    warnings.append(
                        f"{syntax.charset} declares 7-bit ASCII but the data holds UTF-8; "
                        f"decoded as UTF-8 (first: {where})"
                    )
                except UnicodeDecodeError:
                    text = body.decode("latin-1")
                    warnings.append(
                        f"{syntax.charset} declares 7-bit ASCII but the data holds 8-bit "
                        f"bytes; decoded as ISO 8859-1 (first: {where})"
                    )
                return text
            if not self._utf8_checked:
                self._utf8_checked = True
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    if self._strict:
                        raise CharsetError(
                            f"UNB declares {syntax.charset} ({syntax.codec}) but the bytes are UTF-8",
                            position=where,
                            code="21",
                        )
                    self.syntax = replace(syntax, codec="utf_8")
                    warnings.append(
                        f"UNB declares {syntax.charset} ({syntax.codec}) but the bytes are UTF-8; decoded "
                        f"as UTF-8 instead of producing mojibake (first non-ASCII byte: {where})"
                    )
                    return text
            try:
                text = body.decode(self.syntax.codec)
            except UnicodeDecodeError as exc:
                raise CharsetError(
                    f"bytes cannot be decoded as {syntax.charset} ({self.syntax.codec}): {exc.reason}",
                    position=self._position_in(body, exc.start, byte_base, line, col),
                    code="21",
                ) from None
        if self._strict and cs is not None and cs.allowed is not None:
            allowed = cs.allowed + syntax.chars.specials() + "\r\n"
            for i, ch in enumerate(text):
                if ch not in allowed:
                    raise CharsetError(
                        f"character {ch!r} is not in the {syntax.charset} repertoire",
                        position=self._position_in(body, i, byte_base, line, col),
                        code="21",
                    )
        return text

    # -- positions --------------------------------------------------------------------------
    def _position_in(self, body: bytes, off: int, byte_base: int, line: int, col: int) -> Position:
        before = body[:off]
        nl = before.count(b"\n")
        start = before.rfind(b"\n") + 1 if nl else 0
        width = len(before[start:].decode(self.syntax.codec, errors="replace"))
        return Position(offset=byte_base + off, line=line + nl, column=(width if nl else col + width) + 1)

    def locate(self, index: int, tag: str | None = None, element: int | None = None) -> Position:
        """Position of the segment with global number ``index`` (1-based) if still retained."""
        for batch in self._recent:
            if batch.first_index <= index < batch.first_index + batch.count:
                off = self._segment_offset(batch, index - batch.first_index)
                pos = self._position_in(batch.body, off, batch.byte_base, batch.line_base, batch.col_base)
                return replace(pos, segment_index=index, segment_tag=tag, element=element)
        return Position(segment_index=index, segment_tag=tag, element=element)

    @staticmethod
    def _segment_offset(batch: _Where, k: int) -> int:
        body = batch.body
        chars = batch.syntax.chars
        term = chars.terminator.encode("ascii")
        rel = ord(chars.release)
        pos = 0
        for _ in range(k):
            end = _first_cut(body, term, rel, pos)
            if end < 0:
                break
            pos = end
            while pos < len(body) and body[pos] in _WS and body[pos : pos + 1] != term:
                pos += 1
            if term == b"\n":
                while body[pos : pos + 1] == b"\n":
                    pos += 1
        return pos


def parse_segments(source: bytes | BinaryIO, *, strict: bool = False) -> Iterator[Segment]:
    """Yield every segment of ``source`` (UNA excluded, UNB..UNZ included) as a flat tuple
    (see :data:`Segment`). Reads in chunks; handles UNA, release characters, syntax-4 repetition,
    BOM, CR/LF and blanks between segments, wrapped lines and several interchanges."""
    for batch in Tokenizer(source, strict=strict).batches():
        yield from batch.segments
