"""A real `portal serve` believes X-Forwarded-Proto only from the proxies in PORTAL_TRUST_PROXY:
HSTS and Secure cookies follow the scheme the trusted proxy reports, and nobody else can fake it."""

from __future__ import annotations

import httpx2 as httpx
import pytest
from sqlalchemy import Engine

from portal.migrate import upgrade
from tests.web.live import serve


@pytest.mark.parametrize(("trust", "expect_https"), [(None, False), ("127.0.0.1", True)])
def test_x_forwarded_proto_counts_only_from_a_trusted_proxy(
    empty_engine: Engine, empty_database_url: str, trust: str | None, expect_https: bool
) -> None:
    upgrade(empty_engine)
    env = {"PORTAL_TRUST_PROXY": trust or ""}
    with serve(empty_database_url, extra_env=env) as base, httpx.Client(base_url=base) as client:
        response = client.get("/login", headers={"x-forwarded-proto": "https"})
        plain = client.get("/login")
    assert response.status_code == 200
    assert ("strict-transport-security" in response.headers) is expect_https
    assert ("; secure" in response.headers["set-cookie"].lower()) is expect_https
    assert "strict-transport-security" not in plain.headers  # plain HTTP never gets HSTS
