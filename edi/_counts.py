"""Control counts (UNT, UNE, UNZ; SE01, GE01, IEA01) are numbers: ``SE*0000000031``, ``GE*000001``
and ``UNZ+01`` say 31, 1 and 1, as the numeric data element types of both syntaxes allow leading
zeros. Compared as text they would refuse interchanges every other parser reads."""

from __future__ import annotations

__all__ = ["count_is"]


def count_is(text: str, expected: int) -> bool:
    """Whether the control count ``text`` is the number ``expected`` (ASCII digits only: a sign,
    blank or decimal point is no count)."""
    return text.isascii() and text.isdigit() and int(text) == expected
