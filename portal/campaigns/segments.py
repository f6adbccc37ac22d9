"""Segments: saved filters of the customers list. A segment's filter is a
:class:`~portal.customers.queries.CustomerQuery` written as JSON; this module turns one into the
other and checks what a person typed (postal-code prefixes, a country)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from portal.customers.queries import CustomerQuery
from portal.errors import InvalidInput

MAX_PREFIXES = 30
_PREFIX = re.compile(r"^[0-9A-Z]{1,10}$")
# The fields of a CustomerQuery a segment keeps (what the customers list filters by).
SAVED = ("search", "country_code", "postal_prefixes", "city", "assigned_to_id")


def postal_prefixes(text: str | None, field: str = "postal") -> tuple[str, ...]:
    """``"60, 61 65"`` -> ``("60", "61", "65")``: letters and digits, upper case, in the order typed,
    each once."""
    parts = [p.strip().upper() for p in re.split(r"[,;\s]+", text or "") if p.strip()]
    for part in parts:
        if not _PREFIX.match(part):
            raise InvalidInput(field, "use the first digits of postal codes, separated by commas (60, 61)")
    found = tuple(dict.fromkeys(parts))
    if len(found) > MAX_PREFIXES:
        raise InvalidInput(field, f"at most {MAX_PREFIXES} entries")
    return found


def country(text: str | None, field: str = "country") -> str | None:
    value = (text or "").strip()
    if not value:
        return None
    if len(value) != 2 or not value.isalpha():
        raise InvalidInput(field, "use a two-letter ISO 3166 code")
    return value.upper()


def filter_of(query: CustomerQuery) -> dict[str, Any]:
    """The JSON of a segment: the set fields of ``query`` that a segment keeps."""
    found: dict[str, Any] = {}
    for name in SAVED:
        value = getattr(query, name)
        if value in (None, "", ()):
            continue
        found[name] = list(value) if isinstance(value, tuple) else value
    return found


def query_of(saved: dict[str, Any] | None) -> CustomerQuery:
    """The CustomerQuery of a segment's JSON (unknown keys are ignored: a newer filter field)."""
    query = CustomerQuery()
    if not saved:
        return query
    values: dict[str, Any] = {}
    for name in SAVED:
        value = saved.get(name)
        if value in (None, "", []):
            continue
        values[name] = tuple(str(v) for v in value) if name == "postal_prefixes" else value
    return replace(query, **values)


def is_empty(query: CustomerQuery) -> bool:
    return not filter_of(query)
