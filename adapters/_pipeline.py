"""Several SFTP requests in flight at once, for the small-file path.

paramiko's public SFTP methods wait for each reply before sending the next request, so a small
atomic upload costs five round trips and a download four. The SFTP server answers requests in
the order it receives them (draft-ietf-secsh-filexfer section 6.1 lets it; OpenSSH does), so
requests that do not depend on each other's answers can be sent together: an upload becomes
three round trips (open / writes + fstat + close / rename), a download two (lstat + open / read +
close).

This uses three internals of `paramiko.SFTPClient` that its own `SFTPFile` relies on:
``_async_request(fileobj, type, *args)`` sends a request and routes its reply to
``fileobj._async_response``, ``_read_response()`` reads one reply, ``_convert_status(msg)``
raises the same `IOError` the public methods raise. They have been stable since paramiko 1.x;
`tests/adapters` exercises them against OpenSSH on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paramiko.sftp import (
    CMD_ATTRS,
    CMD_CLOSE,
    CMD_DATA,
    CMD_EXTENDED,
    CMD_FSTAT,
    CMD_HANDLE,
    CMD_LSTAT,
    CMD_OPEN,
    CMD_READ,
    CMD_STATUS,
    CMD_WRITE,
    SFTP_FLAG_CREATE,
    SFTP_FLAG_EXCL,
    SFTP_FLAG_READ,
    SFTP_FLAG_WRITE,
    SFTPError,
    int64,
)
from paramiko.sftp_attr import SFTPAttributes

__all__ = ["Pipeline", "Reply"]

CHUNK = 32768  # paramiko's MAX_REQUEST_SIZE; OpenSSH accepts up to 256 KiB


@dataclass(frozen=True, slots=True)
class Reply:
    kind: int
    message: Any


class Pipeline:
    """Send requests without waiting, then collect every reply in one go."""

    def __init__(self, sftp: Any) -> None:
        self._sftp = sftp
        self._sent: list[int] = []
        self._replies: dict[int, Reply] = {}

    # paramiko calls this for each reply to a request sent with this object as ``fileobj``.
    def _async_response(self, kind: int, message: Any, number: int) -> None:
        self._replies[number] = Reply(kind, message)

    def _send(self, kind: int, *args: object) -> None:
        self._sent.append(self._sftp._async_request(self, kind, *args))

    def lstat(self, path: str) -> None:
        self._send(CMD_LSTAT, path)

    def open_read(self, path: str) -> None:
        self._send(CMD_OPEN, path, SFTP_FLAG_READ, SFTPAttributes())

    def open_new(self, path: str) -> None:
        """Create ``path`` for writing; fails if it exists (O_EXCL)."""
        flags = SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_EXCL
        self._send(CMD_OPEN, path, flags, SFTPAttributes())

    def read(self, handle: bytes, offset: int, length: int) -> None:
        self._send(CMD_READ, handle, int64(offset), length)

    def write(self, handle: bytes, data: bytes) -> None:
        """Write ``data`` from offset 0 in requests of at most `CHUNK` bytes."""
        view = memoryview(data)
        for offset in range(0, len(data), CHUNK):
            self._send(CMD_WRITE, handle, int64(offset), bytes(view[offset : offset + CHUNK]))

    def fstat(self, handle: bytes) -> None:
        self._send(CMD_FSTAT, handle)

    def close(self, handle: bytes) -> None:
        self._send(CMD_CLOSE, handle)

    def posix_rename(self, old: str, new: str) -> None:
        self._send(CMD_EXTENDED, "posix-rename@openssh.com", old, new)

    def wait(self) -> list[Reply]:
        """Every reply, in the order the requests were sent; the pipeline is empty afterwards."""
        while any(number not in self._replies for number in self._sent):
            self._sftp._read_response()
        replies = [self._replies.pop(number) for number in self._sent]
        self._sent.clear()
        return replies

    # -- decoding: each raises the IOError the public paramiko methods would raise -------------

    def status(self, reply: Reply) -> None:
        if reply.kind != CMD_STATUS:
            raise SFTPError(f"expected a status reply, got type {reply.kind}")
        self._sftp._convert_status(reply.message)

    def handle(self, reply: Reply) -> bytes:
        return bytes(self._expect(reply, CMD_HANDLE).get_binary())

    def attributes(self, reply: Reply) -> Any:
        return SFTPAttributes._from_msg(self._expect(reply, CMD_ATTRS))

    def data(self, reply: Reply) -> bytes:
        """The bytes of a read reply; ``b""`` at end of file."""
        if reply.kind == CMD_STATUS:
            try:
                self._sftp._convert_status(reply.message)
            except EOFError:
                return b""
            return b""
        return bytes(self._expect(reply, CMD_DATA).get_string())

    def _expect(self, reply: Reply, kind: int) -> Any:
        if reply.kind == CMD_STATUS:
            self._sftp._convert_status(reply.message)  # raises the server's error
        if reply.kind != kind:
            raise SFTPError(f"expected reply type {kind}, got {reply.kind}")
        return reply.message
