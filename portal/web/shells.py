"""Pages rendered once and filled per request: the shell of a list page.

A list page is mostly the same markup for every request of one user at one URL: the layout, the
navigation, the filter form, the sortable column heads. Only the table rows, the pager's cursors,
the CSRF token, a flash message and the language links' query differ. `ShellCache` renders such a
page once with a `Hole` in place of each of those values, splits the HTML at the holes and, per
request, joins the pieces with the real values.

The cache key must name everything else the template reads (the principal, the locale, the URL,
the page's shape); the caller builds it. Nothing a request fills in is ever stored.
"""

from __future__ import annotations

import re
import secrets
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote_plus

__all__ = ["Hole", "Shell", "ShellCache", "forget_shells"]

# Letters and digits only: urlencode, quote_plus and HTML escaping all leave the marker intact.
_MARK = "hole" + secrets.token_hex(8)
_SPLIT = re.compile(f"{_MARK}([a-z_]+){_MARK}")


@dataclass(frozen=True, slots=True)
class Hole:
    """A value a template prints but the shell leaves open.

    ``kind`` says how the request's value is written into the page: ``html`` (escaped text),
    ``url`` (a query-string value, as `urllib.parse.urlencode` writes it, then escaped) or
    ``markup`` (HTML the caller built and escaped itself, such as the table rows).
    """

    name: str
    kind: str = "html"

    def __str__(self) -> str:
        return f"{_MARK}{self.name}{_MARK}"

    def __html__(self) -> str:
        return str(self)


_ENCODERS: dict[str, Callable[[str], str]] = {
    "html": lambda value: escape(value, quote=True),
    "url": lambda value: escape(quote_plus(value), quote=True),
    "markup": lambda value: value,
}


@dataclass(frozen=True, slots=True)
class Shell:
    """A page split at its holes: ``parts[0] + fill(holes[0]) + parts[1] + ...``."""

    parts: tuple[str, ...]
    holes: tuple[Hole, ...]

    @classmethod
    def split(cls, html: str, holes: Mapping[str, Hole]) -> Shell:
        pieces = _SPLIT.split(html)
        names = pieces[1::2]
        unknown = set(names) - set(holes)
        if unknown:
            raise ValueError(f"the page names holes it was not given: {sorted(unknown)}")
        return cls(tuple(pieces[0::2]), tuple(holes[name] for name in names))

    def fill(self, values: Mapping[str, str]) -> str:
        out = [self.parts[0]]
        for hole, part in zip(self.holes, self.parts[1:], strict=True):
            out.append(_ENCODERS[hole.kind](values[hole.name]))
            out.append(part)
        return "".join(out)


class ShellCache:
    """Shells by key, bounded: at ``limit`` entries the cache starts again from empty (a list
    page's shell is about 4 KB, so a full cache holds about 8 MB)."""

    def __init__(self, *, limit: int = 2_000, enabled: bool = True) -> None:
        self._shells: dict[Any, Shell] = {}
        self._limit = limit
        self.enabled = enabled
        _CACHES.add(self)

    def __len__(self) -> int:
        return len(self._shells)

    def clear(self) -> None:
        self._shells.clear()

    def page(
        self, key: Any, holes: tuple[Hole, ...], render: Callable[[], str], values: Mapping[str, str]
    ) -> str:
        """The page for ``key`` with ``values`` in its holes; ``render`` draws the shell when missing
        (it must print each hole where the value belongs)."""
        shell = self._shells.get(key) if self.enabled else None
        if shell is None:
            shell = Shell.split(render(), {hole.name: hole for hole in holes})
            if self.enabled:
                if len(self._shells) >= self._limit:
                    self._shells.clear()
                self._shells[key] = shell
        return shell.fill(values)


_CACHES: weakref.WeakSet[ShellCache] = weakref.WeakSet()


def forget_shells() -> None:
    """Empty every shell cache of the process (the benchmark's cold runs)."""
    for cache in list(_CACHES):
        cache.clear()
