"""Element lengths and representations (EANCOM D96A / D01B, ISO 9735 syntax 3/4) of the segments
this codec writes, for the encoder (values must fit) and for validation (values that do not fit).

A spec is, per segment tag, per data element (1-based), one ``(representation, maximum length)``
per component: ``"an"`` anything, ``"n"`` a number (digits counted, sign and decimal mark not),
``"a"`` letters. The encoder first spreads long free text over the repeats the standard provides
for it (NAD name and street, FTX text, IMD description, PAT text: words are never cut), then
refuses whatever still does not fit with an :class:`~edi.errors.EncodeError` naming segment,
element and limit: an identifier cut short would name something else."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from edi.edifact._syntax import Element, Repetition, Segment
from edi.errors import EdiError, EdiSyntaxError

__all__ = ["Finding", "check_lengths", "check_segment", "fit_segment", "is_code"]

Comp = tuple[str, int]
AN3, AN35 = ("an", 3), ("an", 35)


def _c(*comps: Comp) -> tuple[Comp, ...]:
    return comps


_ID_QUAL = _c(AN35, ("an", 4), ("an", 14))  # S002/S003 (and UCI's): id, qualifier, routing
_S009 = _c(("an", 6), AN3, AN3, ("an", 2), ("an", 6))
_C212 = _c(AN35, AN3, AN3, AN3)

D96A: dict[str, dict[int, tuple[Comp, ...]]] = {
    "UNB": {
        1: _c(("a", 4), ("n", 1)),
        2: _ID_QUAL,
        3: _ID_QUAL,
        4: _c(("n", 8), ("n", 4)),
        5: _c(("an", 14)),
        6: _c(("an", 14), ("an", 2)),
        7: _c(("an", 14)),
        8: _c(("a", 1)),
        9: _c(("n", 1)),
        10: _c(AN35),
        11: _c(("n", 1)),
    },
    "UNG": {
        1: _c(("an", 6)),
        2: _c(AN35, ("an", 4)),
        3: _c(AN35, ("an", 4)),
        4: _c(("n", 8), ("n", 4)),
        5: _c(("an", 14)),
        6: _c(("an", 2)),
        7: _c(AN3, AN3, ("an", 6)),
        8: _c(("an", 14)),
    },
    "UNH": {1: _c(("an", 14)), 2: _S009, 3: _c(AN35), 4: _c(("n", 2), ("a", 1))},
    "UNT": {1: _c(("n", 6)), 2: _c(("an", 14))},
    "UNE": {1: _c(("n", 6)), 2: _c(("an", 14))},
    "UNZ": {1: _c(("n", 6)), 2: _c(("an", 14))},
    "BGM": {1: _c(AN3, AN3, AN3, AN35), 2: _c(AN35), 3: _c(AN3), 4: _c(AN3)},
    "DTM": {1: _c(AN3, AN35, AN3)},
    "RFF": {1: _c(AN3, AN35, ("an", 6), AN35)},
    "NAD": {
        1: _c(AN3),
        2: _c(AN35, AN3, AN3),
        3: _c(AN35, AN35, AN35, AN35, AN35),
        4: _c(AN35, AN35, AN35, AN35, AN35, AN3),
        5: _c(AN35, AN35, AN35),
        6: _c(AN35),
        7: _c(("an", 9), AN3, AN3),
        8: _c(("an", 9)),
        9: _c(AN3),
    },
    "CTA": {1: _c(AN3), 2: _c(("an", 17), AN35)},
    "COM": {1: _c(("an", 512), AN3)},
    "CUX": {1: _c(AN3, AN3, AN3, ("n", 4)), 2: _c(AN3, AN3, AN3, ("n", 4)), 3: _c(("n", 12)), 4: _c(AN3)},
    "DOC": {1: _c(AN3, AN3, AN3, AN35), 2: _c(AN35, AN3, AN3, AN35), 3: _c(AN3), 4: _c(AN3), 5: _c(("n", 2))},
    "AJT": {1: _c(AN3), 2: _c(("n", 6))},
    "LIN": {1: _c(("an", 6)), 2: _c(AN3), 3: _C212, 4: _c(AN3, ("an", 6)), 5: _c(("n", 2)), 6: _c(AN3)},
    "PIA": {1: _c(AN3), 2: _C212, 3: _C212, 4: _C212, 5: _C212, 6: _C212},
    "IMD": {1: _c(AN3), 2: _c(AN3), 3: _c(("an", 7), AN3, AN3, AN35, AN35, AN3), 4: _c(AN3)},
    "QTY": {1: _c(AN3, ("n", 15), AN3)},
    "PRI": {1: _c(AN3, ("n", 15), AN3, AN3, ("n", 9), AN3), 2: _c(AN3)},
    "MOA": {1: _c(AN3, ("n", 18), AN3, AN3, AN3)},
    "TAX": {
        1: _c(AN3),
        2: _c(AN3, AN3, AN3, AN35),
        3: _c(("an", 6), AN3, AN3),
        4: _c(("an", 15)),
        5: _c(("an", 7), AN3, AN3, ("an", 17), ("an", 12)),
        6: _c(AN3),
        7: _c(("an", 20)),
    },
    "FTX": {
        1: _c(AN3),
        2: _c(AN3),
        3: _c(("an", 17), AN3, AN3),
        4: _c(*([("an", 70)] * 5)),
        5: _c(AN3),
    },
    "CNT": {1: _c(AN3, ("n", 18), AN3)},
    "UNS": {1: _c(("a", 1))},
    "LOC": {1: _c(AN3), 2: _c(("an", 25), AN3, AN3, ("an", 70))},
    "GIN": {i: _c(AN35, AN35) if i > 1 else _c(AN3) for i in range(1, 7)},
    "CPS": {1: _c(("an", 12)), 2: _c(("an", 12)), 3: _c(AN3)},
    "PAC": {1: _c(("n", 8)), 2: _c(AN3, AN3, AN3), 3: _c(("an", 17), AN3, AN3, AN35)},
    "PAT": {1: _c(AN3), 2: _c(("an", 17), AN3, AN3, AN35, AN35), 3: _c(AN3, AN3, AN3, ("n", 3))},
    "PAI": {1: _c(AN3, AN3, AN3, AN3, AN3, AN3)},
    "PCD": {1: _c(AN3, ("n", 10), AN3, AN3, AN3)},
    "ALC": {
        1: _c(AN3),
        2: _c(AN35, AN3),
        3: _c(AN3),
        4: _c(AN3),
        5: _c(AN3, AN3, AN3, AN35, AN35),
    },
    "FII": {
        1: _c(AN3),
        2: _c(AN35, AN35, AN35, AN3),
        3: _c(("an", 11), AN3, AN3, ("an", 17), AN3, AN3, ("an", 70), ("an", 70)),
    },
    "TDT": {
        1: _c(AN3),
        2: _c(("an", 17)),
        3: _c(AN3, ("an", 17)),
        4: _c(("an", 8), ("an", 17)),
        5: _c(("an", 17), AN3, AN3, AN35),
    },
    "PCI": {1: _c(AN3), 2: _c(*([AN35] * 10))},
    "ERC": {1: _c(("an", 8), AN3, AN3)},
    "UCI": {
        1: _c(("an", 14)),
        2: _ID_QUAL,
        3: _ID_QUAL,
        4: _c(AN3),
        5: _c(AN3),
        6: _c(AN3),
        7: _c(("n", 3), ("n", 3)),
    },
    "UCM": {1: _c(("an", 14)), 2: _S009, 3: _c(AN3), 4: _c(AN3), 5: _c(AN3)},
    "UCS": {1: _c(("n", 6)), 2: _c(AN3)},
    "UCD": {1: _c(AN3), 2: _c(("n", 3), ("n", 3))},
    "UCF": {1: _c(("an", 14)), 2: _c(AN35, ("an", 4)), 3: _c(AN35, ("an", 4)), 4: _c(AN3), 5: _c(AN3)},
}

# What D01B changed for these segments
D01B: dict[str, dict[int, tuple[Comp, ...]]] = {
    **D96A,
    "BGM": {**D96A["BGM"], 2: _c(AN35, ("an", 9), ("an", 6))},
    "RFF": {1: _c(AN3, ("an", 70), ("an", 6), AN35, ("an", 6))},
    "NAD": {
        **D96A["NAD"],
        5: _c(AN35, AN35, AN35, AN35),
        7: _c(("an", 9), ("an", 17), AN3, ("an", 70)),  # C819 with the 3228 name
        8: _c(("an", 17)),
    },
    "IMD": {**D96A["IMD"], 3: _c(("an", 17), AN3, AN3, ("an", 256), ("an", 256), AN3)},
    # 6411 became "measurement unit code" an..8 (UN/ECE Rec 20 codes such as GBND)
    "QTY": {1: _c(AN3, ("an", 35), ("an", 8))},
    "PRI": {1: _c(AN3, ("n", 15), AN3, AN3, ("n", 9), ("an", 8)), 2: _c(AN3)},
    "CNT": {1: _c(AN3, ("n", 18), ("an", 8))},
    "FTX": {**D96A["FTX"], 4: _c(*([("an", 512)] * 5))},
    "LOC": {1: _c(AN3), 2: _c(AN35, AN3, AN3, ("an", 256))},
    "CPS": {1: _c(AN35), 2: _c(AN35), 3: _c(AN3)},
}

SPECS = {"D96A": D96A, "D01B": D01B}

# (tag, element, first component 1-based): free text the standard lets run over further components
SPREAD = {("NAD", 4, 1), ("NAD", 5, 1), ("FTX", 4, 1), ("IMD", 3, 4), ("PAT", 2, 4), ("ALC", 5, 4)}

Finding = tuple[int, int, str]  # element, component (1-based), what is wrong


def is_code(value: str, most: int) -> bool:
    """A code value of at most ``most`` characters (letters, digits, no blanks)."""
    return 0 < len(value) <= most and value.isascii() and value.isalnum()


def _size(value: str, rep: str) -> tuple[int, bool]:
    """(counted length, representation ok)."""
    if rep == "n":
        digits = value.lstrip("-").replace(".", "", 1).replace(",", "", 1)
        return len(digits), digits.isdigit()
    if rep == "a":
        return len(value), all(c.isalpha() or c == " " for c in value)
    return len(value), True


def _components(el: Element) -> Iterator[tuple[int, str]]:
    if isinstance(el, Repetition):
        for occurrence in el:
            yield from _components(occurrence)
        return
    if isinstance(el, str):
        yield 1, el
        return
    for j, value in enumerate(el, start=1):
        if isinstance(value, str):
            yield j, value


def check_segment(seg: Segment, version: str) -> Iterator[Finding]:
    """Every value of ``seg`` that is too long or of the wrong representation (segments this codec
    does not write are not checked)."""
    tag = seg[0]
    spec = SPECS.get(version, D96A).get(tag) if isinstance(tag, str) else None
    if spec is None:
        return
    for i, el in enumerate(seg[1:], start=1):
        comps = spec.get(i)
        if comps is None:
            continue
        for j, value in _components(el):
            if not value or j > len(comps):
                continue
            rep, most = comps[j - 1]
            size, ok = _size(value, rep)
            if not ok:
                yield (
                    i,
                    j,
                    f"{value[:20]!r} is not {'numeric' if rep == 'n' else 'alphabetic'} ({rep}..{most})",
                )
            elif size > most:
                yield i, j, f"{size} characters where {rep}..{most} allows {most}: {value[:20]!r}"


def _spread(value: str, size: int, count: int) -> list[str] | None:
    """``value`` in at most ``count`` pieces of at most ``size`` characters, cut at blanks (decoders
    join the pieces with one blank); None when it does not fit."""
    words = value.split(" ")
    pieces: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= size:
            line = candidate
            continue
        if line:
            pieces.append(line)
        if len(word) > size:
            return None
        line = word
    pieces.append(line)
    return pieces if len(pieces) <= count else None


def fit_segment(seg: Segment, version: str) -> Segment:
    """``seg`` with long free text spread over the components the standard provides for it."""
    tag = seg[0]
    if not isinstance(tag, str):
        return seg
    spec = SPECS.get(version, D96A).get(tag)
    if spec is None:
        return seg
    out: list[Element] = list(seg)
    for i, el in enumerate(seg[1:], start=1):
        for first in (1, 4):
            if (tag, i, first) not in SPREAD:
                continue
            if isinstance(el, Repetition):
                continue
            comps: list[str] = [el] if isinstance(el, str) else [c for c in el if isinstance(c, str)]
            if len(comps) < first or len(comps[first - 1]) <= spec[i][first - 1][1]:
                continue
            room = [c for c in spec[i][first - 1 :] if c == spec[i][first - 1]]
            pieces = _spread(comps[first - 1], room[0][1], len(room))
            if pieces is None or any(comps[first:]):
                continue  # left for check_segment to refuse
            comps = [*comps[: first - 1], *pieces]
            out[i] = comps[0] if len(comps) == 1 else tuple(comps)
    return tuple(out)


def findings(segments: Iterable[Segment], version: str) -> Iterator[tuple[int, Segment, Finding]]:
    for k, seg in enumerate(segments):
        for finding in check_segment(seg, version):
            yield k, seg, finding


def check_lengths(source: bytes, *, limit: int = 100) -> list[EdiError]:
    """Every value of ``source`` (an EDIFACT file) that is longer than its data element allows, or
    not numeric where a number belongs, in the segments this codec writes; each with its position.
    The directory of each message (UNH S009) picks the limits; at most ``limit`` findings."""
    from edi.edifact._tokenizer import Tokenizer

    found: list[EdiError] = []
    tok = Tokenizer(source)
    version = "D96A"
    unb = 1
    try:
        for batch in tok.batches():
            for k, seg in enumerate(batch.segments):
                tag = seg[0]
                index = batch.first_index + k
                if tag == "UNB":
                    unb = index
                elif tag == "UNH" and len(seg) > 2 and isinstance(seg[2], tuple) and len(seg[2]) > 2:
                    directory = "D" if seg[2][1] == "0" else str(seg[2][1])
                    version = f"{directory}{seg[2][2]}".upper()
                for element, component, what in check_segment(seg, version):
                    where = replace(
                        tok.locate(index, str(tag), element),
                        segment_index=index - unb + 1,
                        component=component,
                    )
                    code = "37" if "is not" in what else "39"
                    found.append(
                        EdiSyntaxError(
                            f"{tag} element {element}.{component}: {what}", position=where, code=code
                        )
                    )
                    if len(found) >= limit:
                        return found
    except EdiError:
        pass  # decode_all reports what stops the file
    return found
