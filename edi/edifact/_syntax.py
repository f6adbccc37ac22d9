"""Service characters, character sets and the segment representation (ISO 9735)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = [
    "CHARSETS",
    "DEFAULT_CHARS",
    "Element",
    "Repetition",
    "Segment",
    "ServiceChars",
    "Syntax",
]


class Repetition(tuple[str | tuple[str, ...], ...]):
    """A repeated data element (syntax version 4 only): the occurrences, each a str or components."""

    __slots__ = ()


Element: TypeAlias = str | tuple[str, ...] | Repetition
"""A data element: a plain string, a tuple of components, or (syntax 4) a :class:`Repetition`."""

Segment: TypeAlias = tuple[Element, ...]
"""A segment as a flat tuple: ``seg[0]`` is the tag, ``seg[i]`` is data element ``i`` (1-based, as in
the EDIFACT segment directories). Components are tuples of str; an element with a single component
is a plain str. Example: ``("QTY", ("21", "10"))`` for ``QTY+21:10'``."""


@dataclass(frozen=True, slots=True)
class ServiceChars:
    """The six UNA service characters. ``repetition`` is ``" "`` when none is in force (syntax 1-3)."""

    component: str = ":"
    data: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    terminator: str = "'"

    @classmethod
    def from_una(cls, six: str) -> ServiceChars:
        return cls(six[0], six[1], six[2], six[3], six[4], six[5])

    def una(self) -> str:
        return f"UNA{self.component}{self.data}{self.decimal}{self.release}{self.repetition}{self.terminator}"

    def specials(self) -> str:
        """The characters that must be released when they occur in data."""
        chars = self.component + self.data + self.release + self.terminator
        if self.repetition != " ":
            chars += self.repetition
        return chars


DEFAULT_CHARS = ServiceChars()


@dataclass(frozen=True, slots=True)
class _Charset:
    codec: str
    ascii_only: bool = False
    allowed: str | None = None  # strict repertoire (None: everything the codec decodes)


_UNOA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>"
_UNOB = "".join(chr(c) for c in range(0x20, 0x7F))

# UN/EDIFACT 0001 syntax identifiers -> Python codec. UNOX (ISO 2022) and national sets are not
# supported: they are not ASCII-compatible enough to tokenize on bytes.
CHARSETS: dict[str, _Charset] = {
    "UNOA": _Charset("ascii", True, _UNOA),
    "UNOB": _Charset("ascii", True, _UNOB),
    "IATA": _Charset("ascii", True, _UNOA),
    "IATB": _Charset("ascii", True, _UNOB),
    "UNOC": _Charset("iso8859_1"),
    "UNOD": _Charset("iso8859_2"),
    "UNOE": _Charset("iso8859_5"),
    "UNOF": _Charset("iso8859_7"),
    "UNOG": _Charset("iso8859_3"),
    "UNOH": _Charset("iso8859_4"),
    "UNOI": _Charset("iso8859_6"),
    "UNOJ": _Charset("iso8859_8"),
    "UNOK": _Charset("iso8859_9"),
    "UNOL": _Charset("iso8859_15"),
    "UNOW": _Charset("utf_8"),
    "UNOY": _Charset("utf_8"),
}


@dataclass(frozen=True, slots=True)
class Syntax:
    """What the tokenizer is working with for the current interchange."""

    chars: ServiceChars
    charset: str = "UNOB"  # syntax identifier (UNB S001 0001)
    version: str = "3"  # UNB S001 0002
    codec: str = "ascii"
    una: bool = False
