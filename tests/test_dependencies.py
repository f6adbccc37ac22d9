"""Every third-party import of the shipped packages is a declared dependency.

A module that is only installed because some declared package happens to depend on it (as
``cross_web`` comes with strawberry) breaks the day that package drops it: ``pip install`` on a clean
machine must bring everything ``portal``, ``edi`` and ``adapters`` import.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("portal", "edi", "adapters")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, requirement
        names.add(_normalize(match.group(0)))
    return names


def third_party_imports(package: Path) -> dict[str, set[str]]:
    """Top-level module name -> the files importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in SHIPPED or top == "__future__":
                    continue
                found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_walk_sees_third_party_imports() -> None:
    imports = third_party_imports(ROOT / "portal")
    assert {"sqlalchemy", "starlette", "strawberry", "click"} <= imports.keys()


def test_every_third_party_import_is_declared() -> None:
    declared = declared_distributions()
    providers = importlib.metadata.packages_distributions()
    undeclared: list[str] = []
    for package in SHIPPED:
        for module, files in sorted(third_party_imports(ROOT / package).items()):
            distributions = {_normalize(d) for d in providers.get(module, [])}
            assert distributions, f"{module} (imported by {sorted(files)}) is not installed at all"
            if not distributions & declared:
                undeclared.append(f"{module} ({'/'.join(sorted(distributions))}) in {sorted(files)[0]}")
    assert not undeclared, "imported but not in pyproject's dependencies: " + "; ".join(undeclared)
