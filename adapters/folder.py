"""The transport contract on a local directory (a mounted share, or a partner drop folder).

Folders are resolved below ``root``, which acts like an SFTP chroot: ``"/inbox"`` and
``"inbox"`` are the same folder. Writes are durable before they are visible: the temporary file
is fsynced, renamed with `os.replace` (atomic, replaces an existing file) and the directory is
fsynced so the rename survives a crash.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from adapters._names import name_problem, temporary_name, unique_name, validate_folder, validate_name
from adapters.base import FetchedFile, RemoteFile, Transport
from adapters.errors import (
    AdapterError,
    IntegrityError,
    PermissionDenied,
    RemoteFileNotFound,
    RemotePathError,
    TransientError,
)

__all__ = ["FolderTransport"]

_log = logging.getLogger("adapters.folder")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


@contextmanager
def _os_errors(what: str) -> Iterator[None]:
    """Turn `OSError` into the adapter error tree."""
    try:
        yield
    except AdapterError:
        raise
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise RemoteFileNotFound(f"{what}: {exc.strerror}") from exc
    except PermissionError as exc:
        raise PermissionDenied(f"{what}: {exc.strerror}") from exc
    except IsADirectoryError as exc:
        raise RemotePathError(f"{what}: is a directory") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RemotePathError(f"{what}: is a symbolic link") from exc
        raise TransientError(f"{what}: {exc.strerror or exc}") from exc


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FolderTransport(Transport):
    """`Transport` on the local directory tree below ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = Path(root)
        self._closed = False

    def __repr__(self) -> str:
        return f"FolderTransport({str(self._root)!r})"

    def _dir(self, folder: str) -> Path:
        if self._closed:
            raise RuntimeError("transport is closed")
        return self._root / validate_folder(folder).lstrip("/")

    def list(self, folder: str) -> builtins.list[RemoteFile]:
        directory = self._dir(folder)
        found: builtins.list[RemoteFile] = []
        with _os_errors(f"listing {folder!r}"), os.scandir(directory) as entries:
            for entry in entries:
                problem = name_problem(entry.name)
                if problem is not None:
                    level = logging.DEBUG if entry.name.startswith(".") else logging.WARNING
                    _log.log(level, "skipping %r in %r: %s", entry.name, folder, problem)
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # gone since the directory was read: another worker archived it
                if stat.S_ISREG(info.st_mode):
                    mtime = datetime.fromtimestamp(info.st_mtime, UTC)
                    found.append(RemoteFile(entry.name, info.st_size, mtime))
        return sorted(found, key=lambda remote: remote.name)

    def fetch(self, folder: str, name: str, *, expected_size: int | None = None) -> FetchedFile:
        path = self._dir(folder) / validate_name(name)
        with _os_errors(f"fetching {name!r} from {folder!r}"):
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY)
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise RemotePathError(f"{name!r} in {folder!r} is not a regular file")
                data = handle.read()
        if len(data) != info.st_size:
            raise IntegrityError(f"{name!r}: read {len(data)} bytes, size is {info.st_size}: file changing")
        if expected_size is not None and len(data) != expected_size:
            raise IntegrityError(f"{name!r}: read {len(data)} bytes, listing said {expected_size}")
        return FetchedFile(name, data, len(data), hashlib.sha256(data).hexdigest())

    def put(self, folder: str, name: str, data: bytes) -> str:
        directory = self._dir(folder)
        final = directory / validate_name(name)
        temporary = directory / temporary_name(name)
        digest = hashlib.sha256(data).hexdigest()
        with _os_errors(f"storing {name!r} in {folder!r}"):
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o644)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                written = os.stat(temporary).st_size
                if written != len(data):
                    raise IntegrityError(f"{name!r}: wrote {written} bytes of {len(data)}")
                os.replace(temporary, final)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            _fsync_dir(directory)
        return digest

    def archive(self, folder: str, name: str, archive_folder: str) -> str:
        directory = self._dir(folder)
        source = directory / validate_name(name)
        target_dir = self._dir(archive_folder)
        with _os_errors(f"archiving {name!r} from {folder!r} to {archive_folder!r}"):
            if not source.is_file() or source.is_symlink():
                os.lstat(source)  # raises FileNotFoundError when missing
                raise RemotePathError(f"{name!r} in {folder!r} is not a regular file")
            target_dir.mkdir(parents=True, exist_ok=True)
            while True:
                archived = unique_name(name, lambda candidate: os.path.lexists(target_dir / candidate))
                try:
                    # link + unlink instead of rename: rename would silently replace a file that
                    # appeared in the archive since we looked (another worker archiving).
                    os.link(source, target_dir / archived, follow_symlinks=False)
                except FileExistsError:
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                        raise
                    # The file system has no hard links: fall back to a checked rename.
                    os.rename(source, target_dir / archived)
                else:
                    os.unlink(source)
                break
            _fsync_dir(target_dir)
            _fsync_dir(directory)
        _log.info("archived %r from %r to %r as %r", name, folder, archive_folder, archived)
        return archived

    def delete(self, folder: str, name: str) -> None:
        directory = self._dir(folder)
        path = directory / validate_name(name)
        with _os_errors(f"deleting {name!r} from {folder!r}"):
            if stat.S_ISDIR(os.lstat(path).st_mode):
                raise RemotePathError(f"{name!r} in {folder!r} is a directory")
            os.unlink(path)
            _fsync_dir(directory)

    def close(self) -> None:
        self._closed = True
