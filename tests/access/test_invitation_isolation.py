"""Invitations across organizations: an external admin invites only into its own organizations,
sees only their invitations, and a foreign invitation answers exactly as a missing one (GraphQL and
the users page); members invite nobody."""

from __future__ import annotations

import json
from typing import Any

from lxml import html as lxml_html
from sqlalchemy import func, select

from portal.db import unit_of_work
from portal.models import Invitation, MailMessage
from portal.partners import accounts
from tests.gql.conftest import Api, api, gid, scene  # noqa: F401 - api and scene are fixtures
from tests.web.conftest import WebWorld, csrf_of, world  # noqa: F401 - world is a fixture

INVITE = """mutation($input: InviteUserInput!) {
  inviteUser(input: $input) { invitation { id email organization { id } } userErrors { field message code } }
}"""
RESEND = (
    "mutation($id: ID!) { resendInvitation(id: $id) { invitation { id } userErrors { field message code } } }"
)
REVOKE = (
    "mutation($id: ID!) { revokeInvitation(id: $id) { invitation { id } userErrors { field message code } } }"
)
LIST = "{ invitations { id email organization { id } } }"


def _invite(api: Api, slug: str, email: str, org: str | None = None) -> dict[str, Any]:  # noqa: F811 - the fixture
    variables: dict[str, Any] = {"input": {"email": email, "name": "New Person", "roles": ["member"]}}
    if org is not None:
        variables["input"]["organization"] = org
    response = api.client.post(
        "/graphql",
        json={"query": INVITE, "variables": variables},
        headers={"Authorization": f"Bearer {api.token(slug, 'admin')}"},
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"]["inviteUser"])


def _as(api: Api, slug: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:  # noqa: F811 - the fixture
    response = api.client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {api.token(slug, 'admin')}"},
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


def _counts(api: Api) -> tuple[int, int]:  # noqa: F811 - the fixture
    with api.scene.factory() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Invitation)) or 0),
            int(session.scalar(select(func.count()).select_from(MailMessage)) or 0),
        )


def test_an_admin_invites_into_its_own_organization_by_graphql(api: Api) -> None:  # noqa: F811 - the fixture
    done = _invite(api, "supplier-a", "new@supplier-a.example")
    assert done["userErrors"] == []
    assert done["invitation"]["organization"]["id"] == gid("Organization", api.scene.orgs["supplier-a"].id)
    with api.scene.factory() as session:
        mail = session.scalars(select(MailMessage)).one()
        assert mail.to_address == "new@supplier-a.example" and "/invitation/" in mail.text
        assert mail.template == "invitation"


def test_an_external_admin_cannot_invite_into_another_organization(api: Api) -> None:  # noqa: F811 - the fixture
    before = _counts(api)
    foreign = gid("Organization", api.scene.orgs["supplier-b"].id)
    missing = gid("Organization", 999_999)
    hidden = _invite(api, "supplier-a", "x@example.org", foreign)
    absent = _invite(api, "supplier-a", "x@example.org", missing)
    assert hidden["invitation"] is None and hidden["userErrors"][0]["code"] == "NOT_FOUND"
    assert json.dumps(hidden).replace(foreign, "N") == json.dumps(absent).replace(missing, "N")
    # A dealer group's admin manages its branch, not another dealer.
    branch = _invite(
        api, "dealer-group", "b@example.org", gid("Organization", api.scene.orgs["dealer-branch"].id)
    )
    other = _invite(
        api, "dealer-group", "o@example.org", gid("Organization", api.scene.orgs["dealer-other"].id)
    )
    assert branch["userErrors"] == [] and other["userErrors"][0]["code"] == "NOT_FOUND"
    assert _counts(api) == (before[0] + 1, before[1] + 1)


def test_members_cannot_invite(api: Api) -> None:  # noqa: F811 - the fixture
    response = api.client.post(
        "/graphql",
        json={
            "query": INVITE,
            "variables": {"input": {"email": "m@example.org", "name": "M", "roles": ["member"]}},
        },
        headers={"Authorization": f"Bearer {api.token('supplier-a', 'member')}"},
    )
    errors = response.json()["data"]["inviteUser"]["userErrors"]
    assert errors and errors[0]["code"] == "PERMISSION_DENIED"
    assert _counts(api) == (0, 0)


def test_another_organizations_invitations_are_invisible_and_untouchable(api: Api) -> None:  # noqa: F811 - the fixture
    theirs = _invite(api, "supplier-b", "theirs@supplier-b.example")["invitation"]["id"]
    mine = _invite(api, "supplier-a", "mine@supplier-a.example")["invitation"]["id"]
    listed = _as(api, "supplier-a", LIST)["invitations"]
    assert [i["id"] for i in listed] == [mine]
    owner = {i["id"] for i in _as(api, "owner", LIST)["invitations"]}
    assert {mine, theirs} <= owner
    missing = gid("Invitation", 999_999)
    before = _counts(api)
    for mutation, name in ((RESEND, "resendInvitation"), (REVOKE, "revokeInvitation")):
        hidden = _as(api, "supplier-a", mutation, {"id": theirs})[name]
        absent = _as(api, "supplier-a", mutation, {"id": missing})[name]
        assert hidden["userErrors"][0]["code"] == "NOT_FOUND"
        assert json.dumps(hidden).replace(theirs, "N") == json.dumps(absent).replace(missing, "N")
    assert _counts(api) == before
    with api.scene.factory() as session:
        assert session.scalar(select(func.count()).where(Invitation.revoked_at.is_not(None))) == 0


def test_the_users_page_shows_only_the_own_organizations_invitations(world: WebWorld) -> None:  # noqa: F811 - the fixture
    scene = world.scene  # noqa: F811 - the fixture
    with unit_of_work(scene.factory) as uow:
        for slug in ("supplier-a", "supplier-b"):
            accounts.invite_user(
                uow=uow,
                principal=scene.p(slug),
                organization_id=scene.orgs[slug].id,
                email=f"invited@{slug}.example",
                name=f"Invited {slug}",
                roles={"member"},
                base_url="http://testserver",
            )
    client = world.client("supplier-a")
    page = client.get("/admin/users")
    tree = lxml_html.fromstring(page.text)
    emails = [
        e.strip()
        for e in tree.xpath('//section[@aria-labelledby="h-invitations"]//td[@data-label="E-mail"]/text()')
    ]
    assert emails == ["invited@supplier-a.example"]
    with scene.factory() as session:
        theirs = session.scalars(
            select(Invitation.id).where(Invitation.email == "invited@supplier-b.example")
        ).one()
    for action in ("resend", "revoke"):
        response = client.post(
            f"/admin/invitations/{theirs}/{action}", data={"csrf": csrf_of(page.text)}, follow_redirects=False
        )
        assert response.status_code == 404, action
