"""graphql/ is the published contract: it must match the code, its operations must validate, and
a breaking change needs a commit that says so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphql import build_schema, find_breaking_changes, parse, validate
from portal.cli import main
from portal.gql.schema import schema_sdl

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "graphql"
SCHEMA = CONTRACT / "schema.graphql"


def test_committed_schema_equals_the_codes_schema() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_sdl(), (
        "run `portal gql export -o graphql/schema.graphql`"
    )


def test_portal_gql_export_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["gql", "export"])
    assert result.exit_code == 0
    assert result.output == schema_sdl()


def test_every_operation_validates_against_the_schema() -> None:
    schema = build_schema(SCHEMA.read_text(encoding="utf-8"))
    operations = sorted((CONTRACT / "operations").glob("*.graphql"))
    names = {path.stem for path in operations}
    assert {"PullOrders", "ConfirmOrder", "CreateShipment", "SubmitInvoice", "SyncChanges"} <= names
    for path in operations:
        errors = validate(schema, parse(path.read_text(encoding="utf-8")))
        assert errors == [], f"{path.name}: {errors}"


def test_contract_folder_holds_only_graphql_files() -> None:
    strays = [p.relative_to(ROOT) for p in CONTRACT.rglob("*") if p.is_file() and p.suffix != ".graphql"]
    assert strays == []


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    assert git is not None
    return subprocess.run([git, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    return [
        change.description for change in find_breaking_changes(build_schema(old_sdl), build_schema(new_sdl))
    ]


def test_removing_a_field_counts_as_breaking() -> None:
    current = SCHEMA.read_text(encoding="utf-8")
    without_field = current.replace("  hasMore: Boolean!\n", "", 1)
    assert breaking_changes(current, without_field) != []
    assert breaking_changes(current, current) == []


def test_no_breaking_change_against_head_unless_the_commit_says_breaking() -> None:
    """Against HEAD's schema when the working tree changed it, else against HEAD's parent (so CI
    checks the change a commit made). Allowed when the HEAD commit message contains BREAKING."""
    if shutil.which("git") is None or _git("rev-parse", "HEAD").returncode != 0:
        pytest.skip("not a git checkout")
    current = SCHEMA.read_text(encoding="utf-8")
    head = _git("show", "HEAD:graphql/schema.graphql")
    baseline = (
        head
        if head.returncode == 0 and head.stdout != current
        else _git("show", "HEAD~1:graphql/schema.graphql")
    )
    if baseline.returncode != 0:
        pytest.skip("no earlier committed graphql/schema.graphql to compare with")
    if "BREAKING" in _git("log", "-1", "--format=%B").stdout:
        return
    assert breaking_changes(baseline.stdout, current) == [], (
        "a breaking change needs BREAKING in the commit message"
    )
