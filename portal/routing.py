"""The application's router: starlette's, with the answer for each fixed path remembered.

starlette's `Router` tries its routes in order, a regular expression each, until one matches in
full: about 120 routes here, so a request for one of the last paths pays for all before it (some
50 µs a page, a twentieth of a list page's own work). This router remembers, per method and
path, which route without path parameters answered in full, and hands the next such request to it
directly. That is the same answer: a route answers a path and method in full or not, whatever came
before, and the routes never change after the app is built. Paths with parameters (``/orders/7``)
and everything else (405s, redirects to the slash-less path, 404s) take starlette's own way.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Match, Route, Router
from starlette.types import Receive, Scope, Send

__all__ = ["IndexedRouter"]

# Only these methods are remembered: a client sending made-up ones must not grow the index.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class IndexedRouter(Router):
    """A `Router` that answers a request for a fixed path from an index of earlier answers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._index: dict[tuple[str, str, str], Route] = {}

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await super().app(scope, receive, send)
            return
        index = self._index
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        route = index.get(key)
        if route is not None:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope.setdefault("router", self)
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
        await super().app(scope, receive, send)
        chosen = scope.get("route")
        # remembered only when one of this router's own routes (not a route of a mounted app) was
        # the full match (not a 405's partial one)
        if (
            isinstance(chosen, Route)
            and not chosen.param_convertors
            and any(chosen is route for route in self.routes)
            and chosen.matches(scope)[0] is Match.FULL
        ):
            index[key] = chosen
