"""Opaque, versioned page cursors that name their list.

A cursor is URL-safe base64 (no padding) of the JSON list ``[version, entity, sort, value, id]``:
the row's sort value and id (the keyset position), the entity whose list issued it (``"order"``,
``"case"``, ...) and the sort it was issued under. Decoding checks all of it against the list it
is passed to, so a cursor of another list, of another sort, of the change feed, or with a value of
the wrong type is :class:`~portal.errors.InvalidInput` naming the argument, never a database error.

The position travels in the cursor; it grants nothing: the paginator compares it with the rows the
principal may see, so a cursor holding another principal's position only says where to start.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from portal.errors import InvalidInput
from portal.validation import MAX_ID, MAX_INT

VERSION = 1
# A value longer than any sort column holds is no position of ours (and no reason to parse JSON).
MAX_CURSOR_LENGTH = 2048

_INVALID = "is not a valid cursor; use a cursor from a previous page"


def encode(entity: str, sort: str, value: Any, ident: int) -> str:
    # orjson: a GraphQL page encodes a cursor per edge, and json.dumps was a twentieth of its time.
    raw = orjson.dumps([VERSION, entity, sort, _encode_value(value), ident])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(
    cursor: str, *, argument: str, entity: str, sort: str, kind: type, maximum: int = MAX_INT
) -> tuple[Any, int]:
    """The ``(sort value, id)`` of a cursor that ``encode(entity, sort, ...)`` made for a value of
    type ``kind`` (an ``int`` of at most ``maximum`` in size: 32 bits unless said otherwise); anything
    else is ``InvalidInput(argument, ...)``."""
    version, named, sorted_by, value, ident = _parts(cursor, argument)
    if version != VERSION:
        if not isinstance(version, int) or version > VERSION:
            raise InvalidInput(argument, _INVALID)
        raise InvalidInput(argument, "is a cursor of an older version; start again from the first page")
    if named != entity:
        raise InvalidInput(argument, f"is a cursor of another list ({named}), not of this {entity} list")
    if sorted_by != sort:
        raise InvalidInput(argument, "belongs to another sort order; start again from the first page")
    if not _is_id(ident):
        raise InvalidInput(argument, _INVALID)
    return _decode_value(value, kind, argument, maximum), ident


def sort_of(cursor: str, *, argument: str) -> str:
    """The sort a cursor names (for a list that still takes the cursors of a sort it replaced);
    what is no cursor at all is ``InvalidInput(argument, ...)``."""
    return str(_parts(cursor, argument)[2])


def _parts(cursor: str, argument: str) -> tuple[Any, Any, Any, Any, Any]:
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidInput(argument, _INVALID)
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise InvalidInput(argument, _INVALID) from None
    if not isinstance(parts, list) or len(parts) != 5:
        raise InvalidInput(argument, _INVALID)
    version, named, sorted_by, value, ident = parts
    if not isinstance(named, str) or not isinstance(sorted_by, str) or isinstance(version, bool):
        raise InvalidInput(argument, _INVALID)
    return version, named, sorted_by, value, ident


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    raise TypeError(f"a cursor cannot hold a {type(value).__name__}")


def _decode_value(value: Any, kind: type, argument: str, maximum: int = MAX_INT) -> Any:
    """The value as the sort column's Python type; what the database would refuse is refused here."""
    try:
        if kind is datetime:
            parsed = datetime.fromisoformat(value["dt"])
            if parsed.tzinfo is None:  # we issue UTC times only
                raise ValueError("naive")
            return parsed
        if kind is date:
            return date.fromisoformat(value["d"])
        if kind is Decimal:
            number = Decimal(value["dec"])
            if not number.is_finite():
                raise ValueError("not finite")
            return number
        if kind is int and isinstance(value, int) and not isinstance(value, bool) and abs(value) <= maximum:
            return value
        if kind is str and isinstance(value, str) and "\x00" not in value and len(value) <= 1000:
            value.encode()  # a lone surrogate cannot be sent to the database
            return value
    except (KeyError, TypeError, ValueError, InvalidOperation, UnicodeEncodeError, OverflowError):
        pass
    raise InvalidInput(argument, _INVALID)
