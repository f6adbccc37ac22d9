"""What a list is asked for and what it answers: one page request and one page type for every list
(web pages, CSV exports, GraphQL connections, pickers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from portal.errors import InvalidInput

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Relay-style arguments: ``first``/``after`` page forward, ``last``/``before`` backward.

    A size outside 0..MAX_PAGE_SIZE, or ``first`` and ``last`` together, is ``InvalidInput``
    naming the argument (when the page is read)."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def size(self) -> int:
        if self.first is not None and self.last is not None:
            raise InvalidInput("last", "pass either first or last, not both")
        for name, value in (("first", self.first), ("last", self.last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise InvalidInput(name, f"must be between 0 and {MAX_PAGE_SIZE}")
        if self.last is not None:
            return self.last
        return DEFAULT_PAGE_SIZE if self.first is None else self.first

    @property
    def backward(self) -> bool:
        return self.first is None and (self.last is not None or self.before is not None)


FIRST_PAGE = PageRequest()


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of a list, in the list's order. Cursors are encoded on demand (a web page needs
    only the first and the last); ``total_count()`` runs one COUNT, only when asked."""

    items: list[T]
    has_next_page: bool
    has_previous_page: bool
    keys: list[tuple[Any, int]] = field(repr=False)  # (sort value, id) of each item
    encode: Callable[[Any, int], str] = field(repr=False)
    count: Callable[[], int] = field(repr=False)

    @property
    def cursors(self) -> list[str]:
        """One cursor per item."""
        return [self.encode(value, ident) for value, ident in self.keys]

    @property
    def start_cursor(self) -> str | None:
        return self.encode(*self.keys[0]) if self.keys else None

    @property
    def end_cursor(self) -> str | None:
        return self.encode(*self.keys[-1]) if self.keys else None

    def total_count(self) -> int:
        """Every row matching the query, on all pages."""
        return self.count()
