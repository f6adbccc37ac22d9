"""/admin/users does not tell an external admin that an e-mail address has an account in another
organization (issue #12, Low)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from portal.config import Settings
from portal.models import User
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users, post_form


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    app = create_app(Settings(database_url=str(engine.url), secret_key=SECRET), engine=engine)
    return WebWorld(scene, app, users)


def _add(world: WebWorld, email: str) -> str:
    response = post_form(
        world.client("dealer-group"),
        "/admin/users",
        "/admin/users",
        {"name": "Neu", "email": email, "password": "lang-genug-123", "roles": "member"},
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    return str(response.text)  # type: ignore[attr-defined]


def test_an_address_registered_elsewhere_gets_the_same_neutral_answer_as_one_registered_here(
    world: WebWorld,
) -> None:
    elsewhere = _add(world, "supplier-a@example.test")  # a user of another organization
    here = _add(world, "dealer-group@example.test")  # the admin's own address
    assert "already registered" not in elsewhere and "another organization" not in elsewhere
    assert "cannot be used for a new user" in elsewhere and "cannot be used for a new user" in here
    with world.scene.factory() as session:
        count = session.scalar(select(func.count()).select_from(User).where(User.email.like("supplier-a@%")))
        assert count == 1
