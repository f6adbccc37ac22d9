"""Prepared exports are a person's (issue #15): another user's export, also one of a colleague in
the same organization or the owner's admin, is absent from "My exports" and answers 404 on
download exactly like an export that does not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.access import permissions, principal_for_user
from portal.app import create_app
from portal.config import Settings
from portal.db import unit_of_work
from portal.errors import NotFound
from portal.exports import get_export, my_exports, request_export, run_exports_once
from portal.models import Export, User
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users, password_hash


@pytest.fixture
def world(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    app = create_app(Settings(database_url=str(engine.url), secret_key=SECRET), engine=engine)
    return WebWorld(scene, app, users)


def _colleague(world: WebWorld, slug: str, roles: str) -> User:
    with unit_of_work(world.scene.factory) as uow:
        user = User(
            organization_id=world.scene.orgs[slug].id,
            email=f"colleague-{slug}@example.test",
            name="Colleague",
            password_hash=password_hash(),
            roles=roles,
        )
        uow.session.add(user)
        uow.flush()
    world.users[f"colleague-{slug}"] = user
    return user


def test_only_the_user_who_asked_sees_and_downloads_an_export(world: WebWorld, engine: Engine) -> None:
    settings = Settings(database_url=str(engine.url), secret_key=SECRET, export_inline_rows=0)
    served = WebWorld(world.scene, create_app(settings, engine=engine), world.users)
    customer = world.scene.customer(shared_with=("dealer-group",))
    world.scene.order(customer, dealer="dealer-group", quantities=(1,))
    world.scene.order(customer, dealer="dealer-group", quantities=(2,))
    _colleague(world, "owner", "admin")
    _colleague(world, "dealer-group", "admin")
    asked: dict[str, int] = {}
    with world.scene.factory() as session:
        for who in ("owner", "dealer-group"):
            principal = principal_for_user(session, session.get_one(User, world.users[who].id))
            with unit_of_work(world.scene.factory) as uow:
                asked[who] = request_export(
                    uow, principal, "orders", [("sort", "number")], dialect="comma", locale="en"
                ).id
    assert run_exports_once(world.scene.factory).finished == 2
    for who, export_id in asked.items():
        mine = served.client(who)
        assert f'id="export-{export_id}"' in mine.get("/exports").text
        assert mine.get(f"/exports/{export_id}/download").status_code == 200
    missing = max(asked.values()) + 100
    for who in (
        "owner",
        "colleague-owner",
        "dealer-group",
        "colleague-dealer-group",
        "supplier-a",
        "partner",
    ):
        client = served.client(who)
        page = client.get("/exports").text
        not_found = client.get(f"/exports/{missing}/download")
        assert not_found.status_code == 404
        for owner, export_id in asked.items():
            if owner == who:
                continue
            assert f'id="export-{export_id}"' not in page, (who, owner)
            answer = client.get(f"/exports/{export_id}/download")
            assert answer.status_code == 404, (who, owner)
            assert answer.text == not_found.text  # like a missing one, to the byte


def test_the_service_applies_the_permission_function(world: WebWorld) -> None:
    customer = world.scene.customer()
    world.scene.order(customer, quantities=(1,))
    colleague = _colleague(world, "owner", "viewer")

    with world.scene.factory() as session:
        owner = principal_for_user(session, session.get_one(User, world.users["owner"].id))
        other = principal_for_user(session, session.get_one(User, colleague.id))
    with unit_of_work(world.scene.factory) as uow:
        export_id = request_export(uow, owner, "orders", [], dialect="comma", locale="en").id
    with world.scene.factory() as session:
        export = session.get_one(Export, export_id)
        assert permissions.can_download_export(owner, export)
        assert not permissions.can_download_export(other, export)
        assert not permissions.can_download_export(world.scene.p("owner", "admin"), export)  # a token
        assert [e.id for e in my_exports(session, owner)] == [export_id]
        assert my_exports(session, other) == []
        assert get_export(session, owner, export_id).id == export_id
        with pytest.raises(NotFound):
            get_export(session, other, export_id)
    assert permissions.can_prepare_export(other) and not permissions.can_prepare_export(
        world.scene.p("owner")
    )
