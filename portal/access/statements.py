"""Statements built from a principal's access rules, once per principal and purpose.

A principal's rule is a pure function of the principal (`portal.access.policy.rule_for`), and the
same few statements run on every page a user opens: the bell's count, a list's filter options,
the batch reads of a page's relations. Building such a statement through the policy, and
SQLAlchemy computing the fresh statement's cache key, costs more than running it. So each is built
once and kept here, by a key that names the principal and everything else the statement is built
from; what changes per call (ids, a cursor) is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["MAX_STATEMENTS", "remembered"]

E = TypeVar("E")

MAX_STATEMENTS = 4096  # principals come and go: at this many, start afresh
_STATEMENTS: dict[Hashable, Any] = {}


def remembered(key: Hashable, build: Callable[[], E]) -> E:
    """The statement kept under ``key``, built by ``build`` on first use. The key must hold the
    principal and every other value ``build`` reads."""
    found: E | None = _STATEMENTS.get(key)
    if found is None:
        found = build()
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            _STATEMENTS.clear()
        _STATEMENTS[key] = found
    return found
