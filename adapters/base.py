"""The transport contract: what every way of moving partner files (SFTP, a local folder) offers.

A transport moves bytes between the portal and one remote place. It knows nothing about EDI,
partners or the database. All paths are a *folder* (from configuration; may contain '/') plus a
*name* (a plain file name, never a path). Names are validated everywhere:

- `Transport.list` **skips** entries whose name is unsafe ('/', '\\\\', '..', NUL, control or
  invisible format characters, longer than 255 bytes) and logs a warning for each; hidden names
  (leading '.') are skipped quietly because that is where temporary uploads live. One hostile
  file must not block the rest of a partner's feed, and it is never used as a path.
- every other method **raises** `RemotePathError` when given such a name.

Stable-file rule (`Transport.list_ready`): a file is picked up only when (1) its name matches
none of the ignore patterns (temporary names such as ``.x.part-1a2b``, ``x.part``, ``x.tmp``,
anything hidden), (2) its modification time is at least ``min_age_seconds`` in the past by our
clock, and (3) a second listing ``settle_seconds`` later shows the same size and modification
time. Rule 2 alone trusts the remote clock; rule 3 alone misses a writer that pauses; together a
file still being written is not picked up even when the partner's clock runs behind ours.

Errors are the tree in `adapters.errors`; nothing else escapes a transport.
"""

from __future__ import annotations

import abc
import builtins
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

from adapters._names import DEFAULT_IGNORE_PATTERNS, is_ignored

__all__ = ["FetchedFile", "RemoteFile", "Transport"]


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One regular file in a listing. ``mtime`` is timezone-aware UTC, whole seconds on SFTP."""

    name: str
    size: int
    mtime: datetime


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """The complete content of a fetched file with its size and SHA-256 (lower-case hex)."""

    name: str
    data: bytes
    size: int
    sha256: str

    def __repr__(self) -> str:  # the data can be megabytes: keep it out of logs and tracebacks
        return f"FetchedFile(name={self.name!r}, size={self.size}, sha256={self.sha256!r})"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Transport(abc.ABC):
    """Move whole files to and from one remote place.

    Use as a context manager (``with transport: ...``) or call `close` when done. Instances are
    not thread-safe: give every worker thread its own transport.
    """

    # `list` is the contract's name for the operation, hence `builtins.list` in annotations below.
    @abc.abstractmethod
    def list(self, folder: str) -> builtins.list[RemoteFile]:
        """Regular files in ``folder`` with safe names, sorted by name.

        Directories, symbolic links, devices and unsafe names are left out (see the module
        docstring). Raises `RemoteFileNotFound` when the folder does not exist.
        """

    @abc.abstractmethod
    def fetch(self, folder: str, name: str, *, expected_size: int | None = None) -> FetchedFile:
        """Read the whole file ``folder/name``.

        The number of bytes read must equal the size the server reports for the open file and,
        when given, ``expected_size`` (the size from the listing); otherwise `IntegrityError`
        (the file is still changing, or was replaced since it was listed).
        """

    @abc.abstractmethod
    def put(self, folder: str, name: str, data: bytes) -> str:
        """Store ``data`` as ``folder/name`` atomically and return its SHA-256 (lower-case hex).

        The bytes go to a hidden temporary name (``.name.part-<random>``) first; once its size
        is verified it is renamed over ``name``, replacing an existing file in one step. A reader
        sees the old file or the complete new one, never a partial file under ``name``.
        """

    @abc.abstractmethod
    def archive(self, folder: str, name: str, archive_folder: str) -> str:
        """Move ``folder/name`` into ``archive_folder`` (created if missing); return the archived name.

        An existing file in the archive is never replaced: the name gets a ``-1``, ``-2``, ...
        suffix before the extension until it is free.
        """

    @abc.abstractmethod
    def delete(self, folder: str, name: str) -> None:
        """Remove ``folder/name``. Raises `RemoteFileNotFound` when it does not exist."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection or handles. Idempotent; the transport may not be used after."""

    def list_ready(
        self,
        folder: str,
        *,
        min_age_seconds: float = 60.0,
        settle_seconds: float = 2.0,
        ignore_patterns: Iterable[str] = DEFAULT_IGNORE_PATTERNS,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = _utc_now,
    ) -> builtins.list[RemoteFile]:
        """The files of `list` that are safe to pick up, oldest first (see the stable-file rule).

        ``settle_seconds=0`` skips the second listing; ``min_age_seconds=0`` skips the age rule.
        A file whose modification time lies in the future waits until our clock passes it.
        ``sleep`` and ``now`` exist for tests.
        """
        patterns = tuple(ignore_patterns)
        reference = now()
        candidates = [
            entry
            for entry in self.list(folder)
            if not is_ignored(entry.name, patterns)
            and (reference - entry.mtime).total_seconds() >= min_age_seconds
        ]
        if candidates and settle_seconds > 0:
            sleep(settle_seconds)
            second = {entry.name: entry for entry in self.list(folder)}
            candidates = [entry for entry in candidates if second.get(entry.name) == entry]
        return sorted(candidates, key=lambda entry: (entry.mtime, entry.name))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
