"""What only the folder transport has to get right: the directory changes while it reads it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import adapters.folder
from adapters import FolderTransport


def test_list_skips_a_file_archived_between_reading_the_directory_and_its_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "out"
    inbox.mkdir()
    for name in ("a.edi", "b.edi", "c.edi"):
        (inbox / name).write_bytes(b"UNA")
    real_scandir = os.scandir

    @contextmanager
    def scandir_then_another_worker_archives(path: str) -> Iterator[Iterator[os.DirEntry[str]]]:
        with real_scandir(path) as entries:
            read = list(entries)  # the names are read ...
        (inbox / "b.edi").unlink()  # ... then another worker moves one away before its stat
        yield iter(read)

    monkeypatch.setattr(adapters.folder.os, "scandir", scandir_then_another_worker_archives)
    with FolderTransport(tmp_path) as transport:
        assert [entry.name for entry in transport.list("out")] == ["a.edi", "c.edi"]
