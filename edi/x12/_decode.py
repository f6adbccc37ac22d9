"""bytes -> segments -> envelopes -> documents: the decoding entry points."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from typing import BinaryIO

from edi._construct import new_message
from edi.documents import Document, Message
from edi.errors import EdiError, EdiSyntaxError, MappingError, Position, UnsupportedError
from edi.x12._envelope import RawSet, RawTA1, read_sets
from edi.x12._map810 import decode_810
from edi.x12._map820 import decode_820
from edi.x12._map824 import decode_824
from edi.x12._map850 import decode_850
from edi.x12._map855 import decode_855
from edi.x12._map856 import decode_856
from edi.x12._map860 import decode_860
from edi.x12._map861 import decode_861
from edi.x12._map997 import decode_997, decode_ta1
from edi.x12._sets import check_set
from edi.x12._syntax import Segment
from edi.x12._tokenizer import Tokenizer

__all__ = ["DecodeResult", "SetInfo", "decode", "decode_all", "detect", "parse_segments"]

Mapper = Callable[[list[Segment]], tuple[Document, list[str]]]
_MAPPERS: dict[str, Mapper] = {
    "850": decode_850,
    "855": decode_855,
    "856": decode_856,
    "860": decode_860,
    "810": decode_810,
    "820": decode_820,
    "824": decode_824,
    "861": decode_861,
}


@dataclass(frozen=True, slots=True)
class SetInfo:
    """Envelope facts of one decoded message that :class:`~edi.documents.Envelope` has no field for:
    the functional identifier of its group (GS01) and the interchange segment number of its ST."""

    functional_id: str
    first_index: int


@dataclass(frozen=True, slots=True)
class DecodeResult:
    """Everything :func:`decode_all` read: the messages, in file order, and the interchange-level
    error that stopped reading (``None`` when the whole source was well-formed). ``sets`` runs
    parallel to ``messages``; ``interchanges`` holds the ISA13 of every interchange begun;
    ``warnings`` the tolerated deviations outside any set (a missing final terminator, a Ctrl-Z at
    the end of the file)."""

    messages: tuple[Message, ...]
    error: EdiError | None = None
    sets: tuple[SetInfo, ...] = field(default=(), repr=False)
    interchanges: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no interchange error and every message decoded to a document."""
        return self.error is None and all(m.ok for m in self.messages)


def parse_segments(source: bytes | BinaryIO, *, encoding: str | None = None) -> Iterator[Segment]:
    """Every segment of every interchange as a tuple ``(tag, element1, ...)``, streaming. Only the
    syntax is checked here (ISA, terminators, what follows IEA); envelopes are checked by
    :func:`decode`."""
    return chain.from_iterable(batch.segments for batch in Tokenizer(source, encoding=encoding).batches())


def _shift(error: MappingError | EdiSyntaxError, raw: RawSet) -> EdiError:
    """The mapping or structure error with its set-relative position turned into a full one."""
    pos = error.position
    if pos is not None and pos.segment_index is not None:
        set_index = pos.segment_index
        found = raw.locate(min(max(set_index, 1), len(raw.segments)), element=pos.element)
        if found is not None and found.segment_tag == pos.segment_tag:
            pos = replace(found, component=pos.component)
        else:
            pos = replace(pos, segment_index=raw.first_index + set_index - 1)
    return type(error)(error.message, position=pos, code=error.code)


def _message(raw: RawSet, strict: bool) -> Message:
    segs = raw.segments
    if raw.error is not None:
        return Message("x12", raw.set_id, raw.envelope, error=raw.error, segment_count=len(segs))
    if raw.set_id in ("997", "999"):
        mapper: Mapper | None = partial(decode_997, component=raw.separators.component)
    else:
        mapper = _MAPPERS.get(raw.set_id)
    error: EdiError
    if mapper is None:
        error = UnsupportedError(
            f"transaction set {raw.set_id} is not supported"
            " (850, 855, 856, 860, 810, 820, 824, 861, 997 and 999 are)",
            position=Position(segment_index=raw.first_index, segment_tag="ST", element=1),
            code="1",
        )
        return Message("x12", raw.set_id, raw.envelope, error=error, segment_count=len(segs))
    fault = check_set(raw.set_id, segs)
    if fault is not None:
        return Message("x12", raw.set_id, raw.envelope, error=_shift(fault, raw), segment_count=len(segs))
    try:
        document, warnings = mapper(segs)
    except MappingError as exc:
        return Message("x12", raw.set_id, raw.envelope, error=_shift(exc, raw), segment_count=len(segs))
    except (ValueError, IndexError, ArithmeticError) as exc:  # a mapper bug must not end the interchange
        error = MappingError(
            f"transaction set {raw.envelope.message_reference} could not be mapped: {exc}",
            position=Position(segment_index=raw.first_index),
            code="5",
        )
        return Message("x12", raw.set_id, raw.envelope, error=error, segment_count=len(segs))
    if strict and warnings:
        error = MappingError(f"strict mode: {warnings[0]}", code="5")
        return Message(
            "x12", raw.set_id, raw.envelope, error=error, segment_count=len(segs), warnings=tuple(warnings)
        )
    return new_message("x12", raw.set_id, raw.envelope, document, None, len(segs), tuple(warnings))


def _ta1_message(raw: RawTA1) -> Message:
    try:
        ack = decode_ta1(raw.segment, raw.index)
    except MappingError as exc:
        return Message("x12", "TA1", raw.envelope, error=exc, segment_count=1)
    env = replace(raw.envelope, message_reference=ack.interchange_reference)
    return Message("x12", "TA1", env, document=ack, segment_count=1)


def _decode(
    source: bytes | BinaryIO,
    strict: bool,
    encoding: str | None,
    sets: list[SetInfo] | None,
    interchanges: list[str] | None,
    warnings: list[str] | None = None,
) -> Iterator[Message]:
    tokenizer = Tokenizer(source, encoding=encoding, strict=strict, warnings=warnings)
    for raw in read_sets(tokenizer.batches(), interchanges):
        if isinstance(raw, RawTA1):
            if sets is not None:
                sets.append(SetInfo("", raw.index))
            yield _ta1_message(raw)
            continue
        if sets is not None:
            sets.append(SetInfo(raw.functional_id, raw.first_index))
        yield _message(raw, strict)


def decode(
    source: bytes | BinaryIO, *, strict: bool = False, encoding: str | None = None
) -> Iterator[Message]:
    """Decode X12 interchanges, yielding one :class:`~edi.documents.Message` per ST..SE (and one per
    TA1 segment, ``message_type="TA1"``), streaming: a binary file object is read in chunks and memory
    does not grow with the file.

    A transaction set that cannot be mapped yields a Message whose ``error`` is a
    :class:`~edi.errors.MappingError` (code: X12 720 for a segment, 723 for an element), an
    :class:`~edi.errors.EnvelopeError` (718: SE count or control number wrong, trailer missing) or an
    :class:`~edi.errors.UnsupportedError` (718 code 1); the other sets still decode. Interchange and
    group faults raise :class:`~edi.errors.EdiSyntaxError`/:class:`~edi.errors.EnvelopeError` (TA1 note
    code, or 716 for GS/GE) after the messages before them were yielded.

    ``strict`` turns mapping warnings (a CTT count that disagrees, an assumed currency) into errors
    and refuses what is otherwise read with a warning: an IEA without its terminator at the end of
    the file, a Ctrl-Z (0x1A) end-of-file mark after the last interchange.
    ``encoding`` defaults to UTF-8 (ASCII) or EBCDIC code page 037 when the file starts with an EBCDIC
    ISA.
    """
    return _decode(source, strict, encoding, None, None)


def decode_all(
    source: bytes | BinaryIO, *, strict: bool = False, encoding: str | None = None
) -> DecodeResult:
    """Like :func:`decode`, but collects the messages and catches the interchange error into
    :attr:`DecodeResult.error`, for callers that acknowledge what they received."""
    messages: list[Message] = []
    sets: list[SetInfo] = []
    interchanges: list[str] = []
    warnings: list[str] = []
    error: EdiError | None = None
    try:
        for message in _decode(source, strict, encoding, sets, interchanges, warnings):
            messages.append(message)
    except EdiError as exc:
        error = exc
    return DecodeResult(tuple(messages), error, tuple(sets), tuple(interchanges), tuple(warnings))


def detect(data: bytes) -> tuple[str, str | None] | None:
    """``("x12", ST01)`` when ``data`` starts with an ISA (after an optional BOM and whitespace; ASCII
    or EBCDIC), ``("x12", None)`` when no ST is found in the first 8 KB, otherwise ``None``."""
    head = data[:8192]
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if stripped.startswith(b"ISA"):
        text = stripped.decode("utf-8", "replace")
    elif head.lstrip(b"\x40\x15\x25\x0d").startswith(b"\xc9\xe2\xc1"):
        text = head.lstrip(b"\x40\x15\x25\x0d").decode("cp037")
    else:
        return None
    if len(text) < 106:
        return ("x12", None)
    element, terminator = text[3], text[105]
    for part in text.split(terminator)[1:]:
        fields = part.lstrip(" \t\r\n\x85").split(element)
        if fields[0] == "ST" and len(fields) > 1:
            return ("x12", fields[1])
    return ("x12", None)
