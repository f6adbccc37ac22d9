"""SFTP-specific behaviour against a real OpenSSH sshd: pinning, auth, timeouts, drops, retries."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paramiko
import pytest

from adapters import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionLost,
    HostKeyMismatch,
    SftpSettings,
    SftpTransport,
    Timeout,
    TransientError,
    UnknownHostKey,
)
from tests.adapters.conftest import RecordingSleep, make_settings, paramiko_threads, wait_until
from tests.adapters.sshd import SshdInfo

pytestmark = pytest.mark.sftp

Factory = Callable[..., SftpTransport]


def assert_no_paramiko_thread_remains() -> None:
    assert wait_until(lambda: not paramiko_threads(), timeout=5.0), paramiko_threads()


def known_hosts_for_port(sshd: SshdInfo, port: int) -> str:
    return sshd.known_hosts_line.replace(f"[127.0.0.1]:{sshd.port} ", f"[127.0.0.1]:{port} ", 1)


def public_key_b64(path: Path) -> str:
    return path.with_suffix(".pub").read_text().split()[1]


class LogWindow:
    """The part of the sshd log written while the ``with`` block ran."""

    def __init__(self, log_path: Path) -> None:
        self._path = log_path
        self.text = ""

    def __enter__(self) -> LogWindow:
        self._start = self._path.stat().st_size
        return self

    def __exit__(self, *exc: object) -> None:
        with self._path.open("rb") as log:
            log.seek(self._start)
            self.text = log.read().decode(errors="replace")


@contextlib.contextmanager
def silent_server(greeting: bytes | None) -> Iterator[list[socket.socket]]:
    """A TCP server on 127.0.0.1 that accepts, optionally sends ``greeting``, then says nothing.

    Yields the list of accepted connections; the listening port is ``server.port``.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(connection)
            if greeting:
                connection.sendall(greeting)

    thread = threading.Thread(target=serve, name="silent-server")
    thread.start()
    silent_server.port = listener.getsockname()[1]  # type: ignore[attr-defined]
    try:
        yield accepted
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def test_wrong_host_key_raises_mismatch_before_sending_credentials(
    sshd: SshdInfo, sftp_factory: Factory, sleeps: RecordingSleep
) -> None:
    impostor = f"[127.0.0.1]:{sshd.port} ssh-ed25519 {public_key_b64(sshd.client_key_path)}"
    transport = sftp_factory(known_hosts=impostor)
    with LogWindow(sshd.log_path) as log, pytest.raises(HostKeyMismatch):
        transport.put(".", "never-uploaded.edi", b"secret")
    assert not (sshd.data_dir / "never-uploaded.edi").exists()
    assert "userauth-request" not in log.text
    assert sleeps.delays == []  # permanent: not retried
    assert_no_paramiko_thread_remains()


def test_unknown_host_is_refused_without_connecting(
    sshd: SshdInfo, sftp_factory: Factory, sleeps: RecordingSleep
) -> None:
    # The same key pinned for the default port does not cover a non-standard port.
    plain_entry = f"127.0.0.1 ssh-ed25519 {sshd.known_hosts_line.split()[2]}"
    transport = sftp_factory(known_hosts=plain_entry)
    with LogWindow(sshd.log_path) as log, pytest.raises(UnknownHostKey):
        transport.list(".")
    assert "Connection from" not in log.text
    assert sleeps.delays == []


def test_hashed_known_hosts_entry_pins_the_host(sshd: SshdInfo, sftp_factory: Factory) -> None:
    hashed = paramiko.HostKeys.hash_host(f"[127.0.0.1]:{sshd.port}")
    (sshd.data_dir / "hashed.edi").write_bytes(b"ok")
    transport = sftp_factory(known_hosts=f"# pinned\n{hashed} ssh-ed25519 {sshd.known_hosts_line.split()[2]}")
    assert "hashed.edi" in [f.name for f in transport.list(".")]


def test_host_pinned_by_its_rsa_key_is_asked_for_that_key(sshd: SshdInfo, sftp_factory: Factory) -> None:
    # The server also has an ed25519 key, which paramiko would prefer; the pin decides.
    (sshd.data_dir / "rsa-pinned.edi").write_bytes(b"ok")
    transport = sftp_factory(known_hosts=sshd.rsa_known_hosts_line)
    assert "rsa-pinned.edi" in [f.name for f in transport.list(".")]


def test_wrong_client_key_fails_authentication_without_retry(
    sshd: SshdInfo, sftp_factory: Factory, sleeps: RecordingSleep, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    transport = sftp_factory(private_key=str(stranger), password="would-be-secret")
    with LogWindow(sshd.log_path) as log, pytest.raises(AuthenticationFailed):
        transport.list(".")
    assert sleeps.delays == []
    assert "method publickey" in log.text
    assert "method password" not in log.text  # a configured key means the password is never sent
    assert_no_paramiko_thread_remains()


def test_password_refused_by_server_fails_authentication_without_retry(
    sftp_factory: Factory, sleeps: RecordingSleep
) -> None:
    transport = sftp_factory(private_key=None, password="not-accepted-here")  # sshd: publickey only
    with pytest.raises(AuthenticationFailed):
        transport.list(".")
    assert sleeps.delays == []
    assert_no_paramiko_thread_remains()


def test_private_key_given_as_text_authenticates(sshd: SshdInfo, sftp_factory: Factory) -> None:
    (sshd.data_dir / "text-key.edi").write_bytes(b"ok")
    transport = sftp_factory(private_key=sshd.client_key_path.read_text())
    assert "text-key.edi" in [f.name for f in transport.list(".")]


def test_encrypted_private_key_needs_its_passphrase(sshd: SshdInfo, tmp_path: Path) -> None:
    key = tmp_path / "encrypted_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-a", "2", "-N", "s3cret", "-f", str(key)], check=True
    )
    with pytest.raises(ConfigurationError, match="passphrase"):
        SftpTransport(make_settings(sshd, private_key=key.read_text()))
    for given in (str(key), key.read_text()):  # a path and the key text
        SftpTransport(make_settings(sshd, private_key=given, private_key_passphrase="s3cret")).close()
    with pytest.raises(ConfigurationError):
        SftpTransport(make_settings(sshd, private_key=str(key), private_key_passphrase="wrong"))


@pytest.mark.parametrize(
    "known_hosts", ["", "# only a comment", "not a known_hosts line", "@revoked * ssh-ed25519 AAAA"]
)
def test_unusable_known_hosts_is_a_configuration_error(sshd: SshdInfo, known_hosts: str) -> None:
    with pytest.raises(ConfigurationError):
        SftpTransport(make_settings(sshd, known_hosts=known_hosts))


def test_settings_without_any_credential_are_refused(sshd: SshdInfo) -> None:
    with pytest.raises(ConfigurationError):
        SftpTransport(make_settings(sshd, private_key=None, password=None))


def test_settings_repr_hides_secrets() -> None:
    settings = SftpSettings(
        host="sftp.example.com", username="acme", known_hosts="x", private_key="KEYTEXT", password="PW"
    )
    assert "KEYTEXT" not in repr(settings)
    assert "PW" not in repr(settings)
    assert settings.host_key_name == "sftp.example.com"
    assert SftpSettings(host="h", port=2222, username="u", known_hosts="x").host_key_name == "[h]:2222"


@pytest.mark.parametrize(
    "greeting",
    [None, b"SSH-2.0-OpenSSH_9.2\r\n"],
    ids=["no-banner", "banner-then-silence"],
)
def test_stalled_server_fails_with_timeout_within_seconds(
    sshd: SshdInfo, sftp_factory: Factory, greeting: bytes | None
) -> None:
    with silent_server(greeting) as accepted:
        port: int = silent_server.port  # type: ignore[attr-defined]
        transport = sftp_factory(
            attempts=1, port=port, known_hosts=known_hosts_for_port(sshd, port), banner_timeout=1.0
        )
        started = time.monotonic()
        with pytest.raises(Timeout):
            transport.list(".")
        elapsed = time.monotonic() - started
        assert len(accepted) == 1
    assert elapsed < 4.0
    assert_no_paramiko_thread_remains()


def test_transient_failures_are_retried_with_exponential_backoff(
    sshd: SshdInfo, sftp_factory: Factory, sleeps: RecordingSleep
) -> None:
    with silent_server(None) as accepted:
        port: int = silent_server.port  # type: ignore[attr-defined]
        transport = sftp_factory(
            attempts=4, port=port, known_hosts=known_hosts_for_port(sshd, port), banner_timeout=0.3
        )
        with pytest.raises(Timeout):
            transport.list(".")
        assert len(accepted) == 4
    assert sleeps.delays == [0.01, 0.02, 0.04]
    assert_no_paramiko_thread_remains()


def test_refused_connection_is_transient(
    sshd: SshdInfo, sftp_factory: Factory, sleeps: RecordingSleep
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    transport = sftp_factory(
        attempts=2, port=closed_port, known_hosts=known_hosts_for_port(sshd, closed_port)
    )
    with pytest.raises(ConnectionLost):
        transport.list(".")
    assert len(sleeps.delays) == 1


def test_stalled_session_fails_with_timeout(sshd: SshdInfo, sftp_factory: Factory) -> None:
    (sshd.data_dir / "stalled.edi").write_bytes(b"x")
    transport = sftp_factory(attempts=1, operation_timeout=1.0)
    transport.connect()
    assert sshd.signal_sessions(signal.SIGSTOP) > 0
    try:
        started = time.monotonic()
        with pytest.raises(Timeout):
            transport.fetch(".", "stalled.edi")
        assert time.monotonic() - started < 4.0
    finally:
        sshd.kill_sessions()
    assert_no_paramiko_thread_remains()


def _upload_in_thread(
    transport: SftpTransport, folder: str, name: str, data: bytes
) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def upload() -> None:
        try:
            outcome["digest"] = transport.put(folder, name, data)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=upload)
    thread.start()
    return thread, outcome


def _partial_upload_visible(folder: Path, name: str) -> bool:
    for entry in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if entry.name.startswith(f".{name}.part-") and entry.stat().st_size > 0:
                return True
    return False


@pytest.fixture
def upload_folder(sshd: SshdInfo, request: pytest.FixtureRequest) -> Path:
    folder = sshd.data_dir / f"drop-{request.node.name[:40]}".replace("[", "-").replace("]", "")
    folder.mkdir()
    return folder


def test_connection_dropped_mid_upload_is_transient_and_leaves_no_file_under_final_name(
    sshd: SshdInfo, sftp_factory: Factory, upload_folder: Path
) -> None:
    transport = sftp_factory(attempts=1)
    transport.connect()
    thread, outcome = _upload_in_thread(transport, upload_folder.name, "big.bin", os.urandom(48 * 2**20))
    assert wait_until(lambda: _partial_upload_visible(upload_folder, "big.bin"))
    assert sshd.kill_sessions() > 0
    thread.join(30)
    assert isinstance(outcome.get("error"), TransientError), outcome
    assert not (upload_folder / "big.bin").exists()
    assert_no_paramiko_thread_remains()


def test_upload_interrupted_by_dropped_connection_is_retried_to_completion(
    sshd: SshdInfo, sftp_factory: Factory, sleeps: RecordingSleep, upload_folder: Path
) -> None:
    data = os.urandom(48 * 2**20)
    transport = sftp_factory(attempts=3)
    transport.connect()
    thread, outcome = _upload_in_thread(transport, upload_folder.name, "big.bin", data)
    assert wait_until(lambda: _partial_upload_visible(upload_folder, "big.bin"))
    assert sshd.kill_sessions() > 0
    thread.join(60)
    assert outcome.get("digest") == hashlib.sha256(data).hexdigest(), outcome
    assert len(sleeps.delays) == 1
    assert (upload_folder / "big.bin").read_bytes() == data
    # The reconnect removed the temporary file the broken attempt left behind.
    assert [entry.name for entry in upload_folder.iterdir()] == ["big.bin"]


def test_five_megabyte_round_trip_keeps_sha256(sshd: SshdInfo, sftp_factory: Factory) -> None:
    data = os.urandom(5 * 2**20)
    transport = sftp_factory()
    digest = transport.put(".", "five-mb.bin", data)
    fetched = transport.fetch(".", "five-mb.bin", expected_size=len(data))
    assert fetched.sha256 == digest == hashlib.sha256(data).hexdigest()
    assert fetched.data == data
    assert hashlib.sha256((sshd.data_dir / "five-mb.bin").read_bytes()).hexdigest() == digest


def test_one_connection_serves_many_operations(sshd: SshdInfo, sftp_factory: Factory) -> None:
    transport = sftp_factory()
    with LogWindow(sshd.log_path) as log:
        for number in range(20):
            transport.put(".", f"many-{number}.edi", b"x")
    # sshd logs the accepted key before it answers the first SFTP request.
    assert log.text.count("Accepted publickey") == 1
