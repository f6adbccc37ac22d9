"""One read path per entity (ARCHITECTURE's Access rules, issue #14), checked on the syntax tree:
the read models' lists are paged only in the domains' read modules, and the second read paths
they replaced (``*Criteria`` filters, ``*_rows`` lists, id windows, statement caches) are gone."""

from __future__ import annotations

import ast
from pathlib import Path

import portal

PORTAL = Path(portal.__file__).parent
# Where a read model lives: each domain's queries.py, the exchange ledger, and the machinery.
READ_MODULES = {path for path in PORTAL.rglob("queries.py") if "gql" not in path.parts} | {
    PORTAL / "exchange" / "ledger.py",
    *(PORTAL / "reading").glob("*.py"),
}
GONE = {"paginate_rows", "keyset_rows", "IdWindow", "RowPage", "paginate", "listing", "_ROW_QUERIES"}


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(PORTAL.rglob("*.py"))]


def offences(path: Path, tree: ast.Module) -> list[str]:
    found: list[str] = []
    in_read_module = path in READ_MODULES
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name.endswith("Criteria"):
            found.append(f"class {node.name}: a second filter type; use the entity's query")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if in_read_module and node.name.endswith("_rows"):
                found.append(f"def {node.name}: a second list; use the entity's list function")
            if node.name in GONE:
                found.append(f"def {node.name}")
        if (
            isinstance(node, ast.Name | ast.alias)
            and (getattr(node, "id", None) or getattr(node, "name", None)) in GONE
        ):
            found.append(f"uses {getattr(node, 'id', None) or getattr(node, 'name', None)}")
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] in GONE:
            found.append(f"imports {node.module}")
        if (
            not in_read_module
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "page"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id.isupper()
        ):
            found.append(f"{node.func.value.id}.page(...): page through the entity's list function")
    where = path.relative_to(PORTAL) if path.is_relative_to(PORTAL) else path.name
    return [f"{where}: {o}" for o in found]


def test_one_read_path_per_entity() -> None:
    trees = _trees()
    assert len(READ_MODULES) >= 6 and all(path.exists() for path in READ_MODULES)
    assert [o for path, tree in trees for o in offences(path, tree)] == []


def test_the_check_sees_second_read_paths(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    source = (
        "from portal.listing import paginate_rows\n"
        "class OrderCriteria: ...\n"
        "def order_rows(): ...\n"
        "page = ORDERS.page(session, principal, [], sort=s, descending=True)\n"
    )
    sample.write_text(source, encoding="utf-8")
    found = offences(sample, ast.parse(source))
    assert any("OrderCriteria" in o for o in found)
    assert any("paginate_rows" in o for o in found)
    assert any("ORDERS.page" in o for o in found)
    READ_MODULES.add(sample)
    try:
        assert any("def order_rows" in o for o in offences(sample, ast.parse(source)))
    finally:
        READ_MODULES.discard(sample)
