"""One unit of work per operation, opened and ended by the endpoint: queries read-only (a
statement that writes is refused), a mutation committed when it succeeded, rolled back otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.access import Principal
from portal.models import ApiToken, Organization, OrgKind
from portal.partners import service as partners
from tests.gql.conftest import Api

USERS = "{ users { name } }"
ISSUE = """mutation($input: IssueApiTokenInput!) {
  issueApiToken(input: $input) { secret userErrors { code message } } }"""


def _as_admin(api: Api, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api.token('owner', 'admin')}"}
    response = api.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200
    return dict(response.json())


def _tokens(api: Api) -> int:
    with api.scene.factory() as session:
        return session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.name == "erp")) or 0


@pytest.mark.parametrize("how", ["statement", "orm"])
def test_a_query_that_writes_fails_and_writes_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    owner = api.scene.orgs["owner"].id

    def sneaky(session: Session, principal: Principal) -> list[Any]:
        if how == "statement":  # past the ORM: refused all the same
            session.execute(update(Organization).where(Organization.id == owner).values(name="Gekapert"))
        else:
            session.add(Organization(slug="sneaky", name="Sneaky", kind=OrgKind.PARTNER))
            session.flush()
        return []

    api.token("owner")  # issued before the patch
    monkeypatch.setattr(partners, "list_users", sneaky)
    [error] = api.errors(USERS)
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    with api.scene.factory() as session:
        assert session.scalar(select(Organization.name).where(Organization.id == owner)) == "Owner"
        assert session.scalar(select(func.count()).select_from(Organization)) == len(api.scene.orgs)


def test_a_mutation_that_succeeds_is_committed_and_one_that_fails_is_rolled_back(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"input": {"name": "erp"}}
    assert _as_admin(api, ISSUE, variables)["data"]["issueApiToken"]["secret"]
    assert _tokens(api) == 1
    real = partners.issue_token

    def half_done(**kwargs: Any) -> partners.IssuedToken:
        real(**kwargs)  # flushed...
        raise RuntimeError("...then a bug")

    monkeypatch.setattr(partners, "issue_token", half_done)
    [error] = _as_admin(api, ISSUE, variables)["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert _tokens(api) == 1


def test_a_conflict_found_at_commit_is_a_graphql_error_and_nothing_is_kept(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = partners.issue_token

    def taken_at_commit(**kwargs: Any) -> partners.IssuedToken:
        issued = real(**kwargs)
        # Not flushed: the unique slug is only found when the endpoint commits.
        kwargs["uow"].session.add(Organization(slug="owner", name="Doppelt", kind=OrgKind.PARTNER))
        return issued

    api.token("owner", "admin")
    monkeypatch.setattr(partners, "issue_token", taken_at_commit)
    body = _as_admin(api, ISSUE, {"input": {"name": "erp"}})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert body["data"] is None
    assert _tokens(api) == 0
