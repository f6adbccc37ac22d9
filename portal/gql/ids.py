"""Opaque global ids (``node(id:)``): base64url of ``Type:pk``, without padding. Page cursors are
``portal.reading.cursor``'s; the change feed's are ``portal.changes``'."""

from __future__ import annotations

import base64
import binascii

from portal.validation import MAX_ID


def encode_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode_id(value: str) -> tuple[str, int] | None:
    """``(type name, primary key)``, or None for anything that is not one of our ids."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, pk = raw.partition(":")
    if not sep or not type_name.isidentifier() or not pk.isdigit() or len(pk) > 10 or int(pk) > MAX_ID:
        return None  # larger than any id can be: the database would refuse the lookup
    return type_name, int(pk)


def decode_as(value: str, type_name: str) -> int | None:
    decoded = decode_id(value)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
