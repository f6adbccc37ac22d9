from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import paramiko
import pytest

from adapters import FolderTransport, RetryPolicy, SftpSettings, SftpTransport, Transport
from tests.adapters.sshd import SshdInfo

# No warning filter is needed here: paramiko 5.1 with cryptography 50 imports and runs without
# deprecation warnings (3DES and DSA are gone). If a future combination warns, filter that one
# CryptographyDeprecationWarning by message here rather than weakening `filterwarnings = error`.


class RecordingSleep:
    """Stands in for time.sleep in RetryPolicy: records the delays, returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


def make_settings(sshd: SshdInfo, **overrides: object) -> SftpSettings:
    values: dict[str, object] = {
        "host": sshd.host,
        "port": sshd.port,
        "username": sshd.username,
        "known_hosts": sshd.known_hosts_line + "\n",
        "private_key": str(sshd.client_key_path),
        "connect_timeout": 3.0,
        "banner_timeout": 2.0,
        "auth_timeout": 5.0,
        "operation_timeout": 5.0,
    }
    values.update(overrides)
    return SftpSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def sftp_factory(sshd: SshdInfo, sleeps: RecordingSleep) -> Iterator[Callable[..., SftpTransport]]:
    """Build SftpTransports against the test sshd; all are closed after the test."""
    made: list[SftpTransport] = []

    def factory(*, attempts: int = 3, **overrides: object) -> SftpTransport:
        policy = RetryPolicy(attempts=attempts, base_delay=0.01, jitter=0.0, sleep=sleeps)
        transport = SftpTransport(make_settings(sshd, **overrides), retry=policy)
        made.append(transport)
        return transport

    yield factory
    for transport in made:
        transport.close()


@dataclass
class Remote:
    """A transport plus the local directory that is its folder ``base`` (to look behind its back)."""

    transport: Transport
    base: str
    local: Path

    def folder(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def path(self, *parts: str) -> Path:
        return self.local.joinpath(*parts)


@pytest.fixture(params=["folder", pytest.param("sftp", marks=pytest.mark.sftp)])
def remote(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Remote]:
    """Each transport, with a fresh empty folder ``base`` (contract tests run against both)."""
    base = f"t-{uuid.uuid4().hex[:12]}"
    transport: Transport
    if request.param == "folder":
        root = tmp_path / "root"
        transport = FolderTransport(root)
    else:
        sshd: SshdInfo = request.getfixturevalue("sshd")
        root = sshd.data_dir
        transport = request.getfixturevalue("sftp_factory")()
    (root / base).mkdir(parents=True)
    with transport:
        yield Remote(transport, base, root / base)


def paramiko_threads() -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if isinstance(thread, paramiko.Transport) or thread.name.startswith("adapters-")
    ]


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.005) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; return whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
