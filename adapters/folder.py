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
from contextlib import contextmanager, suppress
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


def _fsync_fd(fd: int) -> None:
    os.fsync(fd)


_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class FolderTransport(Transport):
    """`Transport` on the local directory tree below ``root``.

    Nothing below ``root`` is followed when it is a symbolic link: not a folder (``out``,
    ``archive``, every part of a nested folder) and not a file. Each folder is opened component by
    component with ``O_NOFOLLOW | O_DIRECTORY`` relative to the one before, and every file
    operation works relative to the opened folder (``dir_fd``), so a partner who can write its
    root cannot make the worker read or write anywhere else, not even by swapping a folder for a
    link while we work. (``root`` itself comes from the operator's configuration and may be a
    link.) POSIX only."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = Path(root)
        self._closed = False

    def __repr__(self) -> str:
        return f"FolderTransport({str(self._root)!r})"

    @contextmanager
    def _folder(self, folder: str, *, create: bool = False) -> Iterator[int]:
        """An open descriptor of ``folder`` below the root, every component opened without
        following links; `RemotePathError` when one is a link, `RemoteFileNotFound` when missing."""
        if self._closed:
            raise RuntimeError("transport is closed")
        parts = [part for part in validate_folder(folder).split("/") if part not in ("", ".")]
        fd = os.open(self._root, os.O_RDONLY | _DIRECTORY)
        try:
            for part in parts:
                try:
                    child = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        raise
                    with suppress(FileExistsError):  # another worker created it meanwhile
                        os.mkdir(part, 0o755, dir_fd=fd)
                    child = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                        kind = (
                            "a symbolic link"
                            if stat.S_ISLNK(os.lstat(part, dir_fd=fd).st_mode)
                            else "not a folder"
                        )
                        raise RemotePathError(
                            f"folder {folder!r}: {part!r} is {kind}; refusing to follow it"
                        ) from exc
                    raise
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def ensure_folder(self, folder: str) -> None:
        """Create ``folder`` below the root if missing (never through a symbolic link)."""
        with _os_errors(f"creating {folder!r}"), self._folder(folder, create=True):
            pass

    def list(self, folder: str) -> builtins.list[RemoteFile]:
        found: builtins.list[RemoteFile] = []
        with _os_errors(f"listing {folder!r}"), self._folder(folder) as fd, os.scandir(fd) as entries:
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
        validate_name(name)
        with _os_errors(f"fetching {name!r} from {folder!r}"), self._folder(folder) as dir_fd:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _BINARY, dir_fd=dir_fd)
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
        final = validate_name(name)
        temporary = temporary_name(name)
        digest = hashlib.sha256(data).hexdigest()
        with _os_errors(f"storing {name!r} in {folder!r}"), self._folder(folder) as dir_fd:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
            fd = os.open(temporary, flags, 0o644, dir_fd=dir_fd)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                    written = os.fstat(handle.fileno()).st_size
                if written != len(data):
                    raise IntegrityError(f"{name!r}: wrote {written} bytes of {len(data)}")
                # rename never follows a link: a link named like the file is replaced, not written through
                os.replace(temporary, final, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            except BaseException:
                with suppress(FileNotFoundError):
                    os.unlink(temporary, dir_fd=dir_fd)
                raise
            _fsync_fd(dir_fd)
        return digest

    def archive(self, folder: str, name: str, archive_folder: str) -> str:
        validate_name(name)
        what = f"archiving {name!r} from {folder!r} to {archive_folder!r}"
        with (
            _os_errors(what),
            self._folder(folder) as source_fd,
            self._folder(archive_folder, create=True) as target_fd,
        ):
            if not stat.S_ISREG(os.lstat(name, dir_fd=source_fd).st_mode):  # FileNotFoundError: missing
                raise RemotePathError(f"{name!r} in {folder!r} is not a regular file")

            def taken(candidate: str) -> bool:
                try:
                    os.lstat(candidate, dir_fd=target_fd)
                except FileNotFoundError:
                    return False
                return True

            while True:
                archived = unique_name(name, taken)
                try:
                    # link + unlink instead of rename: rename would silently replace a file that
                    # appeared in the archive since we looked (another worker archiving).
                    os.link(name, archived, src_dir_fd=source_fd, dst_dir_fd=target_fd, follow_symlinks=False)
                except FileExistsError:
                    continue
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                        raise
                    # The file system has no hard links: fall back to a checked rename.
                    os.rename(name, archived, src_dir_fd=source_fd, dst_dir_fd=target_fd)
                else:
                    os.unlink(name, dir_fd=source_fd)
                break
            _fsync_fd(target_fd)
            _fsync_fd(source_fd)
        _log.info("archived %r from %r to %r as %r", name, folder, archive_folder, archived)
        return archived

    def delete(self, folder: str, name: str) -> None:
        validate_name(name)
        with _os_errors(f"deleting {name!r} from {folder!r}"), self._folder(folder) as dir_fd:
            if stat.S_ISDIR(os.lstat(name, dir_fd=dir_fd).st_mode):
                raise RemotePathError(f"{name!r} in {folder!r} is a directory")
            os.unlink(name, dir_fd=dir_fd)
            _fsync_fd(dir_fd)

    def close(self) -> None:
        self._closed = True
