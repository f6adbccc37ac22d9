"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) and a real webhook receiver
process on loopback (tests/notify/webhook_receiver.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from portal.config import Settings
from tests.notify.smtp import SmtpServer, smtp_server
from tests.web.conftest import world  # noqa: F401 - the web portal on the scene, for the page tests


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_settings(smtp: SmtpServer, tmp_path: Path) -> Settings:
    return Settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        mail_from="Portal <portal@portal.example>",
        base_url="https://portal.example",
        data_dir=tmp_path,
        smtp_timeout=5.0,
    )


RECEIVER = Path(__file__).with_name("webhook_receiver.py")


@dataclass
class Receiver:
    port: int
    log: Path
    secrets: Path

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def expect(self, path: str, *keys: str) -> None:
        known = json.loads(self.secrets.read_text()) if self.secrets.exists() else {}
        known[path] = list(keys)
        self.secrets.write_text(json.dumps(known))

    def received(self, path: str | None = None) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        entries = [json.loads(line) for line in self.log.read_text().splitlines() if line]
        return [e for e in entries if path is None or e["path"] == path]


@contextmanager
def running_receiver(folder: Path) -> Iterator[Receiver]:
    """The receiver process, killed at the end."""
    log, secrets = folder / "received.jsonl", folder / "secrets.json"
    proc = subprocess.Popen(
        [sys.executable, str(RECEIVER), str(log), str(secrets)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield Receiver(port, log, secrets)
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with running_receiver(tmp_path) as running:
        yield running
