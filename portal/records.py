"""The rows a list hands out: named tuples, not SQLAlchemy rows.

A page's rows are read by attribute many times (a web list's cells, a GraphQL node's fields, a CSV
line). On a SQLAlchemy 2.1 ``Row`` each such read misses the class's attributes and falls back to a
Python ``__getattr__``: about 0.4 µs, some 0.2 ms for a page of 50 rows of ten columns. A named
tuple answers the same read from a C descriptor in a twentieth of that, and building it costs
about one such read per row. So the keyset paginator turns each page's rows into named tuples of
the statement's columns, once.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol, cast

__all__ = ["Record", "records"]


class Record(Protocol):
    """A row of a list: its columns by name (``row.number``) and by position (``row[1]``)."""

    def __getattr__(self, name: str) -> Any: ...

    def __getitem__(self, index: int | slice) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


@lru_cache(maxsize=512)
def _record_type(fields: tuple[str, ...]) -> Any:
    # ``rename``: a column label that is no identifier (``_sort_key``) becomes ``_<position>``;
    # such columns are read by position.
    return namedtuple("Record", fields, rename=True)


def records(fields: Iterable[str], rows: Sequence[Sequence[Any]]) -> list[Record]:
    """``rows`` (as a result gives them) as named tuples of ``fields`` (the result's keys)."""
    make = _record_type(tuple(fields))._make
    return cast(list[Record], [make(row) for row in rows])
