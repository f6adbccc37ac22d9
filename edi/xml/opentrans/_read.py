"""Reading helpers: find openTRANS/BMEcat children and turn their text into typed values.

Every failure raises :class:`~edi.errors.MappingError` with the element path (``segment_tag``) and the
source line, so a partner can find the spot in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from edi.errors import MappingError, Position
from edi.xml.opentrans._codes import BME, OT

__all__ = [
    "children",
    "date_of",
    "decimal_of",
    "find",
    "local_name",
    "path_of",
    "position_of",
    "qname",
    "require",
    "text_of",
    "timestamp_of",
]

# dtDATETIME: a date, optionally with a time and an offset; only the calendar date is used for dates.
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?"
)


def qname(name: str) -> str:
    """``"bme:NAME"`` -> BMEcat namespace, ``"NAME"`` -> openTRANS namespace."""
    if name.startswith("bme:"):
        return BME + name[4:]
    return OT + name


def local_name(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def path_of(element: etree._Element) -> str:
    """``ORDER/ORDER_ITEM_LIST/ORDER_ITEM[2]/QUANTITY``: local names, with a 1-based index where a
    name repeats among its siblings."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = local_name(node)
        parent = node.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/".join(reversed(steps))


def position_of(element: etree._Element) -> Position:
    return Position(line=element.sourceline, segment_tag=path_of(element))


def find(parent: etree._Element, *names: str) -> etree._Element | None:
    """The first element at the relative path ``names`` (each a child step), or ``None``."""
    node: etree._Element | None = parent
    for name in names:
        if node is None:
            return None
        node = node.find(qname(name))
    return node


def children(parent: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if parent is None:
        return iter(())
    return iter(parent.iterfind(qname(name)))


def require(parent: etree._Element, *names: str) -> etree._Element:
    node = find(parent, *names)
    if node is None:
        raise MappingError(
            f"{path_of(parent)} has no {'/'.join(n.removeprefix('bme:') for n in names)}, which is mandatory",
            position=position_of(parent),
        )
    return node


def text_of(element: etree._Element | None) -> str | None:
    """Stripped text content (CDATA included), ``None`` when absent or blank."""
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def decimal_of(element: etree._Element | None) -> Decimal | None:
    value = text_of(element)
    if element is None or value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise MappingError(
            f"{local_name(element)} {value!r} is not a decimal number", position=position_of(element)
        )
    return number


def _match(element: etree._Element) -> re.Match[str]:
    value = text_of(element) or ""
    match = _DATETIME.fullmatch(value)
    if match is None:
        raise MappingError(
            f"{local_name(element)} {value!r} is not a date (YYYY-MM-DD, optionally with time)",
            position=position_of(element),
        )
    return match


def date_of(element: etree._Element | None) -> date | None:
    """The calendar date as written (an offset does not move the date: it is the partner's date)."""
    if element is None:
        return None
    match = _match(element)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise MappingError(f"{local_name(element)}: {exc}", position=position_of(element)) from exc


def timestamp_of(element: etree._Element | None) -> datetime | None:
    """An aware datetime; a timestamp without offset is taken as UTC (openTRANS does not say)."""
    if element is None:
        return None
    match = _match(element)
    value = text_of(element) or ""
    try:
        if match[4] is None:
            return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"{local_name(element)}: {exc}", position=position_of(element)) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
