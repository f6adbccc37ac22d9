"""The transport contract over SFTP (paramiko), hardened for partner servers we do not control.

- Host keys are pinned from the profile's known_hosts line(s); an unknown or changed key refuses
  the connection before authentication. Nothing is ever added automatically.
- With a private key configured, only the key is offered; the password is never sent.
- Every phase has a timeout (TCP connect, banner and key exchange, auth, each SFTP request), so a
  stalled server fails within seconds instead of hanging a worker.
- Downloads use paramiko's prefetch and uploads are pipelined: without them a large transfer
  waits one round trip per 32 KiB request. Small files go through `adapters._pipeline`: an
  upload takes three round trips, a download two.
- Transient errors (reset, EOF, timeout) drop the connection and are retried with exponential
  backoff on a fresh one; permanent errors (auth, host key, missing file, permission) are not.
- Uploads go to a hidden temporary name and are renamed over the final name with
  ``posix-rename@openssh.com`` (plain SFTP rename refuses to replace an existing file).
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import hashlib
import logging
import socket
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import paramiko
from paramiko.sftp import SFTPError

from adapters._names import name_problem, temporary_name, unique_name, validate_folder, validate_name
from adapters._pipeline import CHUNK, Pipeline
from adapters._retry import RetryPolicy
from adapters._ssh import Connection, SftpSettings, connect, load_host_keys, load_private_key
from adapters.base import FetchedFile, RemoteFile, Transport
from adapters.errors import (
    AdapterError,
    ConfigurationError,
    ConnectionLost,
    IntegrityError,
    PermanentError,
    PermissionDenied,
    RemoteFileNotFound,
    RemotePathError,
    Timeout,
    TransientError,
)

__all__ = ["SftpSettings", "SftpTransport"]

_log = logging.getLogger("adapters.sftp")
T = TypeVar("T")
# Below these sizes a download is one read request and an upload a burst of pipelined writes
# (see adapters._pipeline); above them paramiko's prefetch and pipelined file do the work.
_SMALL_READ = CHUNK - 1
_SMALL_WRITE = 1024 * 1024


# What paramiko raises for network and server trouble (plus our own errors); anything else is a
# bug and propagates unchanged.
_EXPECTED = (AdapterError, OSError, EOFError, paramiko.SSHException, SFTPError)


def _join(folder: str, name: str) -> str:
    return f"/{name}" if folder == "/" else f"{folder}/{name}"


class SftpTransport(Transport):
    """`Transport` on one SFTP server, over one connection opened on first use and kept open.

    A broken connection is dropped and reopened by the next attempt. ``retry`` bounds the attempts
    per operation; its ``sleep`` is injectable for tests.
    """

    def __init__(self, settings: SftpSettings, *, retry: RetryPolicy | None = None) -> None:
        if settings.private_key is None and settings.password is None:
            raise ConfigurationError("configure a private key or a password")
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self._private_key = (
            load_private_key(settings.private_key, settings.private_key_passphrase)
            if settings.private_key is not None
            else None
        )
        self._host_keys = load_host_keys(settings.known_hosts)
        self._connection: Connection | None = None
        self._stale_temporaries: set[str] = set()
        self._closed = False

    def __repr__(self) -> str:
        s = self.settings
        return f"SftpTransport({s.username}@{s.host}:{s.port})"

    # -- connection handling -------------------------------------------------------------------

    def connect(self) -> None:
        """Open the connection now (otherwise the first operation does). Retried like operations."""
        self._run("connecting", lambda sftp: None)

    def _sftp(self) -> Any:
        if self._connection is None:
            self._connection = connect(self.settings, self._private_key, self._host_keys)
            self._remove_stale_temporaries(self._connection.sftp)
        return self._connection.sftp

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        self._drop()
        self._closed = True

    def _remove_stale_temporaries(self, sftp: Any) -> None:
        """Remove temporary files left behind by uploads whose connection broke."""
        for path in sorted(self._stale_temporaries):
            try:
                sftp.remove(path)
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    _log.warning("could not remove stale temporary upload %r: %s", path, exc)
                    continue
            self._stale_temporaries.discard(path)

    def _error(self, exc: BaseException, what: str) -> AdapterError:
        """The adapter error for ``exc`` raised by paramiko while ``what``."""
        if isinstance(exc, AdapterError):
            return exc
        if isinstance(exc, TimeoutError | socket.timeout):
            return Timeout(f"{what}: no answer within {self.settings.operation_timeout}s")
        alive = self._connection is not None and self._connection.is_alive()
        if not alive or isinstance(exc, EOFError | ConnectionError | paramiko.SSHException):
            return ConnectionLost(f"{what}: connection lost ({exc or type(exc).__name__})")
        if isinstance(exc, OSError):
            if exc.errno == errno.ENOENT:
                return RemoteFileNotFound(f"{what}: no such file or folder")
            if exc.errno in (errno.EACCES, errno.EPERM):
                return PermissionDenied(f"{what}: permission denied")
            return PermanentError(f"{what}: the server reported a failure ({exc})")
        return PermanentError(f"{what}: {exc!r}")

    def _run(self, what: str, operation: Callable[[Any], T]) -> T:
        if self._closed:
            raise RuntimeError("transport is closed")

        def attempt() -> T:
            try:
                return operation(self._sftp())
            except _EXPECTED as exc:
                error = self._error(exc, what)
                if isinstance(error, TransientError):
                    # The SFTP stream may be out of step (a reply still on its way): never reuse it.
                    self._drop()
                if error is exc:
                    raise
                raise error from exc
            except BaseException:
                self._drop()  # a bug or an interrupt mid-request: the stream state is unknown
                raise

        return self.retry.run(attempt)

    # -- the contract --------------------------------------------------------------------------

    def list(self, folder: str) -> builtins.list[RemoteFile]:
        directory = validate_folder(folder)

        def operation(sftp: Any) -> builtins.list[RemoteFile]:
            found: builtins.list[RemoteFile] = []
            for attributes in sftp.listdir_attr(directory):
                name = attributes.filename
                problem = name_problem(name)
                if problem is not None:
                    level = logging.DEBUG if name.startswith(".") else logging.WARNING
                    _log.log(level, "skipping %r in %r: %s", name, folder, problem)
                    continue
                if attributes.st_mode is None or not stat.S_ISREG(attributes.st_mode):
                    continue
                mtime = datetime.fromtimestamp(attributes.st_mtime or 0, UTC)
                found.append(RemoteFile(name, int(attributes.st_size or 0), mtime))
            return sorted(found, key=lambda remote: remote.name)

        return self._run(f"listing {folder!r}", operation)

    def fetch(self, folder: str, name: str, *, expected_size: int | None = None) -> FetchedFile:
        path = _join(validate_folder(folder), validate_name(name))

        def operation(sftp: Any) -> FetchedFile:
            # lstat, not stat: a symbolic link is not a file of this folder. Sent together with
            # the open; a handle we do not want is closed again.
            pipeline = Pipeline(sftp)
            pipeline.lstat(path)
            pipeline.open_read(path)
            lstat_reply, open_reply = pipeline.wait()
            try:
                attributes = pipeline.attributes(lstat_reply)
            except BaseException:
                with contextlib.suppress(Exception):  # the lstat error is the one to report
                    _close_handle(pipeline, pipeline.handle(open_reply))
                raise
            handle = pipeline.handle(open_reply)
            if attributes.st_mode is None or not stat.S_ISREG(attributes.st_mode):
                _close_handle(pipeline, handle)
                raise RemotePathError(f"{name!r} in {folder!r} is not a regular file")
            size = int(attributes.st_size or 0)
            if size < _SMALL_READ:
                # One read for one byte more than announced, sent with the close: a single round
                # trip that also notices a file that grew since the lstat.
                pipeline.read(handle, 0, size + 1)
                pipeline.close(handle)
                read_reply, close_reply = pipeline.wait()
                data = pipeline.data(read_reply)
                pipeline.status(close_reply)
            else:
                with paramiko.SFTPFile(sftp, handle, "rb") as remote:
                    remote.prefetch(size)
                    # Read to EOF, not `size` bytes: paramiko's sized read is quadratic in the
                    # size, and reading to EOF notices a file that grew since the lstat.
                    data = remote.read()
            if len(data) != size:
                raise IntegrityError(f"{name!r}: read {len(data)} bytes, size is {size}: file changing")
            if expected_size is not None and size != expected_size:
                raise IntegrityError(f"{name!r}: size {size}, listing said {expected_size}")
            return FetchedFile(name, data, size, hashlib.sha256(data).hexdigest())

        return self._run(f"fetching {name!r} from {folder!r}", operation)

    def put(self, folder: str, name: str, data: bytes) -> str:
        directory = validate_folder(folder)
        final = _join(directory, validate_name(name))
        digest = hashlib.sha256(data).hexdigest()

        def operation(sftp: Any) -> str:
            temporary = _join(directory, temporary_name(name))
            self._stale_temporaries.add(temporary)
            try:
                if len(data) <= _SMALL_WRITE:
                    written = _upload_small(sftp, temporary, data)
                else:
                    written = _upload_large(sftp, temporary, data)
                if written != len(data):
                    raise IntegrityError(f"{name!r}: server has {written} bytes of {len(data)}")
                sftp.posix_rename(temporary, final)
            except BaseException:
                if self._connection is not None and self._connection.is_alive():
                    try:
                        sftp.remove(temporary)
                    except Exception as exc:
                        _log.debug("could not remove %r after a failed upload: %r", temporary, exc)
                    else:
                        self._stale_temporaries.discard(temporary)
                raise
            self._stale_temporaries.discard(temporary)
            return digest

        return self._run(f"storing {name!r} in {folder!r}", operation)

    def archive(self, folder: str, name: str, archive_folder: str) -> str:
        source = _join(validate_folder(folder), validate_name(name))
        target_dir = validate_folder(archive_folder)

        def exists(sftp: Any, path: str) -> bool:
            try:
                sftp.lstat(path)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    return False
                raise
            return True

        def operation(sftp: Any) -> str:
            attributes = sftp.lstat(source)
            if attributes.st_mode is None or not stat.S_ISREG(attributes.st_mode):
                raise RemotePathError(f"{name!r} in {folder!r} is not a regular file")
            self._make_folders(sftp, target_dir, exists)
            while True:
                archived = unique_name(name, lambda candidate: exists(sftp, _join(target_dir, candidate)))
                try:
                    # Plain SFTP rename never replaces: a name taken meanwhile fails, we pick another.
                    sftp.rename(source, _join(target_dir, archived))
                except OSError:
                    if exists(sftp, _join(target_dir, archived)) and exists(sftp, source):
                        continue
                    raise
                return archived

        archived = self._run(f"archiving {name!r} from {folder!r} to {archive_folder!r}", operation)
        _log.info("archived %r from %r to %r as %r", name, folder, archive_folder, archived)
        return archived

    @staticmethod
    def _make_folders(sftp: Any, folder: str, exists: Callable[[Any, str], bool]) -> None:
        prefix = "/" if folder.startswith("/") else ""
        path = ""
        for part in folder.strip("/").split("/"):
            path = f"{path}/{part}" if path else f"{prefix}{part}"
            if part in ("", ".") or exists(sftp, path):
                continue
            try:
                sftp.mkdir(path)
            except OSError:
                if not exists(sftp, path):  # another worker may have created it meanwhile
                    raise

    def delete(self, folder: str, name: str) -> None:
        path = _join(validate_folder(folder), validate_name(name))

        calls = 0

        def operation(sftp: Any) -> None:
            nonlocal calls
            calls += 1
            try:
                attributes = sftp.lstat(path)
            except OSError as exc:
                if exc.errno == errno.ENOENT and calls > 1:
                    return  # the attempt whose connection broke did remove it
                raise
            if stat.S_ISDIR(attributes.st_mode or 0):
                raise RemotePathError(f"{name!r} in {folder!r} is a directory")
            sftp.remove(path)

        self._run(f"deleting {name!r} from {folder!r}", operation)


def _close_handle(pipeline: Pipeline, handle: bytes) -> None:
    pipeline.close(handle)
    pipeline.status(pipeline.wait()[0])


def _upload_small(sftp: Any, path: str, data: bytes) -> int:
    """Create ``path`` with ``data`` in two round trips; return the size the server reports.

    The writes, an fstat and the close travel together: the server processes them in order, so
    the fstat sees every write. Every reply is checked; the first error is raised.
    """
    pipeline = Pipeline(sftp)
    pipeline.open_new(path)
    handle = pipeline.handle(pipeline.wait()[0])
    pipeline.write(handle, data)
    pipeline.fstat(handle)
    pipeline.close(handle)
    *write_replies, fstat_reply, close_reply = pipeline.wait()
    for reply in write_replies:
        pipeline.status(reply)
    size = int(pipeline.attributes(fstat_reply).st_size or 0)
    pipeline.status(close_reply)
    return size


def _upload_large(sftp: Any, path: str, data: bytes) -> int:
    """Create ``path`` with ``data`` through paramiko's pipelined file; return the server's size."""
    with sftp.open(path, "wbx") as remote:
        remote.set_pipelined(True)
        remote.write(data)
        remote.flush()
        # The server answers in order: this fstat returns after every write was processed.
        # close() then re-raises any write the server refused.
        return int(remote.stat().st_size or 0)
