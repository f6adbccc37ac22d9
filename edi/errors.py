"""Errors raised by the EDI codecs.

The hierarchy::

    EdiError                      base of everything this package raises
    ├── EdiSyntaxError            bytes that are not well-formed EDIFACT, X12 or XML
    │   ├── CharsetError          bytes outside the declared character set / undecodable
    │   └── EnvelopeError         UNB/UNG/UNH..UNT/UNE/UNZ, ISA/GS/ST..SE/GE/IEA: missing
    │                             trailer, wrong count, reference mismatch
    ├── MappingError              a well-formed message whose content cannot become a
    │                             business document (missing mandatory segment, bad code value,
    │                             unparsable number or date)
    ├── ValidationError           XML that fails its XSD or its Schematron business rules;
    │                             carries every finding
    ├── UnsafeXmlError            XML refused before parsing: DTD, entity, external reference,
    │                             or larger than the size cap
    ├── UnsupportedError          a format, message type or version this package does not map
    │   └── NotAnInvoiceError     a readable document kind that is no invoice to book
    │                             (Factur-X / ZUGFeRD MINIMUM and BASIC WL)
    └── EncodeError               a document that cannot be written in the requested format

Every error carries a :class:`Position` when one is known, so a message can say
"segment 14 (QTY) at line 3, column 12, byte 311". ``code`` is the acknowledgement error code
the error maps to (UN/EDIFACT service code list 0085 for EDIFACT, X12 716/718/720 codes for X12),
so acknowledgements can be produced without re-deriving the cause.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CharsetError",
    "EdiError",
    "EdiSyntaxError",
    "EncodeError",
    "EnvelopeError",
    "Finding",
    "MappingError",
    "NotAnInvoiceError",
    "Position",
    "UnsafeXmlError",
    "UnsupportedError",
    "ValidationError",
]


@dataclass(frozen=True, slots=True)
class Position:
    """Where in the input an error was found. Every field is optional; lines and columns are 1-based,
    ``offset`` is a 0-based byte offset, ``segment_index`` is the 1-based segment number inside the
    interchange (for XML: the element path in ``segment_tag``)."""

    offset: int | None = None
    line: int | None = None
    column: int | None = None
    segment_index: int | None = None
    segment_tag: str | None = None
    element: int | None = None
    component: int | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.segment_index is not None:
            parts.append(f"segment {self.segment_index}")
        if self.segment_tag:
            parts.append(f"({self.segment_tag})" if parts else self.segment_tag)
        if self.element is not None:
            where = f"element {self.element}"
            if self.component is not None:
                where += f".{self.component}"
            parts.append(where)
        if self.line is not None:
            loc = f"line {self.line}"
            if self.column is not None:
                loc += f", column {self.column}"
            parts.append(f"at {loc}")
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return " ".join(parts)


class EdiError(Exception):
    """Base class. ``message`` says what is wrong in words a partner's EDI team can act on."""

    def __init__(self, message: str, *, position: Position | None = None, code: str | None = None) -> None:
        self.message = message
        self.position = position
        self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        where = str(self.position) if self.position else ""
        return f"{self.message} [{where}]" if where else self.message


class EdiSyntaxError(EdiError):
    """The bytes are not well-formed for their syntax."""


class CharsetError(EdiSyntaxError):
    """A byte or character is not allowed by, or cannot be decoded with, the declared character set."""


class EnvelopeError(EdiSyntaxError):
    """Interchange, group or message envelope is broken: a missing trailer, a wrong control count or a
    control reference that differs between header and trailer."""


class MappingError(EdiError):
    """The message is well-formed but its content cannot become a business document."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One XSD or Schematron finding. ``flag`` is ``fatal``, ``error``, ``warning`` or ``information``."""

    rule: str
    flag: str
    message: str
    location: str = ""


class ValidationError(EdiError):
    """The document fails its schema or business rules. ``findings`` lists every failed rule,
    warnings included; the error is raised only when one of them is fatal or an error."""

    def __init__(
        self,
        message: str,
        *,
        findings: tuple[Finding, ...] = (),
        position: Position | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, position=position, code=code)
        self.findings = findings


class UnsafeXmlError(EdiError):
    """XML refused before it was parsed: it declares a DTD or entities, points outside, or is too large."""


class UnsupportedError(EdiError):
    """A format, message type, version or document kind this package does not handle."""


class NotAnInvoiceError(UnsupportedError):
    """A well-formed document of a kind that is no invoice to book: Factur-X / ZUGFeRD MINIMUM and
    BASIC WL carry no invoice lines. It is read and can be validated by its profile, but never
    becomes an :class:`~edi.documents.Invoice`."""


class EncodeError(EdiError):
    """A document cannot be written in the requested format (a mandatory field is missing)."""
