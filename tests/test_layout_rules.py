"""The rules in ARCHITECTURE.md that keep the code whole."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


# --- tenancy: filters on the principal's organizations are written in portal.access only ----------

TENANCY_COLUMNS = frozenset(
    {"organization_id", "dealer_id", "supplier_id", "routed_to_id", "opened_by_org_id", "actor_org_id"}
)
PRINCIPAL_ORGS = frozenset({"org_id", "org_ids"})  # Principal's attributes


def _mentions_principal_orgs(node: ast.AST, held: set[str]) -> bool:
    """Whether an expression uses the principal's organizations: ``p.org_id``, ``x.org_ids``, a
    variable named ``org_ids`` or holding any of these, or ``descendant_ids(...)``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in PRINCIPAL_ORGS:
            return True
        if isinstance(sub, ast.Name) and (sub.id in held or sub.id == "org_ids"):
            return True
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "descendant_ids":
                return True
    return False


def _is_tenancy_column(node: ast.AST) -> bool:
    """A column in SQL: ``Order.dealer_id`` (a model class), ``table.c.dealer_id``,
    ``aliased(Order).dealer_id``, ``table.c["dealer_id"]``; not an object's value (``order.dealer_id``)."""
    if isinstance(node, ast.Attribute) and node.attr in TENANCY_COLUMNS:
        base = node.value
        return (
            (isinstance(base, ast.Name) and base.id[:1].isupper())
            or (isinstance(base, ast.Attribute) and base.attr in {"c", "columns"})
            or isinstance(base, ast.Call)
        )
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and node.slice.value in TENANCY_COLUMNS
    )


def _holding_principal_orgs(tree: ast.AST) -> set[str]:
    """Names that are given the principal's organizations anywhere in the module (``ids =
    principal.org_ids``, ``mine = {p.org_id}``, and names given those in turn)."""
    held: set[str] = set()
    grew = True
    while grew:
        grew = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
                value = node.value
                if value is None or not _mentions_principal_orgs(value, held):
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for name in (n for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)):
                    if name.id not in held:
                        held.add(name.id)
                        grew = True
    return held


def tenancy_filters(source: str) -> list[int]:
    """Lines that compare a tenancy column with the principal's organizations: ``Order.dealer_id ==
    principal.org_id``, ``Case.routed_to_id.in_(ids)`` with ``ids`` held from ``p.org_ids``,
    ``.filter_by(supplier_id=p.org_id)``, in either order."""
    tree = ast.parse(source)
    held = _holding_principal_orgs(tree)
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            columns = [s for s in sides if _is_tenancy_column(s)]
            if columns and any(_mentions_principal_orgs(s, held) for s in sides if s not in columns):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and _is_tenancy_column(func.value)
                and any(_mentions_principal_orgs(arg, held) for arg in node.args)
            ) or (
                isinstance(func, ast.Attribute)
                and func.attr == "filter_by"
                and any(
                    k.arg in TENANCY_COLUMNS and _mentions_principal_orgs(k.value, held)
                    for k in node.keywords
                )
            ):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_tenancy_filters_are_written_only_in_portal_access() -> None:
    """Filters on the principal's organizations belong in portal.access.policy, nowhere else."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_files("portal")
        if not path.is_relative_to(ROOT / "portal" / "access")
        for line in tenancy_filters(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "stmt = select(Order).where(Order.dealer_id == principal.org_id)",
        "stmt = select(Order).where(principal.org_id == Order.dealer_id)",
        "rows = select(Case).where(Case.routed_to_id != ctx.principal.org_id)",
        "ids = principal.org_ids\nstmt = select(Order).where(Order.supplier_id.in_(ids))",
        "mine = set(p.org_ids)\nours = mine | {1}\nq = select(Event).where(Event.actor_org_id.in_(ours))",
        "def f(session, org_ids):\n    return select(User).where(User.organization_id.in_(org_ids))",
        "q = select(t).where(t.c.dealer_id == p.org_id)",
        "q = select(t).where(t.c['supplier_id'].in_(p.org_ids))",
        "q = session.query(Order).filter_by(dealer_id=principal.org_id)",
        "q = select(Order).where(or_(Order.dealer_id.in_(descendant_ids(session, org)), false()))",
    ],
)
def test_the_tenancy_check_finds_filters_however_written(source: str) -> None:
    assert tenancy_filters(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "event = Event(actor_org_id=principal.org_id, kind=kind)",  # writing a row, not filtering
        "q = select(Order).where(Order.dealer_id == form_dealer)",  # a filter the user chose
        "allowed = order.dealer_id in principal.org_ids",  # an object's value (portal.access.permissions)
    ],
)
def test_the_tenancy_check_leaves_other_code_alone(source: str) -> None:
    assert tenancy_filters(source) == []


def test_services_never_commit() -> None:
    """The edge commits (portal.db.unit_of_work); services only flush."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("portal")
        if path.name == "service.py" or path.parent.name in {"orders", "cases", "customers", "activities"}
        if ".commit()" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_only_the_unit_of_work_commits() -> None:
    """``portal.db.unit_of_work`` is the one place that commits: not a service, not a view, not a
    library extension (GraphQL's unit of work is opened and ended by its endpoint through it)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in python_files("portal")
        if path != ROOT / "portal" / "db.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"
    ]
    assert offenders == []


def absolute_imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports, wherever in the file (also inside functions), with relative
    imports resolved against the package the file is in; ``from a import b`` counts ``a`` and ``a.b``."""
    parts = path.relative_to(root).with_suffix("").parts
    package = list(parts if path.name == "__init__.py" else parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def web_imports(paths: list[Path], root: Path = ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)} imports {module}"
        for path in paths
        for module in sorted(absolute_imports(path, root))
        if module == "portal.web" or module.startswith("portal.web.")
    ]


def test_the_api_and_authentication_never_import_the_web_package() -> None:
    """The API stands without the portal's pages: portal.gql and portal.auth import nothing of
    portal.web (the session cookie's format and the security headers live outside it)."""
    paths = [*python_files("portal/gql"), ROOT / "portal" / "auth.py"]
    assert len(paths) > 5
    assert web_imports(paths) == []


@pytest.mark.parametrize(
    "source",
    [
        "from portal.web.sessions import SECURITY_HEADERS",
        "import portal.web.core",
        "def principal(session):\n    from portal.web.core import user_principal",
        "from ..web import sessions",
        "from .. import web",
        "from portal import web",
    ],
)
def test_the_import_check_sees_every_form_of_import(tmp_path: Path, source: str) -> None:
    sample = tmp_path / "portal" / "gql" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text(source, encoding="utf-8")
    assert web_imports([sample], tmp_path) != []
