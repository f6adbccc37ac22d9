"""The transport contract, run against the local folder and a real OpenSSH server alike."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest

from adapters import (
    IntegrityError,
    RemoteFile,
    RemoteFileNotFound,
    RemotePathError,
)
from tests.adapters.conftest import Remote

HOSTILE_NAMES = [
    "../escape.edi",
    "..",
    "a/b.edi",
    "/etc/passwd",
    "a\\b.edi",
    ".hidden",
    "nul\x00byte",
    "bell\x07.edi",
    "new\nline.edi",
    "rtl\u202eide.exe",
    "",
]


def test_put_then_fetch_returns_same_bytes_size_and_sha256(remote: Remote) -> None:
    data = b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER'" * 100
    digest = remote.transport.put(remote.base, "order.edi", data)
    fetched = remote.transport.fetch(remote.base, "order.edi")
    assert fetched.data == data
    assert fetched.size == len(data)
    assert fetched.sha256 == digest == hashlib.sha256(data).hexdigest()
    assert remote.path("order.edi").read_bytes() == data


@pytest.mark.parametrize("size", [0, 1, 32767, 32768, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 7])
def test_round_trip_keeps_every_size_intact(remote: Remote, size: int) -> None:
    data = os.urandom(size)
    remote.transport.put(remote.base, "sized.bin", data)
    fetched = remote.transport.fetch(remote.base, "sized.bin", expected_size=size)
    assert fetched.data == data
    assert remote.path("sized.bin").read_bytes() == data


def test_put_leaves_no_temporary_file_behind(remote: Remote) -> None:
    remote.transport.put(remote.base, "order.edi", b"x" * 1000)
    assert sorted(os.listdir(remote.local)) == ["order.edi"]


def test_put_replaces_existing_file(remote: Remote) -> None:
    remote.transport.put(remote.base, "order.edi", b"old content")
    remote.transport.put(remote.base, "order.edi", b"new")
    assert remote.transport.fetch(remote.base, "order.edi").data == b"new"
    assert sorted(os.listdir(remote.local)) == ["order.edi"]


def test_reader_never_sees_a_partial_file_while_put_replaces_it(remote: Remote) -> None:
    size = 512 * 1024
    versions = [b"a" * size, b"b" * size]
    remote.transport.put(remote.base, "stock.xml", versions[0])
    done = threading.Event()

    def writer() -> None:
        try:
            for round_ in range(8):
                remote.transport.put(remote.base, "stock.xml", versions[(round_ + 1) % 2])
        finally:
            done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    reads = 0
    while not done.is_set() or reads == 0:
        content = remote.path("stock.xml").read_bytes()
        reads += 1
        assert content in versions, f"partial or mixed content of {len(content)} bytes seen"
    thread.join()
    assert reads > 1


def test_list_returns_regular_files_with_size_and_mtime(remote: Remote) -> None:
    remote.path("b.edi").write_bytes(b"12345")
    remote.path("a.xml").write_bytes(b"")
    os.utime(remote.path("b.edi"), (1_700_000_000, 1_700_000_000))
    remote.path("subfolder").mkdir()
    os.symlink(remote.path("b.edi"), remote.path("link.edi"))
    files = remote.transport.list(remote.base)
    assert [f.name for f in files] == ["a.xml", "b.edi"]
    assert files[1] == RemoteFile("b.edi", 5, datetime.fromtimestamp(1_700_000_000, UTC))
    assert files[1].mtime.tzinfo is not None


def test_list_skips_hostile_names_and_warns(remote: Remote, caplog: pytest.LogCaptureFixture) -> None:
    remote.path("good.edi").write_bytes(b"ok")
    for name in ["back\\slash.edi", "bell\x07.edi", "new\nline.edi", "two..dots.edi", ".hidden"]:
        remote.path(name).write_bytes(b"hostile")
    with caplog.at_level(logging.WARNING, logger="adapters"):
        files = remote.transport.list(remote.base)
    assert [f.name for f in files] == ["good.edi"]
    warned = " ".join(record.getMessage() for record in caplog.records)
    assert "back\\\\slash.edi" in warned
    assert "hidden" not in warned  # hidden files are where temporary uploads live: no noise


def test_list_of_missing_folder_raises_not_found(remote: Remote) -> None:
    with pytest.raises(RemoteFileNotFound):
        remote.transport.list(remote.folder("missing"))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused_by_every_operation(remote: Remote, name: str) -> None:
    remote.path("victim.edi").write_bytes(b"keep me")
    transport = remote.transport
    with pytest.raises(RemotePathError):
        transport.put(remote.base, name, b"payload")
    with pytest.raises(RemotePathError):
        transport.fetch(remote.base, name)
    with pytest.raises(RemotePathError):
        transport.delete(remote.base, name)
    with pytest.raises(RemotePathError):
        transport.archive(remote.base, name, remote.folder("archive"))
    assert sorted(os.listdir(remote.local)) == ["victim.edi"]
    assert not remote.local.parent.joinpath("escape.edi").exists()


def test_folder_with_dot_dot_is_refused(remote: Remote) -> None:
    with pytest.raises(RemotePathError):
        remote.transport.list(remote.folder("..", ".."))


def test_fetch_missing_file_raises_not_found(remote: Remote) -> None:
    with pytest.raises(RemoteFileNotFound):
        remote.transport.fetch(remote.base, "missing.edi")


def test_fetch_size_differing_from_listing_raises_integrity_error(remote: Remote) -> None:
    remote.path("order.edi").write_bytes(b"0123456789")
    listed = remote.transport.list(remote.base)[0]
    remote.path("order.edi").write_bytes(b"0123456789 and more since the listing")
    with pytest.raises(IntegrityError):
        remote.transport.fetch(remote.base, "order.edi", expected_size=listed.size)


def test_fetch_refuses_directories_and_symlinks(remote: Remote) -> None:
    remote.path("folder.edi").mkdir()
    remote.path("target.edi").write_bytes(b"secret")
    os.symlink(remote.path("target.edi"), remote.path("link.edi"))
    with pytest.raises(RemotePathError):
        remote.transport.fetch(remote.base, "folder.edi")
    with pytest.raises(RemotePathError):
        remote.transport.fetch(remote.base, "link.edi")


def test_archive_moves_file_into_created_folder(remote: Remote) -> None:
    remote.path("order.edi").write_bytes(b"order")
    archived = remote.transport.archive(remote.base, "order.edi", remote.folder("archive", "2026"))
    assert archived == "order.edi"
    assert not remote.path("order.edi").exists()
    assert remote.path("archive", "2026", "order.edi").read_bytes() == b"order"


def test_archive_never_overwrites_and_makes_name_unique(remote: Remote) -> None:
    remote.path("archive").mkdir()
    remote.path("archive", "order.edi").write_bytes(b"first")
    remote.path("archive", "order-1.edi").write_bytes(b"second")
    remote.path("order.edi").write_bytes(b"third")
    archived = remote.transport.archive(remote.base, "order.edi", remote.folder("archive"))
    assert archived == "order-2.edi"
    assert remote.path("archive", "order.edi").read_bytes() == b"first"
    assert remote.path("archive", "order-1.edi").read_bytes() == b"second"
    assert remote.path("archive", "order-2.edi").read_bytes() == b"third"


def test_archive_of_missing_file_raises_not_found(remote: Remote) -> None:
    with pytest.raises(RemoteFileNotFound):
        remote.transport.archive(remote.base, "missing.edi", remote.folder("archive"))


def test_delete_removes_file(remote: Remote) -> None:
    remote.path("order.edi").write_bytes(b"order")
    remote.transport.delete(remote.base, "order.edi")
    assert not remote.path("order.edi").exists()


def test_delete_of_missing_file_raises_not_found(remote: Remote) -> None:
    with pytest.raises(RemoteFileNotFound):
        remote.transport.delete(remote.base, "missing.edi")


def test_delete_refuses_directory(remote: Remote) -> None:
    remote.path("folder.edi").mkdir()
    with pytest.raises(RemotePathError):
        remote.transport.delete(remote.base, "folder.edi")
    assert remote.path("folder.edi").is_dir()


def _age(remote: Remote, name: str, seconds: float) -> None:
    stamp = (datetime.now(UTC) - timedelta(seconds=seconds)).timestamp()
    os.utime(remote.path(name), (stamp, stamp))


def test_list_ready_skips_temporary_names(remote: Remote) -> None:
    for name in ["order.edi", "upload.part", "upload.tmp", "x.filepart", ".order.edi.part-1a2b"]:
        remote.path(name).write_bytes(b"data")
        _age(remote, name, 3600)
    ready = remote.transport.list_ready(remote.base, settle_seconds=0)
    assert [f.name for f in ready] == ["order.edi"]


def test_list_ready_skips_files_younger_than_min_age(remote: Remote) -> None:
    remote.path("old.edi").write_bytes(b"old")
    _age(remote, "old.edi", 120)
    remote.path("fresh.edi").write_bytes(b"fresh")
    ready = remote.transport.list_ready(remote.base, min_age_seconds=60, settle_seconds=0)
    assert [f.name for f in ready] == ["old.edi"]


def test_list_ready_skips_file_that_changes_between_two_listings(remote: Remote) -> None:
    for name in ["growing.edi", "stable.edi"]:
        remote.path(name).write_bytes(b"first part")
        _age(remote, name, 3600)
    slept: list[float] = []

    def writer_keeps_writing(seconds: float) -> None:
        slept.append(seconds)
        with remote.path("growing.edi").open("ab") as handle:
            handle.write(b", second part")
        _age(remote, "growing.edi", 3600)  # even a writer that keeps an old mtime is caught

    ready = remote.transport.list_ready(remote.base, settle_seconds=2.5, sleep=writer_keeps_writing)
    assert [f.name for f in ready] == ["stable.edi"]
    assert slept == [2.5]


def test_list_ready_returns_oldest_first(remote: Remote) -> None:
    for name, age in [("a.edi", 100), ("b.edi", 300), ("c.edi", 200)]:
        remote.path(name).write_bytes(b"x")
        _age(remote, name, age)
    ready = remote.transport.list_ready(remote.base, min_age_seconds=10, sleep=lambda _: None)
    assert [f.name for f in ready] == ["b.edi", "c.edi", "a.edi"]


def test_closed_transport_refuses_further_use(remote: Remote) -> None:
    remote.transport.close()
    remote.transport.close()  # idempotent
    with pytest.raises(RuntimeError):
        remote.transport.list(remote.base)
