"""Remote file names: validation, temporary upload names, unique archive names.

A name read from a remote listing is data, never a path. Only plain names pass
`validate_name`; everything a transport does with a name goes through it first.
"""

from __future__ import annotations

import fnmatch
import secrets
import unicodedata
from collections.abc import Callable, Iterable

from adapters.errors import RemotePathError

MAX_NAME_BYTES = 255
# Unicode categories that must never appear in a name: control characters, invisible format
# characters (bidi overrides can disguise an extension) and line/paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})

#: Names `Transport.list_ready` never returns: our own and other clients' temporary upload names.
DEFAULT_IGNORE_PATTERNS: tuple[str, ...] = (
    ".*",
    "*.part",
    "*.part-*",
    "*.tmp",
    "*.filepart",
    "*.partial",
    "*~",
)


def name_problem(name: str) -> str | None:
    """Return why ``name`` is not a safe plain file name, or None when it is."""
    if not name:
        return "empty name"
    if name.startswith("."):
        return "leading dot (hidden or temporary file)"
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if ".." in name:
        return "contains '..'"
    if "\x00" in name:
        return "contains NUL"
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in name):
        return "contains a control or invisible format character"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "not encodable as UTF-8"
    if len(encoded) > MAX_NAME_BYTES:
        return f"longer than {MAX_NAME_BYTES} bytes"
    return None


def validate_name(name: str) -> str:
    """Return ``name`` unchanged if it is a safe plain file name, else raise `RemotePathError`."""
    problem = name_problem(name)
    if problem is not None:
        raise RemotePathError(f"refusing file name {name!r}: {problem}")
    return name


def validate_folder(folder: str) -> str:
    """Return ``folder`` normalised ('/'-separated, no trailing slash) or raise `RemotePathError`.

    Folders come from configuration, not from the remote side, so they may contain '/' and may be
    absolute; they still must not climb with '..' or carry control characters.
    """
    if not folder:
        raise RemotePathError("empty folder")
    if "\\" in folder or any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in folder):
        raise RemotePathError(f"refusing folder {folder!r}: backslash or control character")
    parts = folder.split("/")
    if any(part == ".." for part in parts):
        raise RemotePathError(f"refusing folder {folder!r}: contains '..'")
    if folder == "/":
        return folder
    return folder.rstrip("/")


def is_ignored(name: str, patterns: Iterable[str]) -> bool:
    """True when ``name`` matches one of the glob ``patterns`` (case-sensitive)."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def temporary_name(name: str) -> str:
    """A hidden, unique name to upload ``name`` under before the atomic rename.

    Leading dot and the ``.part-`` marker keep it out of every `list_ready` (ours and, by
    convention, the partner's). The stem is shortened so the result stays within 255 bytes.
    """
    stem = name
    while len(stem.encode("utf-8")) > 200:
        stem = stem[:-1]
    return f".{stem}.part-{secrets.token_hex(6)}"


def unique_name(name: str, taken: Callable[[str], bool]) -> str:
    """``name`` if free, else ``stem-1.ext``, ``stem-2.ext``, ...: the first for which ``taken`` is False."""
    if not taken(name):
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    for counter in range(1, 10_000):
        candidate = f"{stem}-{counter}{dot}{ext}"
        if not taken(candidate):
            return candidate
    return f"{stem}-{secrets.token_hex(8)}{dot}{ext}"
