"""README's configuration table lists exactly the environment variables the code reads."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"(PORTAL|EDI)_[A-Z0-9_]+")
READ_FROM = ("portal", "edi", "adapters", "benchmarks", "tests")


def variables_in_code() -> dict[str, str]:
    """Every string constant that is a whole PORTAL_*/EDI_* name -> the first file using it."""
    found: dict[str, str] = {}
    for folder in READ_FROM:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and NAME.fullmatch(node.value)
                ):
                    found.setdefault(node.value, str(path.relative_to(ROOT)))
    return found


def variables_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| variable | default | meaning |", 1)[1].split("\n\n", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\| `([A-Z0-9_]+)` \|", table, re.MULTILINE)}


def test_the_scan_finds_the_settings() -> None:
    assert {"PORTAL_DATABASE_URL", "PORTAL_DEBUG", "EDI_SCHEMA_DIR"} <= variables_in_code().keys()


def test_every_variable_read_is_documented_and_every_documented_one_is_read() -> None:
    in_code = variables_in_code()
    documented = variables_in_readme()
    undocumented = {name: where for name, where in in_code.items() if name not in documented}
    assert not undocumented, f"read in the code, missing from README's configuration table: {undocumented}"
    unread = documented - in_code.keys()
    assert not unread, f"in README's configuration table, read nowhere: {sorted(unread)}"
