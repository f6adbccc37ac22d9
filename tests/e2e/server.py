"""A real `portal serve` subprocess on a database of its own (SQLite file, or a private schema on
PostgreSQL when PORTAL_TEST_DATABASE_URL is set), seeded with tests.builders' scene, and API tokens
for its organizations. Shared by the e2e tests of the API."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.db import make_engine, make_sessionmaker, unit_of_work
from portal.models import Base
from portal.partners import service as partners
from tests.builders import Scene, build_scene
from tests.web.live import SERVE_DEADLINE, free_port, private_schema

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


@contextmanager
def private_database(tmp: Path) -> Iterator[str]:
    """A URL to an empty database with the portal's tables, removed afterwards."""
    if not PG_URL:
        url = f"sqlite:///{tmp / 'portal.sqlite3'}"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    with private_schema(PG_URL, "e2e") as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url


@dataclass
class World:
    url: str
    engine: Engine
    factory: sessionmaker[Session]
    scene: Scene
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)

    def token(self, slug: str, name: str = "") -> str:
        """A token of ``slug``'s organization; ``name`` tells several of one organization apart."""
        key = f"{slug}:{name}"
        if key not in self.tokens:
            with unit_of_work(self.factory) as uow:
                issued = partners.issue_token(
                    uow=uow,
                    principal=self.scene.p("owner"),
                    organization_id=self.scene.orgs[slug].id,
                    name=f"e2e {key}",
                )
            self.tokens[key] = issued.secret
            self.token_ids[key] = issued.token.id
        return self.tokens[key]

    def revoke(self, slug: str, name: str = "") -> None:
        with unit_of_work(self.factory) as uow:
            partners.revoke_token(
                uow=uow, principal=self.scene.p("owner"), token_id=self.token_ids[f"{slug}:{name}"]
            )


@contextmanager
def world(tmp: Path) -> Iterator[World]:
    with private_database(tmp) as url:
        engine = make_engine(url)
        try:
            factory = make_sessionmaker(engine)
            yield World(url, engine, factory, build_scene(factory))
        finally:
            engine.dispose()


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def portal_serve(
    url: str,
    tmp: Path,
    *,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    secret_key: str | None = "e2e-test-secret-key-0123456789abcdef",
) -> Iterator[Server]:
    """`portal serve` as a subprocess; yields once /healthz answers. Its log goes to a file (a pipe
    nobody reads would fill up and block the server). ``args`` go to `portal serve` (``--workers``);
    ``secret_key=None`` leaves PORTAL_SECRET_KEY unset (the key kept in the data folder is used)."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    # The data folder (mail outbox, session key file, demo exchange folders) is in ``tmp`` unless the
    # test names one: never the checkout's var/, where it would pile up from run to run.
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_DATA_DIR": str(tmp / "data"),
        **(env or {}),
    }
    environment.pop("PORTAL_SECRET_KEY", None)
    if secret_key is not None:
        environment["PORTAL_SECRET_KEY"] = secret_key
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + SERVE_DEADLINE
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"portal serve exited: {server.stderr()}")
            try:
                with urllib.request.urlopen(f"{server.base}/healthz", timeout=1) as response:  # noqa: S310 - our own server
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # polling until the server answers, not a synchronisation sleep
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
