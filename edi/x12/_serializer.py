"""Segments -> bytes, and the ISA/GS/ST envelope writer.

Control numbers (ISA13, GS06, ST02) always come from the caller's :class:`Envelope`; the writer
only counts (SE01, GE01, IEA01).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from edi.documents import Envelope
from edi.errors import EncodeError, Position
from edi.x12._syntax import Segment, Separators

__all__ = ["isa_segment", "serialize_segments"]


def serialize_segments(
    segments: Iterable[Segment], separators: Separators | None = None, *, encoding: str = "utf-8"
) -> bytes:
    """Join segments with ``separators`` (default ``*``, ``~``; component and repetition separators are
    taken from ISA16/ISA11 when an ISA is among the segments). Raises :class:`EncodeError` naming the
    segment and element when a value contains the element separator or the segment terminator."""
    seps = separators or Separators()
    elem, term = seps.element, seps.segment
    out: list[str] = []
    for index, seg in enumerate(segments, 1):
        text = elem.join(seg)
        if text.count(elem) != len(seg) - 1 or term in text:
            for e, value in enumerate(seg):
                if elem in value or term in value:
                    raise EncodeError(
                        f"{seg[0]}{e:02d} {value!r} contains a separator ({elem!r} or {term!r}); X12 has no "
                        "escape character",
                        position=Position(segment_index=index, segment_tag=seg[0], element=e),
                    )
        out.append(text)
    out.append("")
    return (term + seps.suffix).join(out).encode(encoding)


def _pad(value: str, width: int, field: str) -> str:
    if len(value) > width:
        raise EncodeError(f"envelope.{field} {value!r} is longer than the {width} characters ISA allows")
    return value.ljust(width)


def control_number(value: str, field: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > 9:
        raise EncodeError(f"envelope.{field} {value!r} must be a number of up to 9 digits for X12")
    return int(text)


def isa_segment(envelope: Envelope, seps: Separators, syntax: str, now: datetime) -> Segment:
    """The fixed-width ISA for ``envelope``; ISA13 is the zero-padded control reference."""
    ctl = control_number(envelope.control_reference, "control_reference")
    when = (envelope.prepared_at or now).astimezone(UTC)
    repetition = seps.repetition if syntax >= "00402" and seps.repetition else "U"
    return (
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        _pad(envelope.sender_qualifier or "ZZ", 2, "sender_qualifier"),
        _pad(envelope.sender, 15, "sender"),
        _pad(envelope.recipient_qualifier or "ZZ", 2, "recipient_qualifier"),
        _pad(envelope.recipient, 15, "recipient"),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        repetition,
        _pad(syntax, 5, "syntax"),
        f"{ctl:09d}",
        "1" if envelope.ack_requested else "0",
        "T" if envelope.test else "P",
        seps.component,
    )
