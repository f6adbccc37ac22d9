"""Errors raised by the transport adapters.

Every error a transport raises is an ``AdapterError``; paramiko and ``OSError`` exceptions never
leak to callers (the original is kept as ``__cause__``). The split that matters to a caller is
transient versus permanent: transient errors are worth another attempt later, permanent ones
need a person (wrong key, wrong pin, missing file, no permission)::

    AdapterError
    ├── TransientError              retried by the SFTP transport with exponential backoff
    │   ├── ConnectionLost          refused, reset, EOF, dropped mid-transfer
    │   └── Timeout                 connect, banner, handshake, auth or operation took too long
    └── PermanentError              never retried
        ├── ConfigurationError      settings unusable: unreadable key, bad known_hosts line
        ├── AuthenticationFailed    the server refused our credentials
        ├── HostKeyMismatch         the host is pinned, but presented a different key
        ├── UnknownHostKey          no pinned key for this host (and port)
        ├── RemotePathError         a hostile or invalid name, not a regular file
        │   └── RemoteFileNotFound  the file or folder does not exist
        ├── PermissionDenied        the server (or file system) refused the operation
        └── IntegrityError          size or checksum differs from what was expected
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "AuthenticationFailed",
    "ConfigurationError",
    "ConnectionLost",
    "HostKeyMismatch",
    "IntegrityError",
    "PermanentError",
    "PermissionDenied",
    "RemoteFileNotFound",
    "RemotePathError",
    "Timeout",
    "TransientError",
    "UnknownHostKey",
]


class AdapterError(Exception):
    """Base class of every error raised by a transport."""


class TransientError(AdapterError):
    """The operation may succeed if tried again later (network trouble, a busy server).

    Raised directly (not as a subclass) for local I/O errors that are neither a missing file nor
    a permission problem, e.g. a full disk or an unreachable network file system.
    """


class ConnectionLost(TransientError):
    """The connection could not be opened, or broke: refused, reset, unexpected EOF."""


class Timeout(TransientError):
    """A connect, banner, handshake, authentication or SFTP operation exceeded its timeout."""


class PermanentError(AdapterError):
    """Trying again will not help until someone changes the configuration or the remote side."""


class ConfigurationError(PermanentError):
    """The settings cannot be used: unreadable private key, malformed known_hosts line, no credential."""


class AuthenticationFailed(PermanentError):
    """The server rejected the configured key or password."""


class HostKeyMismatch(PermanentError):
    """The server presented a host key that differs from the pinned one.

    Either the server was reinstalled or someone is in the middle. Nothing was sent: the check runs
    before authentication.
    """


class UnknownHostKey(PermanentError):
    """No pinned host key matches this host name and port; the connection is refused."""


class RemotePathError(PermanentError):
    """A file or folder name is invalid or hostile, or the path is not a regular file."""


class RemoteFileNotFound(RemotePathError):
    """The file or folder does not exist (any more)."""


class PermissionDenied(PermanentError):
    """The server or the local file system refused the operation."""


class IntegrityError(PermanentError):
    """The bytes moved differ in size (or checksum) from what the listing or the upload promised."""
