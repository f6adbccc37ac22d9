"""The one text search of the lists: what a user types into a search box, matched as a substring.

Issue #15 swaps the implementation (trigram indexes on PostgreSQL) behind this function."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.orm import QueryableAttribute

ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]


def text_search(text: str, *columns: ColumnLike) -> ColumnElement[bool]:
    """Case-insensitive substring match of the trimmed text in any of ``columns`` (LIKE's own
    wildcards in the text are matched literally; a NULL column matches nothing)."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
