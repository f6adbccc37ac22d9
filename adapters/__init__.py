"""Transports that move partner files: SFTP (paramiko) and a local folder.

Bytes only: this package knows nothing about EDI, partners or the database, and never imports
``portal`` or ``edi``. The contract is `Transport` (see `adapters.base`); errors are the tree in
`adapters.errors`.
"""

from __future__ import annotations

from adapters._names import DEFAULT_IGNORE_PATTERNS
from adapters._retry import RetryPolicy
from adapters.base import FetchedFile, RemoteFile, Transport
from adapters.errors import (
    AdapterError,
    AuthenticationFailed,
    ConfigurationError,
    ConnectionLost,
    HostKeyMismatch,
    IntegrityError,
    PermanentError,
    PermissionDenied,
    RemoteFileNotFound,
    RemotePathError,
    Timeout,
    TransientError,
    UnknownHostKey,
)
from adapters.folder import FolderTransport
from adapters.sftp import SftpSettings, SftpTransport

__all__ = [
    "DEFAULT_IGNORE_PATTERNS",
    "AdapterError",
    "AuthenticationFailed",
    "ConfigurationError",
    "ConnectionLost",
    "FetchedFile",
    "FolderTransport",
    "HostKeyMismatch",
    "IntegrityError",
    "PermanentError",
    "PermissionDenied",
    "RemoteFile",
    "RemoteFileNotFound",
    "RemotePathError",
    "RetryPolicy",
    "SftpSettings",
    "SftpTransport",
    "Timeout",
    "TransientError",
    "Transport",
    "UnknownHostKey",
]
