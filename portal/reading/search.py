"""The one text search of the lists: what a user types into a search box, matched as a substring.

Semantics: the trimmed text, case-insensitive, anywhere in any of the columns; LIKE's wildcards
(``%``, ``_``) and the backslash are matched literally; a NULL column matches nothing. The text
must have at least :data:`MIN_LENGTH` characters (a trigram): shorter text is ``InvalidInput``
(the edges say so before asking: :func:`search_text`).

The condition is ``lower(col) LIKE '%text%'`` on every database; what makes it fast is an index
(:mod:`portal.models.search`):

* PostgreSQL: a pg_trgm GIN index on ``lower(col)`` serves that very expression.
* SQLite: the rows are first narrowed to the FTS5 trigram index's ``MATCH`` of the text (a phrase
  of its trigrams, case-folded: it finds every row the LIKE finds, and perhaps a few more), and the
  LIKE stays as the exact test. So both databases return exactly what the plain LIKE returns.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, and_, func, literal_column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from portal.errors import InvalidInput
from portal.models.search import SEARCHED, fts_table

ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]

MIN_LENGTH = 3  # one trigram: shorter text cannot use the index
TOO_SHORT = "at least 3 characters"


def is_too_short(text: str | None) -> bool:
    """Whether a typed search text (trimmed) is present but shorter than :data:`MIN_LENGTH`."""
    trimmed = (text or "").strip()
    return 0 < len(trimmed) < MIN_LENGTH


def search_text(text: str | None, field: str = "search") -> str | None:
    """The search text an edge passes on: None for nothing typed, the trimmed text otherwise;
    ``InvalidInput(field, "at least 3 characters")`` for a shorter text."""
    trimmed = (text or "").strip()
    if not trimmed:
        return None
    if len(trimmed) < MIN_LENGTH:
        raise InvalidInput(field, TOO_SHORT)
    return trimmed


class _TextSearch(ColumnElement[bool]):
    """``substring`` (the LIKE) on every database; on SQLite ``narrow AND substring`` (``narrow``:
    the FTS5 match)."""

    __visit_name__ = "portal_text_search"
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration (cache key, visitors)
        ("substring", InternalTraversal.dp_clauseelement),
        ("narrow", InternalTraversal.dp_clauseelement),
    ]
    type = Boolean()
    _is_implicitly_boolean = True

    def __init__(self, substring: ColumnElement[bool], narrow: ColumnElement[bool]) -> None:
        self.substring = substring
        self.narrow = narrow


@compiles(_TextSearch)
def _compile_default(element: _TextSearch, compiler: SQLCompiler, **kw: Any) -> str:
    # parenthesized: the OR of the columns must stay one term beside the access rule's AND
    return "(" + str(compiler.process(element.substring, **kw)) + ")"


@compiles(_TextSearch, "sqlite")
def _compile_sqlite(element: _TextSearch, compiler: SQLCompiler, **kw: Any) -> str:
    return "(" + str(compiler.process(and_(element.narrow, element.substring), **kw)) + ")"


def _column(expression: ColumnLike) -> Any:
    return expression.__clause_element__() if isinstance(expression, QueryableAttribute) else expression


def text_search(text: str, *columns: ColumnLike) -> ColumnElement[bool]:
    """Case-insensitive substring match of the trimmed text in any of ``columns`` (LIKE's own
    wildcards in the text are matched literally; a NULL column matches nothing). ``columns`` are
    columns of one table; listed in :data:`portal.models.search.SEARCHED`, the search uses its
    index."""
    trimmed = search_text(text) or ""
    escaped = trimmed.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    like = or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
    cols = [_column(c) for c in columns]
    tables = {getattr(c, "table", None) for c in cols}
    owner = next(iter(tables)) if len(tables) == 1 else None
    names = [getattr(c, "name", None) for c in cols]
    searched = SEARCHED.get(getattr(owner, "name", ""), ())
    if owner is None or not all(name in searched for name in names):
        return like  # no index for these columns: a scan, but the same answer
    fts = fts_table(owner.name)
    phrase = '"' + trimmed.replace('"', '""') + '"'
    query = "{" + " ".join(str(n) for n in names) + "} : " + phrase
    matching: Select[tuple[Any]] = (
        select(literal_column("rowid")).select_from(table(fts)).where(literal_column(fts).op("MATCH")(query))
    )
    return _TextSearch(like, owner.c.id.in_(matching))
