"""A real `portal serve` refuses a streamed (chunked) upload early: a logged-out session before
reading any of it, a valid session as soon as the body passes the route's limit, and the
temporary folder never holds more than the limit (issue #12.6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine

from portal.db import make_sessionmaker, unit_of_work
from portal.migrate import upgrade
from portal.models import Organization, OrgKind, User
from portal.security import hash_password
from tests.web.live import serve

PASSWORD = "correct-horse-battery"
LIMIT = 256 * 1024  # PORTAL_MAX_ATTACHMENT_BYTES for this server
CAP = 4 * LIMIT + 64 * 1024  # what the attachment route reads at most
TOTAL = 48 * 1024 * 1024  # what the client would send
CHUNK = 64 * 1024
BOUNDARY = "----portal-test-boundary"


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


class Upload:
    """A chunked multipart body that counts what the server took and watches the spool folder."""

    def __init__(self, csrf: str, spool: Path) -> None:
        self.csrf, self.spool = csrf, spool
        self.sent = 0
        self.largest_spool = 0

    def __iter__(self) -> Iterator[bytes]:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{self.csrf}\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        yield head
        chunk = b"x" * CHUNK
        while self.sent < TOTAL:
            self.largest_spool = max(self.largest_spool, _folder_size(self.spool))
            self.sent += len(chunk)
            yield chunk
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def server(empty_engine: Engine, empty_database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    upgrade(empty_engine)
    with unit_of_work(make_sessionmaker(empty_engine)) as uow:
        org = Organization(slug="acme", name="Acme", kind=OrgKind.DEALER)
        uow.session.add(org)
        uow.flush()
        uow.session.add(
            User(
                organization_id=org.id,
                email="dealer@example.test",
                name="Dealer",
                password_hash=hash_password(PASSWORD),
                roles="admin",
            )
        )
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {"PORTAL_MAX_ATTACHMENT_BYTES": str(LIMIT), "TMPDIR": str(spool)}
    with serve(empty_database_url, extra_env=env) as base:
        yield base, spool


def _login(client: httpx.Client) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = client.post(
        "/login", data={"email": "dealer@example.test", "password": PASSWORD, "csrf": csrf.group(1)}
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    token = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert token
    return token.group(1)


def _post(client: httpx.Client, base: str, upload: Upload) -> httpx.Response:
    return client.post(
        f"{base}/cases/1/attachments",
        content=upload,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


def test_a_chunked_upload_from_a_logged_out_session_is_refused_before_it_is_read(
    server: tuple[str, Path],
) -> None:
    base, spool = server
    with httpx.Client(base_url=base, timeout=60) as client:
        csrf = _login(client)
        logged_in_cookies = dict(client.cookies)
        assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    with httpx.Client(base_url=base, timeout=60, cookies=logged_in_cookies) as stale:
        upload = Upload(csrf, spool)
        response = _post(stale, base, upload)
    assert response.status_code in (303, 403)
    assert "/cases/1" not in response.headers.get("location", "")
    assert upload.sent < 16 * 1024 * 1024, f"the server took {upload.sent} bytes"
    assert upload.largest_spool == 0


def test_a_chunked_upload_over_the_limit_is_cut_off_at_the_limit(server: tuple[str, Path]) -> None:
    base, spool = server
    with httpx.Client(base_url=base, timeout=60) as client:
        csrf = _login(client)
        upload = Upload(csrf, spool)
        response = _post(client, base, upload)
    assert response.status_code == 413
    # It read up to the cap (the session was good), then stopped taking the body.
    assert CAP <= upload.sent < 16 * 1024 * 1024, f"the server took {upload.sent} bytes"
    assert upload.largest_spool <= CAP
    assert _folder_size(spool) == 0  # and the spooled part is gone
