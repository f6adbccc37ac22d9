from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.access import Principal
from portal.models import ApiToken
from portal.models.base import utcnow
from portal.security import hash_token
from tests.gql.conftest import Api

VIEWER = "{ viewer { organization { name } } }"


def assert_unauthenticated(api: Api, headers: dict[str, str]) -> None:
    response = api.client.post("/graphql", json={"query": VIEWER}, headers=headers)
    assert response.status_code == 401
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_missing_credentials_are_401_unauthenticated(api: Api) -> None:
    assert_unauthenticated(api, {})


def test_unknown_or_malformed_tokens_are_401(api: Api) -> None:
    assert_unauthenticated(api, {"Authorization": "Bearer ptk_not_a_token"})
    assert_unauthenticated(api, {"Authorization": "Basic dXNlcjpwYXNz"})
    assert_unauthenticated(api, {"Authorization": "Bearer "})


def test_revoked_and_expired_tokens_are_401(api: Api) -> None:
    secret = api.token("supplier-a")
    assert api.ok(VIEWER, as_="supplier-a")["viewer"]["organization"]["name"] == "Supplier A"
    with api.scene.uow() as uow:
        uow.session.execute(
            update(ApiToken).where(ApiToken.token_hash == hash_token(secret)).values(revoked_at=utcnow())
        )
    assert_unauthenticated(api, {"Authorization": f"Bearer {secret}"})
    other = api.token("supplier-b")
    with api.scene.uow() as uow:
        uow.session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_token(other))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert_unauthenticated(api, {"Authorization": f"Bearer {other}"})


def test_successful_call_records_the_tokens_last_use(api: Api) -> None:
    secret = api.token("partner")
    api.ok(VIEWER, as_="partner")
    with api.scene.factory() as session:
        used = session.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == hash_token(secret)))
    assert used is not None and utcnow() - used < timedelta(minutes=1)


def test_session_cookie_principal_is_accepted(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    org = api.scene.orgs["dealer-group"]
    user = Principal(
        org_id=org.id,
        org_kind=org.kind,
        org_ids=frozenset({org.id}),
        roles=frozenset({"admin"}),
        user_id=None,
        name="Ute",
    )
    monkeypatch.setattr("portal.auth.principal_from_session_cookie", lambda connection, session: user)
    response = api.client.post("/graphql", json={"query": "{ viewer { kind name } }"})
    assert response.json() == {
        "data": {"viewer": {"kind": "USER", "name": "Ute"}},
        "extensions": response.json()["extensions"],
    }
