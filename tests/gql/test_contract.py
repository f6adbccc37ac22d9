"""graphql/ is the contract: schema.graphql must match the code, its operations must validate, and
the code must not break the last published schema (schema.published.graphql), which changes only
together with an entry in docs/api-changelog.md."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from click.testing import CliRunner

from graphql import build_schema, find_breaking_changes, parse, validate
from portal.cli import main
from portal.gql.schema import schema_sdl

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "graphql"
SCHEMA = CONTRACT / "schema.graphql"
PUBLISHED = CONTRACT / "schema.published.graphql"
CHANGELOG = ROOT / "docs" / "api-changelog.md"


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


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    return [
        change.description for change in find_breaking_changes(build_schema(old_sdl), build_schema(new_sdl))
    ]


def test_removing_a_field_counts_as_breaking() -> None:
    current = SCHEMA.read_text(encoding="utf-8")
    without_field = current.replace("  hasMore: Boolean!\n", "", 1)
    assert breaking_changes(current, without_field) != []
    assert breaking_changes(current, current) == []


def test_the_code_does_not_break_the_published_schema() -> None:
    """Against the last published schema, not the previous commit, and no commit message lets a
    breaking change through: publishing one means updating the published file and the changelog."""
    changes = breaking_changes(PUBLISHED.read_text(encoding="utf-8"), SCHEMA.read_text(encoding="utf-8"))
    assert changes == [], (
        "the code breaks the published GraphQL contract; if that is on purpose, publish it: "
        "see docs/api-changelog.md"
    )


def published_hash(changelog: str) -> str | None:
    """The hash the newest changelog entry gives for the published schema."""
    found = re.search(r"^Published schema: sha256 ([0-9a-f]{16})\b", changelog, re.MULTILINE)
    return found.group(1) if found else None


def test_the_published_schema_changes_only_with_a_changelog_entry() -> None:
    digest = hashlib.sha256(PUBLISHED.read_bytes()).hexdigest()[:16]
    assert published_hash(CHANGELOG.read_text(encoding="utf-8")) == digest, (
        "graphql/schema.published.graphql changed without a new entry at the top of "
        f"docs/api-changelog.md ending in 'Published schema: sha256 {digest}'"
    )


def test_the_newest_changelog_entry_counts() -> None:
    changelog = "# API changelog\n\n## 2027\n\nPublished schema: sha256 " + "b" * 16
    changelog += "\n\n## 2026\n\nPublished schema: sha256 " + "a" * 16 + "\n"
    assert published_hash(changelog) == "b" * 16
    assert published_hash("# API changelog\n") is None
