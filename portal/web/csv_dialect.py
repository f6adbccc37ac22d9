"""CSV in the reader's spreadsheet dialect.

German Excel splits CSV lines at ``;`` and reads ``616,8`` as a number; with ``,`` separators it
shows every line in one column, and ``616.8`` becomes a date or text. An export therefore uses the
separator and decimal mark of the user's language, and a list offers the other dialect too
(``?dialect=comma`` or ``?dialect=semicolon``). Every file starts with a UTF-8 BOM.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class CsvDialect:
    name: str
    delimiter: str
    decimal_mark: str

    def number(self, value: Decimal | float) -> str:
        """A number as a spreadsheet of this dialect reads it (no thousands separators)."""
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", self.decimal_mark)


COMMA = CsvDialect("comma", ",", ".")
SEMICOLON = CsvDialect("semicolon", ";", ",")
DIALECTS = {d.name: d for d in (COMMA, SEMICOLON)}
BY_LOCALE = {"de": SEMICOLON, "en": COMMA}


def dialect_for(locale: str, requested: str | None = None) -> CsvDialect:
    """The dialect asked for (``?dialect=``), else the one of the user's language."""
    if requested in DIALECTS:
        return DIALECTS[requested]
    return BY_LOCALE.get(locale, COMMA)
