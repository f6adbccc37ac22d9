"""Control characters in EDI values: found, never passed on.

A NUL byte or another C0 control character inside a value is not allowed by any EDIFACT or X12
character set (except where the interchange uses it as a separator) and breaks whatever stores the
value (PostgreSQL text refuses NUL). The tokenizers look for them in each decoded body with one regex
and report the first with its position; nothing is stripped silently."""

from __future__ import annotations

import re

__all__ = ["EOF_MARK", "EOF_MARK_REFUSED", "describe", "eof_mark_ignored", "find_control"]

#: Ctrl-Z, the end-of-file mark DOS and CP/M tools append; other parsers skip it at the end of a file,
#: so the tokenizers do too (with a warning), unless strict.
EOF_MARK = "\x1a"
EOF_MARK_REFUSED = "the file ends with a Ctrl-Z (0x1A) end-of-file mark; strict mode refuses it"


def eof_mark_ignored(where: object) -> str:
    """The warning for an end-of-file mark skipped at ``where`` (a position)."""
    return f"a Ctrl-Z (0x1A) end-of-file mark at the end of the file was ignored ({where})"


# C0 controls and DEL; tab, CR and LF are layout between segments, handled by the tokenizers
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
_PATTERNS: dict[str, re.Pattern[str]] = {}


_TABLES: dict[str, bytes] = {}


def find_control(text: str, allowed: str) -> int:
    """Index of the first control character in ``text`` that is not in ``allowed`` (the separators
    of the interchange), or -1."""
    if text.isascii():
        # the usual case, at memory speed: controls become 0x00, everything else 0x01
        table = _TABLES.get(allowed)
        if table is None:
            bad = {ord(c) for c in _CONTROLS if c not in allowed}
            table = _TABLES[allowed] = bytes(0 if b in bad else 1 for b in range(256))
        return text.encode("ascii").translate(table).find(0)
    rx = _PATTERNS.get(allowed)
    if rx is None:
        chars = "".join(c for c in _CONTROLS if c not in allowed)
        rx = _PATTERNS[allowed] = re.compile(f"[{re.escape(chars)}]")
    found = rx.search(text)
    return found.start() if found is not None else -1


def describe(ch: str) -> str:
    """``NUL (0x00)``-style name of a control character for error messages."""
    names = {0: "NUL", 0x7F: "DEL", 0x1B: "ESC"}
    return f"{names.get(ord(ch), 'control character')} (0x{ord(ch):02X})"
