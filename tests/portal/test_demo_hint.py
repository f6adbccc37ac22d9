"""`portal demo`'s banner says how the other `portal` commands reach its database: by the variable
that chose it, else by the folder they run from."""

from __future__ import annotations

from pathlib import Path

from portal.cli import _commands_hint


def test_the_hint_names_the_variable_when_the_data_folder_is_elsewhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "demo-data"
    hint = _commands_hint({"PORTAL_DATA_DIR": str(elsewhere)}, Path("/home/me/checkout"))
    assert hint == f"for the `portal` commands to use it: export PORTAL_DATA_DIR={elsewhere.resolve()}"
    assert "/home/me/checkout" not in hint


def test_the_hint_names_the_database_url_and_else_the_folder() -> None:
    url = {"PORTAL_DATABASE_URL": "postgresql+psycopg://x/y"}
    assert "PORTAL_DATABASE_URL" in _commands_hint(url, Path("/c"))
    assert _commands_hint({}, Path("/c")) == "the `portal` commands run from /c use it"
