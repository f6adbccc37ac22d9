"""X12 service characters: reading them from the fixed-width ISA segment.

The ISA header is 106 characters: ``ISA`` then sixteen elements of fixed width, each preceded by
the element separator. Its fourth character is therefore the element separator, ISA16 (one
character) is the component separator and the character right after ISA16 is the segment
terminator. ISA11 is the repetition separator from control version 00402 on; before that it is
the standards identifier ``U``.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi.errors import EdiSyntaxError, Position

__all__ = ["ISA_LENGTH", "Segment", "Separators", "read_isa"]

Segment = tuple[str, ...]
"""One segment: the tag followed by its elements as raw strings (components and repetitions are
not split; callers split the few composite elements they need)."""

ISA_LENGTH = 106
# Column of the element separator in front of ISA01..ISA16 in a fixed-width ISA.
_SEPARATOR_COLUMNS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_WHITESPACE = " \t\r\n\x85"


@dataclass(frozen=True, slots=True)
class Separators:
    """The delimiters of one interchange. ``suffix`` is written after every terminator by the
    serializer (``"\\n"`` or ``"\\r\\n"`` for line-per-segment files); the tokenizer ignores
    whitespace between segments whatever it is."""

    element: str = "*"
    component: str = ">"
    repetition: str | None = "^"
    segment: str = "~"
    suffix: str = ""

    def specials(self) -> str:
        """Every character that cannot appear inside an element value."""
        return self.element + self.component + (self.repetition or "") + self.segment + "\r\n"


def read_isa(text: str, *, offset: int = 0, line: int = 1) -> tuple[Separators, int]:
    """Read the separators from the ISA at the start of ``text``.

    Returns the separators and the length of the ISA segment including its terminator. A fixed-width
    ISA is expected; an ISA whose elements were trimmed (a common sender bug) is still accepted by
    counting sixteen element separators. Raises :class:`EdiSyntaxError` with a TA1 note code when
    the header cannot give usable separators.
    """
    pos = Position(offset=offset, line=line, column=1, segment_index=1, segment_tag="ISA")
    if not text.startswith("ISA"):
        raise EdiSyntaxError(
            f"an X12 interchange must start with ISA, found {text[:3]!r}", position=pos, code="022"
        )
    if len(text) < 4:
        raise EdiSyntaxError("the file ends inside the ISA header", position=pos, code="023")
    element = text[3]
    if element.isalnum() or element in _WHITESPACE:
        raise EdiSyntaxError(
            f"ISA element separator {element!r} is a letter, digit or blank", position=pos, code="026"
        )
    if len(text) >= ISA_LENGTH and all(text[c] == element for c in _SEPARATOR_COLUMNS):
        end = ISA_LENGTH - 1
    else:
        # Trimmed ISA: find the sixteenth separator instead of trusting the columns.
        cut = -1
        for _ in range(16):
            cut = text.find(element, cut + 1)
            if cut < 0:
                raise EdiSyntaxError(
                    "the ISA header has fewer than 16 elements or the file ends inside it",
                    position=pos,
                    code="023",
                )
        end = cut + 2
        if end >= len(text):
            raise EdiSyntaxError("the file ends inside the ISA header", position=pos, code="023")
    component = text[end - 1]
    terminator = text[end]
    if terminator.isalnum() or terminator in (element, component, " "):
        raise EdiSyntaxError(
            f"segment terminator {terminator!r} after ISA16 is invalid (letter, digit, blank or a "
            "separator); the ISA must be exactly 106 characters",
            position=Position(
                offset=offset + end, line=line, column=end + 1, segment_index=1, segment_tag="ISA", element=16
            ),
            code="004",
        )
    if component.isalnum() or component == element:
        raise EdiSyntaxError(
            f"ISA16 component separator {component!r} is invalid",
            position=Position(
                offset=offset + end - 1, line=line, column=end, segment_index=1, segment_tag="ISA", element=16
            ),
            code="027",
        )
    fields = text[:end].split(element)
    isa11, isa12 = fields[11], fields[12].strip()
    repetition: str | None = None
    # From 00402 ISA11 is the repetition separator; older files sometimes use it that way too
    # (anything but a letter or digit there cannot be the standards identifier "U").
    if len(isa11) == 1 and not isa11.isalnum() and isa11 not in (" ", element, component, terminator):
        repetition = isa11
    elif isa12 >= "00402" and isa11 != "U":
        raise EdiSyntaxError(
            f"ISA11 repetition separator {isa11!r} is a letter, digit or blank",
            position=Position(
                offset=offset + 82, line=line, column=83, segment_index=1, segment_tag="ISA", element=11
            ),
            code="026",
        )
    suffix_end = end + 1
    while suffix_end < len(text) and text[suffix_end] in _WHITESPACE and text[suffix_end] != terminator:
        suffix_end += 1
    suffix = text[end + 1 : suffix_end]
    return Separators(element, component, repetition, terminator, suffix), end + 1
