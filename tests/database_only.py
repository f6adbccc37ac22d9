"""``PORTAL_TEST_DATABASE_ONLY=1`` (CI's PostgreSQL pass, `.ci/run`): only the tests that can reach the
test database run, for the others give the same answer on both databases and ran in the SQLite pass.

A test reaches the database when
- it uses ``database_url`` or ``empty_database_url`` (every database fixture starts from one of them:
  ``engine``, ``factory``, ``world``, ``api``...), or
- its module, or a module that defines one of its fixtures, reads ``PORTAL_TEST_DATABASE_URL``
  itself or imports (anywhere in it, at any depth of ``tests.*`` imports) a module that does: the
  live servers of tests/e2e and the ``portal demo`` of tests/docs make their own schema from it.

The second rule is read from the source (the syntax tree of the imports), so a helper that starts
reading the URL later keeps its users in the pass without anyone listing them.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

import pytest

ENVIRONMENT = "PORTAL_TEST_DATABASE_URL"
DATABASE_FIXTURES = frozenset({"database_url", "empty_database_url"})
_ROOT = Path(__file__).resolve().parent.parent  # the checkout: `tests.x.y` is tests/x/y.py here


def keep_database_tests(config: pytest.Config, items: list[pytest.Item], provider: str) -> None:
    """Deselect (visibly, as pytest's -k does) every test that cannot reach the database. ``provider``
    is the module of the database fixtures: its other fixtures (sshd) do not make a test reach it."""
    keep = {item.nodeid for item in items if reaches_database(item, provider)}
    deselected = [item for item in items if item.nodeid not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item.nodeid in keep]


def reaches_database(item: pytest.Item, provider: str) -> bool:
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    modules = set()
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for defs in info.name2fixturedefs.values():
            modules.update(getattr(d.func, "__module__", "") for d in defs)
    modules.discard(provider)
    modules.add(getattr(getattr(item, "module", None), "__name__", ""))
    return any(reads_url(name) for name in modules if name.split(".")[0] == "tests")


@functools.cache
def reads_url(module: str) -> bool:
    """Whether the module ``tests....`` reads the URL or imports a ``tests`` module that does."""
    seen, todo = {module}, [module]
    while todo:
        scanned = _scan(todo.pop())
        if scanned is None:  # a name imported from a package that is no module of it
            continue
        reads, imported = scanned
        if reads:
            return True
        todo += imported - seen
        seen |= imported
    return False


@functools.cache
def _scan(module: str) -> tuple[bool, frozenset[str]] | None:
    """Whether the module's source names the variable, and the ``tests`` modules it imports anywhere
    (a name imported from a package may be a module of it: both are returned)."""
    loaded = sys.modules.get(module)
    path = Path(getattr(loaded, "__file__", "") or "")
    if not path.is_file():
        base = _ROOT.joinpath(*module.split("."))
        path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    if not path.is_file():
        return None
    source = path.read_text(encoding="utf-8")
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    imported = frozenset(name for name in names if name == "tests" or name.startswith("tests."))
    return ENVIRONMENT in source, imported
