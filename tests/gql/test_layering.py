"""ARCHITECTURE.md: `gql` calls services and the domains' read layer; it does not build SQL itself."""

from __future__ import annotations

import ast
from pathlib import Path

GQL = Path(__file__).resolve().parents[2] / "portal" / "gql"

# What the API layer may take from SQLAlchemy: the session types it passes on, nothing to build with.
ALLOWED = {"sqlalchemy.orm": {"Session", "sessionmaker"}}
# Reads start from portal.access.visible() in the domains' queries.py, not here.
FORBIDDEN_PORTAL = {"visible", "rule_for", "RULES", "get_visible", "load_by_ids", "load_children"}


def offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = {a.name for a in node.names}
            if node.module.split(".")[0] == "sqlalchemy":
                found += [
                    f"from {node.module} import {n}" for n in sorted(names - ALLOWED.get(node.module, set()))
                ]
            elif node.module.startswith("portal.access"):
                found += [f"from {node.module} import {n}" for n in sorted(names & FORBIDDEN_PORTAL)]
    return [f"{path.name}: {o}" for o in found]


def test_gql_builds_no_sql() -> None:
    paths = sorted(GQL.rglob("*.py"))
    assert len(paths) > 5, "portal/gql not found"
    assert [o for path in paths for o in offences(path)] == []


def test_the_check_sees_query_constructs(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlalchemy\nfrom sqlalchemy import select, func\n"
        "from sqlalchemy.orm import Session, aliased\nfrom portal.access import Principal, visible\n",
        encoding="utf-8",
    )
    assert offences(sample) == [
        "sample.py: import sqlalchemy",
        "sample.py: from sqlalchemy import func",
        "sample.py: from sqlalchemy import select",
        "sample.py: from sqlalchemy.orm import aliased",
        "sample.py: from portal.access import visible",
    ]
