"""What only the folder transport has to get right: the directory changes while it reads it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import adapters.folder
from adapters import FolderTransport, RemotePathError


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


# -- symbolic links below the root are never followed ---------------------------------------------


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the partner's root, with a file the partner must not make us read."""
    place = tmp_path / "elsewhere"
    place.mkdir()
    (place / "secret.edi").write_bytes(b"not yours")
    return place


@pytest.fixture
def root(tmp_path: Path) -> Path:
    place = tmp_path / "partner"
    place.mkdir()
    return place


@pytest.mark.parametrize("folder", ["out", "/out", "out/"])
def test_a_symlinked_inbox_is_neither_listed_nor_read(root: Path, elsewhere: Path, folder: str) -> None:
    (root / "out").symlink_to(elsewhere, target_is_directory=True)
    with FolderTransport(root) as transport:
        with pytest.raises(RemotePathError, match="'out' is a symbolic link"):
            transport.list(folder)
        with pytest.raises(RemotePathError):
            transport.fetch(folder, "secret.edi")
        with pytest.raises(RemotePathError):
            transport.delete(folder, "secret.edi")
    assert (elsewhere / "secret.edi").read_bytes() == b"not yours"


def test_nothing_is_written_through_a_symlinked_outbox(root: Path, elsewhere: Path) -> None:
    (root / "in").symlink_to(elsewhere, target_is_directory=True)
    with FolderTransport(root) as transport, pytest.raises(RemotePathError):
        transport.put("in", "ORDERS_1.edi", b"UNA")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["secret.edi"]


def test_nothing_is_archived_into_a_symlinked_archive(root: Path, elsewhere: Path) -> None:
    (root / "out").mkdir()
    (root / "out" / "a.edi").write_bytes(b"UNA")
    (root / "archive").symlink_to(elsewhere, target_is_directory=True)
    with FolderTransport(root) as transport:
        with pytest.raises(RemotePathError):
            transport.archive("out", "a.edi", "archive")
        with pytest.raises(RemotePathError):
            transport.ensure_folder("archive")
    assert sorted(p.name for p in elsewhere.iterdir()) == ["secret.edi"]
    assert (root / "out" / "a.edi").exists()


def test_a_symlink_anywhere_in_a_nested_folder_is_refused(root: Path, elsewhere: Path) -> None:
    (root / "edi").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "out").mkdir()
    with FolderTransport(root) as transport:
        with pytest.raises(RemotePathError, match="'edi' is a symbolic link"):
            transport.list("edi/out")
        with pytest.raises(RemotePathError):
            transport.ensure_folder("edi/archive")
    assert not (elsewhere / "archive").exists()


def test_a_symlink_named_like_an_uploaded_file_is_replaced_not_written_through(
    root: Path, elsewhere: Path
) -> None:
    (root / "in").mkdir()
    (root / "in" / "ORDERS_1.edi").symlink_to(elsewhere / "secret.edi")
    (root / "out").mkdir()
    (root / "out" / "link.edi").symlink_to(elsewhere / "secret.edi")
    with FolderTransport(root) as transport:
        transport.put("in", "ORDERS_1.edi", b"UNA:+.? '")
        assert [f.name for f in transport.list("out")] == []
        with pytest.raises(RemotePathError):
            transport.fetch("out", "link.edi")
        with pytest.raises(RemotePathError):
            transport.archive("out", "link.edi", "archive")
    assert not (root / "in" / "ORDERS_1.edi").is_symlink()
    assert (root / "in" / "ORDERS_1.edi").read_bytes() == b"UNA:+.? '"
    assert (elsewhere / "secret.edi").read_bytes() == b"not yours"


def test_missing_folders_are_created_below_the_root(root: Path) -> None:
    with FolderTransport(root) as transport:
        transport.ensure_folder("edi/archive")
        transport.ensure_folder("edi/archive")
    assert (root / "edi" / "archive").is_dir()
