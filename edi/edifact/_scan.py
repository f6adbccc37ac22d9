"""The two tokenizers for decoded text: ``str.split`` when no release character is present, a regex
scanner otherwise. Both return segments as flat tuples (see :data:`~edi.edifact.Segment`)."""

from __future__ import annotations

import re

from edi.edifact._syntax import Element, Repetition, Segment, ServiceChars

__all__ = ["scan_fast", "scan_slow"]

_SCANNERS: dict[tuple[ServiceChars, bool], re.Pattern[str]] = {}


def _scanner(chars: ServiceChars, rep: bool) -> re.Pattern[str]:
    key = (chars, rep)
    rx = _SCANNERS.get(key)
    if rx is None:
        seps = chars.terminator + chars.data + chars.component + (chars.repetition if rep else "")
        newlines = "".join(c for c in "\r\n" if c not in seps)
        parts = [f"{re.escape(chars.release)}(.)", f"([{re.escape(seps)}])"]
        if newlines:
            parts.append(f"([{re.escape(newlines)}])")
        rx = _SCANNERS[key] = re.compile("|".join(parts), re.DOTALL)
    return rx


def scan_slow(text: str, chars: ServiceChars, rep: bool) -> list[Segment]:
    """Char-level tokenizer for text with release characters, blanks between segments or
    repetition separators. ``text`` must end with a terminator."""
    comp, term, repc = chars.component, chars.terminator, chars.repetition
    segs: list[Segment] = []
    elements: list[Element] = []
    comps: list[str] = []
    reps: list[str | tuple[str, ...]] = []
    piece: list[str] = []
    at_start = True
    i = 0
    for m in _scanner(chars, rep).finditer(text):
        s = m.start()
        if s > i:
            lit = text[i:s]
            if at_start:
                lit = lit.lstrip(" \t")
            if lit:
                piece.append(lit)
                at_start = False
        i = m.end()
        g = m.lastindex
        if g == 1:
            piece.append(m.group(1))
            at_start = False
            continue
        if g == 3:
            continue
        c = m.group(2)
        value = "".join(piece)
        piece = []
        if c == comp:
            comps.append(value)
            at_start = False
            continue
        comps.append(value)
        el: str | tuple[str, ...] = comps[0] if len(comps) == 1 else tuple(comps)
        comps = []
        if c == repc and rep:
            reps.append(el)
            continue
        if reps:
            reps.append(el)
            elements.append(Repetition(reps))
            reps = []
        else:
            elements.append(el)
        if c == term:
            segs.append(tuple(elements))
            elements = []
            at_start = True
    return segs


def scan_fast(text: str, chars: ServiceChars) -> list[Segment]:
    """``str.split`` tokenizer for text without release or repetition characters."""
    raws = text.split(chars.terminator)
    raws.pop()
    comp, data = chars.component, chars.data
    out: list[Segment] = []
    append = out.append
    for raw in raws:
        if comp in raw:
            append(tuple([tuple(p.split(comp)) if comp in p else p for p in raw.split(data)]))
        else:
            append(tuple(raw.split(data)))
    return out
