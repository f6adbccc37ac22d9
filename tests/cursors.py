"""Cursors that a list must refuse cleanly (InvalidInput: 400 on the web, a GraphQL error), for the
cursor tests of the web lists and the GraphQL connections."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from portal.changes import Position
from portal.changes import encode_cursor as feed_cursor
from portal.reading import Keyset, cursor

SAMPLES: dict[type, Any] = {
    datetime: datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    date: date(2026, 1, 5),
    str: "M",
    int: 1,
    Decimal: Decimal("1.5"),
}


def good(keyset: Keyset[Any], sort: Any) -> str:
    """A well-formed cursor of this list and sort (it only positions: taken without error)."""
    key = keyset.sorts[sort]
    return cursor.encode(keyset.entity, key.name, SAMPLES[key.kind], 1)


def bad(keyset: Keyset[Any], sort: Any) -> dict[str, str]:
    """By what is wrong with it: cursors this list and sort must refuse."""
    key = keyset.sorts[sort]
    other_entity = "case" if keyset.entity != "case" else "order"
    other_sort = next((k.name for k in keyset.sorts.values() if k.kind is not key.kind), "no_such_sort")
    wrong_value = 17 if key.kind is str else "17 o'clock"
    found = {
        "foreign": cursor.encode(other_entity, key.name, SAMPLES[key.kind], 1),
        "feed": feed_cursor(Position(0, 1)),
        "mistyped": cursor.encode(keyset.entity, key.name, wrong_value, 1),
        "other sort": cursor.encode(keyset.entity, other_sort, SAMPLES[key.kind], 1),
        "legacy": base64.urlsafe_b64encode(b"Cursor:1").decode().rstrip("="),
        "malformed": "!!not-a-cursor",
        "huge id": cursor.encode(keyset.entity, key.name, SAMPLES[key.kind], 10**12),
        "negative id": cursor.encode(keyset.entity, key.name, SAMPLES[key.kind], -1),
    }
    if key.kind is datetime:  # the database refuses a time without a zone: a 500 unless refused here
        found["naive time"] = cursor.encode(keyset.entity, key.name, datetime(2026, 1, 5), 1)
    if key.kind is str:  # PostgreSQL refuses NUL in text
        found["NUL"] = cursor.encode(keyset.entity, key.name, "a\x00b", 1)
    return found
