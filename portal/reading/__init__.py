"""The one read machinery of the lists: page request and page, versioned cursors, the keyset
paginator and the text search. Each domain's ``queries.py`` declares, per entity, a query type,
a sort enum, a conditions function and a list function on top of it."""

from portal.reading.keyset import Keyset, SortKey
from portal.reading.page import DEFAULT_PAGE_SIZE, FIRST_PAGE, MAX_PAGE_SIZE, Page, PageRequest
from portal.reading.search import ColumnLike, text_search
from portal.records import Record

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "FIRST_PAGE",
    "MAX_PAGE_SIZE",
    "ColumnLike",
    "Keyset",
    "Page",
    "PageRequest",
    "Record",
    "SortKey",
    "text_search",
]
