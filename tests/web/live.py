"""A live `portal serve` on 127.0.0.1 against a seeded database, and Debian's Chromium for it
(shared by the browser tests and `make screenshots`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.db import make_engine

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Seconds `portal serve` may take to answer /healthz. Generous: on a loaded machine (parallel workers,
# other jobs) starting the interpreter and importing the app alone has taken more than 30 s; a server
# that cannot start still fails, when it exits or at this deadline.
SERVE_DEADLINE = 180


def require_chromium() -> None:
    """Outside CI a missing Chromium skips the browser tests; under CI=true it fails them."""
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    message = f"{CHROMIUM} is missing: apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(
    database_url: str,
    *,
    secret_key: str = "browser-test-secret-key-0123456789",
    extra_env: dict[str, str] | None = None,
    startup_seconds: float = SERVE_DEADLINE,
) -> Iterator[str]:
    """Start `portal serve` in a subprocess and yield its base URL once /healthz answers (within
    ``startup_seconds``: more on a machine shared with much else)."""
    port = free_port()
    # A data folder of its own (mail outbox, session key file) unless the test names one: the
    # checkout's var/ collected every run's mails, and the crawler and axe visited each of them.
    data_dir = tempfile.mkdtemp(prefix="portal-serve-")
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": secret_key,
        "PORTAL_DATA_DIR": data_dir,
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"portal serve exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
                )
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # polling until the server answers, not a synchronisation sleep
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def private_schema(base_url: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of its own on ``base_url`` (created here, dropped with everything in it
    afterwards), as a URL whose connections work in it: parallel runs on one server never collide."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base_url}{'&' if '?' in base_url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
