"""Segments -> EDIFACT text, releasing every service character that occurs in data."""

from __future__ import annotations

import re
from collections.abc import Iterable

from edi.edifact._syntax import DEFAULT_CHARS, Element, Repetition, Segment, ServiceChars

__all__ = ["serialize_segments"]

_ESCAPERS: dict[ServiceChars, re.Pattern[str]] = {}


def _escaper(chars: ServiceChars) -> re.Pattern[str]:
    rx = _ESCAPERS.get(chars)
    if rx is None:
        rx = _ESCAPERS[chars] = re.compile(f"[{re.escape(chars.specials())}]")
    return rx


def serialize_segments(
    segments: Iterable[Segment],
    service_chars: ServiceChars = DEFAULT_CHARS,
    *,
    una: bool = False,
    newline: bool = False,
) -> str:
    """Write ``segments`` (flat tuples, see :data:`~edi.edifact.Segment`) with ``service_chars``.

    Every component, data, release, terminator (and, when one is in force, repetition) character in
    data is preceded by the release character. ``una=True`` writes the UNA service string advice
    first; ``newline=True`` puts a line break after each terminator (not data; decoders skip it).
    Parsing the result gives back the same segments."""
    chars = service_chars
    rx = _escaper(chars)
    rel = chars.release
    comp, data, rep = chars.component, chars.data, chars.repetition

    def esc(value: str) -> str:
        return rx.sub(lambda m: rel + m.group(0), value) if rx.search(value) else value

    def element(el: Element) -> str:
        if isinstance(el, str):
            return esc(el)
        if isinstance(el, Repetition):
            return rep.join(element(occ) for occ in el)
        return comp.join(esc(c) for c in el)

    term = chars.terminator + ("\n" if newline and chars.terminator != "\n" else "")
    parts: list[str] = [chars.una() + ("\n" if newline else "")] if una else []
    for seg in segments:
        parts.append(data.join([element(el) for el in seg]) + term)
    return "".join(parts)
