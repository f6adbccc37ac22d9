"""Opening an SSH connection with an SFTP session: pinned host keys, key auth, hard timeouts.

paramiko is untyped; this module is the narrow typed wall around it. Everything paramiko raises
while connecting leaves here as an `AdapterError`, and a failed connect never leaves a paramiko
thread or socket behind.

We drive `paramiko.Transport` directly rather than `SSHClient.connect`: the latter keeps its
transport thread running after a failed connect until someone calls ``close``, lets a negotiation
timeout surface as "No existing session", and would try the password after a failed key.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import paramiko
from paramiko.hostkeys import HostKeyEntry, HostKeys, InvalidHostKey

from adapters.errors import (
    AdapterError,
    AuthenticationFailed,
    ConfigurationError,
    ConnectionLost,
    HostKeyMismatch,
    Timeout,
    UnknownHostKey,
)

__all__ = ["Connection", "SftpSettings", "connect", "load_host_keys", "load_private_key"]

_log = logging.getLogger("adapters.sftp")
_KEY_CLASSES: tuple[Any, ...] = (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey)
# An "ssh-rsa" known_hosts key is negotiated as one of these signature algorithms; OpenSSH >= 8.8
# no longer accepts the SHA-1 one, so preferring plain "ssh-rsa" would get us a different key type.
_ALGORITHMS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


@dataclass(frozen=True)
class SftpSettings:
    """Where and how to connect. Secrets are kept out of ``repr``.

    ``private_key`` is the key itself (PEM or OpenSSH text, ``-----BEGIN ...``) or a path to a key
    file. When a key is configured only the key is offered: ``password`` is then never sent.
    ``known_hosts`` holds one or more OpenSSH known_hosts lines (plain, ``[host]:port`` or hashed);
    they are the only host keys trusted, the system's known_hosts files are never read.
    Timeouts are in seconds: ``connect`` for TCP, ``banner`` for the server's first line and the key
    exchange, ``auth`` for authentication, ``operation`` for opening the SFTP channel and for each
    SFTP request (a stalled transfer fails after this long without progress).
    """

    host: str
    username: str
    known_hosts: str = field(repr=False)
    port: int = 22
    private_key: str | None = field(default=None, repr=False)
    private_key_passphrase: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    connect_timeout: float = 10.0
    banner_timeout: float = 10.0
    auth_timeout: float = 15.0
    operation_timeout: float = 30.0

    @property
    def host_key_name(self) -> str:
        """The name OpenSSH files this host's key under: ``host``, or ``[host]:port`` off port 22."""
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


def load_private_key(key: str, passphrase: str | None) -> Any:
    """Parse ``key`` (key text or a path) into a paramiko key; `ConfigurationError` if impossible."""
    try:
        if "-----BEGIN" not in key:
            secret = passphrase.encode() if passphrase is not None else None  # from_path wants bytes
            return paramiko.PKey.from_path(os.path.expanduser(key.strip()), secret)
        for key_class in _KEY_CLASSES:
            try:
                return key_class.from_private_key(io.StringIO(key), passphrase)
            except paramiko.PasswordRequiredException:
                raise
            except (paramiko.SSHException, ValueError):
                continue
    except paramiko.PasswordRequiredException as exc:
        raise ConfigurationError("the private key is encrypted and no passphrase is configured") from exc
    except (OSError, paramiko.SSHException, ValueError) as exc:
        raise ConfigurationError(f"cannot read the private key: {exc}") from exc
    raise ConfigurationError("cannot read the private key: not an Ed25519, ECDSA or RSA key")


def load_host_keys(known_hosts: str) -> Any:
    """The pinned keys from known_hosts lines as `paramiko.HostKeys`; `ConfigurationError` if invalid."""
    keys = HostKeys()
    for number, raw in enumerate(known_hosts.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            raise ConfigurationError(f"known_hosts line {number}: @cert-authority, @revoked unsupported")
        try:
            entry = HostKeyEntry.from_line(line, lineno=number)
        except (InvalidHostKey, paramiko.SSHException, ValueError) as exc:
            raise ConfigurationError(f"known_hosts line {number} is invalid: {exc}") from exc
        if entry is None or entry.key is None:
            raise ConfigurationError(f"known_hosts line {number} is invalid or has an unsupported key type")
        for hostname in entry.hostnames:
            keys.add(hostname, entry.key.get_name(), entry.key)
    if not len(keys):
        raise ConfigurationError("no host key pinned: known_hosts is empty")
    return keys


class Connection:
    """An authenticated SSH transport with one SFTP session; `close` releases everything."""

    def __init__(self, sock: socket.socket, transport: Any, sftp: Any) -> None:
        self._sock = sock
        self._transport = transport
        self.sftp: Any = sftp

    def is_alive(self) -> bool:
        return bool(self._transport.is_active())

    def close(self) -> None:
        _close_quietly(self._sock, self._transport, self.sftp)


def _close_quietly(sock: socket.socket | None, transport: Any, sftp: Any = None) -> None:
    for closer in (getattr(sftp, "close", None), getattr(transport, "close", None)):
        if closer is not None:
            try:
                closer()
            except Exception as exc:  # closing a broken connection may fail; it is gone either way
                _log.debug("ignoring error while closing: %r", exc)
    if sock is not None:
        # Transport.close() does nothing once the transport is inactive (a failed handshake),
        # so the socket is closed here in every case.
        sock.close()
    if transport is not None and transport.is_alive() and transport is not threading.current_thread():
        transport.join(5.0)


def _is_timeout(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, TimeoutError | socket.timeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class _Watchdog:
    """Closes the transport when the whole connect takes longer than the sum of its timeouts.

    paramiko waits without a timeout in a few places (opening the subsystem, the SFTP version
    exchange); closing the transport wakes every such wait with an error.
    """

    def __init__(self, seconds: float, transport: Any) -> None:
        self.fired = False
        self._transport = transport
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.name = "adapters-sftp-connect-watchdog"
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        self._transport.close()

    def cancel(self) -> None:
        self._timer.cancel()
        if self._timer.is_alive() and self._timer is not threading.current_thread():
            self._timer.join(5.0)


def connect(settings: SftpSettings, private_key: Any, host_keys: Any) -> Connection:
    """Open, verify, authenticate and start SFTP; raise an `AdapterError` on any failure."""
    target = f"{settings.host}:{settings.port}"
    pinned = host_keys.lookup(settings.host_key_name)
    if pinned is None:
        raise UnknownHostKey(f"no pinned host key for {settings.host_key_name}; refusing to connect")
    try:
        sock = socket.create_connection((settings.host, settings.port), timeout=settings.connect_timeout)
    except TimeoutError as exc:
        raise Timeout(f"connecting to {target} timed out after {settings.connect_timeout}s") from exc
    except OSError as exc:
        raise ConnectionLost(f"cannot connect to {target}: {exc}") from exc
    transport: Any = None
    watchdog: _Watchdog | None = None
    phase = "starting SSH"
    try:
        transport = paramiko.Transport(sock)
        transport.banner_timeout = settings.banner_timeout
        transport.handshake_timeout = settings.banner_timeout
        transport.auth_timeout = settings.auth_timeout
        transport.channel_timeout = settings.operation_timeout
        # Offer the pinned key types first so the server presents the key we can compare.
        options = transport.get_security_options()
        wanted = [algorithm for key_type in pinned for algorithm in _ALGORITHMS.get(key_type, (key_type,))]
        preferred = [algorithm for algorithm in wanted if algorithm in options.key_types]
        options.key_types = preferred + [t for t in options.key_types if t not in preferred]
        budget = settings.banner_timeout * 2 + settings.auth_timeout + settings.operation_timeout * 2 + 1.0
        watchdog = _Watchdog(budget, transport)

        phase = "negotiating with"
        # start_client returns quietly when its timeout passes before the key exchange is done.
        transport.start_client(timeout=settings.banner_timeout * 2)
        if not transport.initial_kex_done:
            raise TimeoutError("key exchange did not finish")

        phase = "verifying the host key of"
        server_key = transport.get_remote_server_key()
        expected = pinned.get(server_key.get_name())
        if expected is None or expected != server_key:
            raise HostKeyMismatch(
                f"host key of {settings.host_key_name} is {server_key.get_name()} "
                f"{server_key.fingerprint}, which is not the pinned key; refusing to connect"
            )

        phase = "authenticating to"
        _authenticate(transport, settings, private_key)

        phase = "opening SFTP on"
        channel = transport.open_session(timeout=settings.operation_timeout)
        channel.settimeout(settings.operation_timeout)
        channel.invoke_subsystem("sftp")
        sftp = paramiko.SFTPClient(channel)
        watchdog.cancel()
        return Connection(sock, transport, sftp)
    except BaseException as exc:
        fired = watchdog is not None and watchdog.fired
        if watchdog is not None:
            watchdog.cancel()
        timed_out = (
            fired
            or _is_timeout(exc)
            or bool(transport is not None and transport.packetizer.handshake_timed_out())
        )
        _close_quietly(sock, transport)
        if isinstance(exc, AdapterError):
            raise
        if isinstance(exc, paramiko.IncompatiblePeer):
            raise ConfigurationError(f"{phase} {target}: no common algorithms: {exc}") from exc
        if timed_out:
            raise Timeout(f"{phase} {target} timed out") from exc
        if isinstance(exc, Exception):
            raise ConnectionLost(f"{phase} {target} failed: {exc or type(exc).__name__}") from exc
        raise


def _authenticate(transport: Any, settings: SftpSettings, private_key: Any) -> None:
    who = f"{settings.username}@{settings.host}:{settings.port}"
    try:
        if private_key is not None:
            remaining = transport.auth_publickey(settings.username, private_key)
        elif settings.password is not None:
            remaining = transport.auth_password(settings.username, settings.password)
        else:  # pragma: no cover - SftpTransport refuses such settings
            raise ConfigurationError("no private key and no password configured")
    except paramiko.AuthenticationException as exc:
        if not transport.is_active():
            raise ConnectionLost(f"connection closed while authenticating {who}") from exc
        if "timeout" in str(exc).lower():  # paramiko has no subclass for the auth timeout
            raise Timeout(f"authenticating {who} timed out after {settings.auth_timeout}s") from exc
        raise AuthenticationFailed(f"the server rejected the credentials of {who}") from exc
    if remaining or not transport.is_authenticated():
        raise AuthenticationFailed(f"{who}: the server asks for more factors ({remaining}); unsupported")
