"""/admin/mail (the mail folder of a portal without SMTP) is for owner admins only, exists only
while the folder transport is active, and serves only files of that folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from portal.config import Settings
from portal.db import unit_of_work
from portal.notify.mail import enqueue_mail, send_mail_once
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users


def _world(factory: sessionmaker[Session], engine: Engine, settings: Settings) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    return WebWorld(scene, create_app(settings, engine=engine), users)


@pytest.fixture
def folder_world(factory: sessionmaker[Session], engine: Engine, tmp_path: Path) -> WebWorld:
    settings = Settings(database_url=str(engine.url), secret_key=SECRET, data_dir=tmp_path)
    world = _world(factory, engine, settings)
    with unit_of_work(factory) as uow:
        enqueue_mail(
            uow.session,
            to="dealer-group@example.test",
            user_id=world.users["dealer-group"].id,
            locale="en",
            template="password_reset",
            context={
                "name": "Dee",
                "email": "dealer-group@example.test",
                "link": "http://x/password/reset/t0k3n",
            },
            dedupe_key="viewer-test",
        )
    assert send_mail_once(factory, settings) == 1
    return world


def test_the_owner_admin_reads_the_folder(folder_world: WebWorld, tmp_path: Path) -> None:
    client = folder_world.client("owner")
    assert 'href="/admin/mail"' in client.get("/admin/users").text
    listing = client.get("/admin/mail")
    assert listing.status_code == 200 and "Set a new password for the portal" in listing.text
    [path] = list((tmp_path / "mail").glob("*.eml"))
    message = client.get(f"/admin/mail/{path.name}", params={"lang": "de"})
    assert message.status_code == 200
    assert (
        "dealer-group@example.test" in message.text and 'href="http://x/password/reset/t0k3n"' in message.text
    )
    assert "Links in dieser Nachricht" in message.text


@pytest.mark.parametrize("who", ["dealer-group", "supplier-a", "partner"])
def test_nobody_else_reads_it(folder_world: WebWorld, tmp_path: Path, who: str) -> None:
    client = folder_world.client(who)
    [path] = list((tmp_path / "mail").glob("*.eml"))
    assert 'href="/admin/mail"' not in client.get("/admin/users").text
    assert client.get("/admin/mail").status_code == 403
    response = client.get(f"/admin/mail/{path.name}")
    assert response.status_code == 403 and "t0k3n" not in response.text


def test_only_files_of_the_folder_are_served(folder_world: WebWorld, tmp_path: Path) -> None:
    (tmp_path / "secret_key.eml").write_text("Subject: outside\n\nnot a mail of the folder\n")
    client = folder_world.client("owner")
    for name in ("..%2Fsecret_key.eml", "../secret_key.eml", "nothing.eml", ".hidden.eml", "x.txt"):
        response = client.get(f"/admin/mail/{name}")
        assert response.status_code == 404, name
        assert "not a mail of the folder" not in response.text


def test_with_smtp_configured_there_is_no_viewer(
    factory: sessionmaker[Session], engine: Engine, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=str(engine.url), secret_key=SECRET, data_dir=tmp_path, smtp_host="127.0.0.1"
    )
    client = _world(factory, engine, settings).client("owner")
    assert client.get("/admin/mail").status_code == 404
    assert 'href="/admin/mail"' not in client.get("/admin/users").text
