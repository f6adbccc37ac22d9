"""The session key every `portal serve` process shares: PORTAL_SECRET_KEY, else one kept in the data
folder, made once, whoever starts first."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from portal.config import SECRET_KEY_FILE, SecretKeyError, Settings, shared_secret_key


def test_serving_settings_keep_one_key_in_the_data_folder_for_every_process(tmp_path: Path) -> None:
    env = {"PORTAL_DATA_DIR": str(tmp_path / "data")}
    first, second = Settings.from_env(env), Settings.from_env(env)
    assert first.secret_key != second.secret_key  # each process alone would make up its own
    assert not first.secret_key_shared
    served = first.for_serving()
    assert served.secret_key_shared
    assert served.secret_key == second.for_serving().secret_key
    assert len(served.secret_key) >= 32
    path = tmp_path / "data" / SECRET_KEY_FILE
    assert path.read_text().strip() == served.secret_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [SECRET_KEY_FILE]  # no draft left behind


def test_a_configured_secret_key_is_used_and_no_key_file_is_made(tmp_path: Path) -> None:
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": "k" * 40})
    assert settings.secret_key_shared
    assert settings.for_serving().secret_key == "k" * 40
    assert not (tmp_path / SECRET_KEY_FILE).exists()


def test_when_another_process_keeps_its_key_first_its_key_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes start on an empty data folder: each writes a key under a name of its own, and
    the first to link it into place wins; the other reads the winner's and leaves no draft behind."""
    winner = "w" * 64
    real_link = os.link

    def link_after_the_other_process(source: str | Path, target: str | Path) -> None:
        Path(target).write_text(winner + "\n")  # the other process got there first
        real_link(source, target)

    monkeypatch.setattr(os, "link", link_after_the_other_process)
    assert shared_secret_key(tmp_path) == winner
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_KEY_FILE]


def test_a_damaged_key_file_is_refused_naming_the_file_and_the_way_out(tmp_path: Path) -> None:
    (tmp_path / SECRET_KEY_FILE).write_text("short\n")
    with pytest.raises(SecretKeyError) as refused:
        shared_secret_key(tmp_path)
    assert str(tmp_path / SECRET_KEY_FILE) in str(refused.value)
    assert "shorter than 32 characters" in str(refused.value)
    assert "PORTAL_SECRET_KEY" in str(refused.value)


def test_a_data_folder_that_cannot_hold_the_key_is_a_clear_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    with pytest.raises(SecretKeyError) as refused:
        Settings.from_env({"PORTAL_DATA_DIR": str(not_a_folder)}).for_serving()
    message = str(refused.value)
    assert message.startswith(f"cannot keep a session key in {not_a_folder / SECRET_KEY_FILE}: ")
    assert "set PORTAL_SECRET_KEY" in message
