"""A real `portal serve` streams a stored EDI file of several chunks to the partner that sent it and
to owner staff, byte for byte with its length announced; another partner gets "not found"."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx
import pytest
from sqlalchemy import Engine

from portal.db import make_sessionmaker, unit_of_work
from portal.exchange import contents
from portal.migrate import upgrade
from portal.models import Direction, ExchangeRecord, Organization, OrgKind, RecordState, User
from portal.security import hash_password
from tests.web.live import serve

PASSWORD = "correct-horse-battery"
DATA = os.urandom(2 * contents.CHUNK + 4321)


@pytest.fixture
def server(empty_engine: Engine, empty_database_url: str) -> Iterator[tuple[str, int]]:
    upgrade(empty_engine)
    with unit_of_work(make_sessionmaker(empty_engine)) as uow:
        orgs = {
            slug: Organization(slug=slug, name=slug.title(), kind=kind)
            for slug, kind in (
                ("owner", OrgKind.OWNER),
                ("nordtec", OrgKind.SUPPLIER),
                ("other", OrgKind.SUPPLIER),
            )
        }
        uow.session.add_all(orgs.values())
        uow.flush()
        for slug, org in orgs.items():
            uow.session.add(
                User(
                    organization_id=org.id,
                    email=f"{slug}@example.test",
                    name=slug.title(),
                    password_hash=hash_password(PASSWORD),
                    roles="admin",
                )
            )
        record = ExchangeRecord(
            organization_id=orgs["nordtec"].id,
            direction=Direction.INBOUND,
            state=RecordState.FAILED,
            filename="DESADV 7/big.edi",
            size=len(DATA),
            sha256=hashlib.sha256(DATA).hexdigest(),
            messages=[],
            error="failed",
        )
        uow.session.add(record)
        uow.flush()
        contents.save(uow.session, record.id, DATA)
        record_id = record.id
    with serve(empty_database_url) as base:
        yield base, record_id


@contextmanager
def _client(base: str, who: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        response = client.post(
            "/login", data={"email": f"{who}@example.test", "password": PASSWORD, "csrf": csrf.group(1)}
        )
        assert response.status_code == 303, response.text
        yield client


def test_the_partner_and_owner_staff_download_the_whole_file_and_another_partner_does_not(
    server: tuple[str, int],
) -> None:
    base, record_id = server
    for who in ("nordtec", "owner"):
        with (
            _client(base, who) as client,
            client.stream("GET", f"/exchange/{record_id}/download") as response,
        ):
            assert response.status_code == 200, who
            assert response.headers["content-length"] == str(len(DATA))
            assert response.headers["content-disposition"] == 'attachment; filename="DESADV7big.edi"'
            received = b"".join(response.iter_bytes())
        assert received == DATA, who
    with _client(base, "other") as client:
        assert client.get(f"/exchange/{record_id}/download").status_code == 404
