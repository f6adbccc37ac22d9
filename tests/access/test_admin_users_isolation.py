"""The users list (admin page and its read model) shows only the principal's organizations' users,
whatever the search or organization filter asks for."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from portal.config import Settings
from portal.partners.queries import UserQuery, list_users
from portal.reading import PageRequest
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    app = create_app(Settings(database_url=str(engine.url), secret_key=SECRET), engine=engine)
    return WebWorld(scene, app, users)


def test_a_dealer_admin_never_finds_another_organizations_users(world: WebWorld) -> None:
    client = world.client("dealer-group")
    other = world.scene.orgs["supplier-a"]
    for params in ({"q": "supplier"}, {"q": "example.test"}, {"org": str(other.id)}):
        tree = lxml_html.fromstring(client.get("/admin/users", params=params).text)
        emails = tree.xpath('//td[@data-label="E-mail"]/text()')
        assert "supplier-a@example.test" not in emails, params
    everyone = lxml_html.fromstring(client.get("/admin/users", params={"q": "example.test"}).text)
    assert everyone.xpath('//td[@data-label="E-mail"]/text()') == ["dealer-group@example.test"]


def test_the_users_read_model_applies_the_policy(world: WebWorld) -> None:
    with world.scene.factory() as session:
        dealer = world.scene.p("dealer-group", "admin")
        mine = list_users(session, dealer, UserQuery(), page=PageRequest(first=100)).items
        assert {u.email for u in mine} == {"dealer-group@example.test"}
        foreign = list_users(
            session,
            dealer,
            UserQuery(organization_id=world.scene.orgs["supplier-a"].id),
            page=PageRequest(first=100),
        ).items
        assert foreign == []
        owner = world.scene.p("owner", "admin")
        assert len(list_users(session, owner, page=PageRequest(first=100)).items) == len(world.users)
