"""Fixtures for the web portal: a small scene with users who can log in, and logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal.app import create_app
from portal.config import Settings
from portal.db import unit_of_work
from portal.models import User
from portal.security import hash_password
from portal.web.sessions import SESSION_COOKIE, SessionData, serializer
from tests.builders import Scene, build_scene

PASSWORD = "correct-horse-battery"
SECRET = "test-secret-key-for-the-web-portal-0123456789"
_HASH: list[str] = []


def password_hash() -> str:
    if not _HASH:  # argon2id at 19 MiB costs ~50 ms: hash once per run
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


@dataclass
class WebWorld:
    scene: Scene
    app: Starlette
    users: dict[str, User]

    def client(self, who: str | None = None, **kwargs: object) -> TestClient:
        """A client logged in as ``who``: with a signed session cookie made here, which is what the
        login form issues (the login form itself is tested in test_auth; argon2 is slow on purpose)."""
        client = TestClient(self.app, **kwargs)  # type: ignore[arg-type]
        if who is not None:
            user = self.users[who]
            data = SessionData.new()
            data.login(user.id, 0)
            client.cookies.set(SESSION_COOKIE, serializer(SECRET).dumps(data.payload()))
        return client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post_form(
    client: TestClient, page_url: str, action: str, data: dict[str, str], **kwargs: object
) -> object:
    """Submit a form the way a browser does: the CSRF token comes from the page it is on."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(action, data={"csrf": csrf_of(page.text), **data}, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def add_users(factory: sessionmaker[Session], scene: Scene) -> dict[str, User]:
    users: dict[str, User] = {}
    with unit_of_work(factory) as uow:
        for slug, roles in [
            ("owner", "admin"),
            ("supplier-a", "admin"),
            ("supplier-b", "admin"),
            ("dealer-group", "admin"),
            ("dealer-other", "admin"),
            ("partner", "member"),
        ]:
            user = User(
                organization_id=scene.orgs[slug].id,
                email=f"{slug}@example.test",
                name=f"{slug.title()} User",
                password_hash=password_hash(),
                roles=roles,
            )
            uow.session.add(user)
            users[slug] = user
        uow.flush()
    return users


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:

    scene = build_scene(factory)
    users = add_users(factory, scene)
    app = create_app(Settings(database_url=str(engine.url), secret_key=SECRET), engine=engine)
    return WebWorld(scene, app, users)


@pytest.fixture
def client_as(world: WebWorld) -> Callable[[str], TestClient]:
    return world.client
