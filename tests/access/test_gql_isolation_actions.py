"""The mutations that bring the portal's actions to the API (issue #11.12), and the users and token
lists, as principals of two unrelated organizations: a foreign id answers exactly as a missing id
and writes no event; the lists show nothing of the other organization."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from portal.models import ApiToken, Event
from portal.partners import service as partners
from tests.access.test_gql_isolation import (  # noqa: F401 - tenants is a fixture
    MISSING,
    PAIRS,
    SIDES,
    Tenants,
    _fill,
    tenants,
)
from tests.gql.conftest import Api, gid

ERRORS = "userErrors { field message code }"


def _member_mutations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """name -> (input type, type of the swapped id, input with the id as {ID}); any writer may try."""
    pdf = base64.b64encode(b"%PDF-1.4").decode()
    return {
        "routeOrder": ("RouteOrderInput", "Order", {"order": "{ID}", "supplier": gid("Organization", 1)}),
        "cancelOrder": ("CancelOrderInput", "Order", {"order": "{ID}"}),
        "changeCaseStatus": ("ChangeCaseStatusInput", "Case", {"case": "{ID}", "action": "START"}),
        "addCaseAttachment": (
            "AddCaseAttachmentInput",
            "Case",
            {"case": "{ID}", "filename": "a.pdf", "contentType": "application/pdf", "contentBase64": pdf},
        ),
        "addContact": ("AddContactInput", "Customer", {"customer": "{ID}", "lastName": "X"}),
        "updateContact": ("UpdateContactInput", "Contact", {"contact": "{ID}", "lastName": "X"}),
    }


def _admin_mutations(tmp: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        "addUser": (
            "AddUserInput",
            "Organization",
            {
                "organization": "{ID}",
                "email": "x@example.org",
                "name": "X",
                "password": "lang-genug-1",
                "roles": ["member"],
            },
        ),
        "setUserRoles": ("SetUserRolesInput", "User", {"user": "{ID}", "roles": ["member"]}),
        "setUserActive": ("SetUserActiveInput", "User", {"user": "{ID}", "active": False}),
        "issueApiToken": ("IssueApiTokenInput", "Organization", {"organization": "{ID}", "name": "X"}),
        "createExchangeProfile": (
            "CreateExchangeProfileInput",
            "Organization",
            {"organization": "{ID}", "transport": "FOLDER", "partnerId": "P", "ourId": "O", "root": tmp},
        ),
    }


def _post(api: Api, secret: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {secret}"},
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


def _events(api: Api) -> int:
    with api.scene.factory() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def _foreign_pks(tenants: Tenants, b: str) -> dict[str, int]:  # noqa: F811
    """B's objects, including a user and a token of B's organization."""
    scene = tenants.api.scene
    theirs = tenants.sides[SIDES[b]]
    org = scene.orgs[b]
    tenants.api.token(b)
    with scene.uow() as uow:
        existing = [u for u in partners.list_users(uow.session, scene.p(b)) if u.organization_id == org.id]
        user = existing[0].id if existing else None
        if user is None:
            user = partners.add_user(
                uow=uow,
                principal=scene.p("owner"),
                organization_id=org.id,
                email=f"staff@{b}.example",
                name=f"Staff {b}",
                password="lang-genug-1",
                roles={"admin"},
            ).id
        token = uow.session.scalar(select(ApiToken.id).where(ApiToken.organization_id == org.id))
    assert token is not None
    return {
        "Order": theirs.order,
        "Case": theirs.case if b.startswith("dealer") else theirs.supplier_case,
        "Customer": theirs.customer,
        "Contact": theirs.contact,
        "Organization": org.id,
        "User": user,
        "ApiToken": token,
    }


def _same_as_missing(hidden: Any, missing: Any, foreign: str, absent: str) -> bool:
    return json.dumps(hidden).replace(foreign, "N") == json.dumps(missing).replace(absent, "N")


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_new_mutations_on_foreign_objects_answer_as_for_missing_ones_and_write_nothing(
    tenants: Tenants,  # noqa: F811
    a: str,
    b: str,
    tmp_path: Any,
) -> None:
    api = tenants.api
    pks = _foreign_pks(tenants, b)
    member, admin = api.token(a), api.token(a, "admin")  # issued before counting events
    before = _events(api)
    plans = [(member, _member_mutations()), (admin, _admin_mutations(str(tmp_path)))]
    for secret, mutations in plans:
        for name, (input_type, type_name, template) in mutations.items():
            query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {ERRORS} }} }}"
            foreign, absent = gid(type_name, pks[type_name]), gid(type_name, MISSING)
            hidden = _post(api, secret, query, {"input": _fill(template, foreign)})[name]
            missing = _post(api, secret, query, {"input": _fill(template, absent)})[name]
            assert hidden["userErrors"], name
            assert _same_as_missing(hidden, missing, foreign, absent), (name, hidden, missing)
    revoke = f"mutation($id: ID!) {{ revokeApiToken(id: $id) {{ {ERRORS} }} }}"
    foreign, absent = gid("ApiToken", pks["ApiToken"]), gid("ApiToken", MISSING)
    hidden = _post(api, admin, revoke, {"id": foreign})["revokeApiToken"]
    missing = _post(api, admin, revoke, {"id": absent})["revokeApiToken"]
    assert hidden["userErrors"][0]["code"] == "NOT_FOUND"
    assert _same_as_missing(hidden, missing, foreign, absent)
    assert _events(api) == before


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_users_and_tokens_lists_show_nothing_of_the_other_organization(
    tenants: Tenants,  # noqa: F811
    a: str,
    b: str,
) -> None:
    api = tenants.api
    pks = _foreign_pks(tenants, b)
    query = "{ users { id organization { id } } apiTokens { id organization { id } } }"
    data = _post(api, api.token(a, "admin"), query, {})
    assert data["apiTokens"], "A sees its own tokens"
    ids = json.dumps(data)
    for type_name in ("User", "ApiToken", "Organization"):
        assert gid(type_name, pks[type_name]) not in ids
    mine = api.scene.orgs[a].id
    assert {t["organization"]["id"] for t in data["apiTokens"]} == {gid("Organization", mine)}
