"""The rules in ARCHITECTURE.md that keep the code whole."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_graphql_folder_holds_no_python() -> None:
    assert list((ROOT / "graphql").rglob("*.py")) == []


def test_import_graphql_is_graphql_core() -> None:
    import graphql

    assert hasattr(graphql, "graphql_sync"), "the name graphql is shadowed"
    assert "site-packages" in (graphql.__file__ or "")


def test_edi_and_adapters_never_import_portal() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in ("edi", "adapters")
        for path in python_files(folder)
        for module in imported_modules(path)
        if module == "portal" or module.startswith("portal.")
    ]
    assert python_files("edi"), "the edi package is missing"
    assert offenders == []


TENANCY_COLUMNS = re.compile(
    r"\.where\([^)]*\b(organization_id|dealer_id|supplier_id|routed_to_id|opened_by_org_id|actor_org_id)\b"
    r"[^)]*\.in_\([^)]*org_ids"
)


def test_tenancy_filters_are_written_only_in_portal_access() -> None:
    """Filters on the principal's organizations belong in portal.access.policy, nowhere else."""
    offenders = []
    for path in python_files("portal"):
        if path.is_relative_to(ROOT / "portal" / "access"):
            continue
        source = path.read_text(encoding="utf-8")
        if TENANCY_COLUMNS.search(source) or re.search(r"\.where\([^)]*principal\.org_ids", source):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_services_never_commit() -> None:
    """The edge commits (portal.db.unit_of_work); services only flush."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("portal")
        if path.name == "service.py" or path.parent.name in {"orders", "cases", "customers", "activities"}
        if ".commit()" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
