"""The header's Deutsch/English, chosen by a logged-in user, becomes the user's language (mails are
written in it); the preferences page says which language that is."""

from __future__ import annotations

from portal.models import User
from portal.notify.mail.render import pick_locale
from tests.web.conftest import WebWorld


def locale_of(world: WebWorld, who: str) -> str | None:
    with world.scene.factory() as session:
        return session.get_one(User, world.users[who].id).locale


def test_switching_the_language_stores_it_as_the_users_and_only_theirs(world: WebWorld) -> None:
    before = locale_of(world, "dealer-group")
    client = world.client("supplier-a")
    assert client.get("/orders", params={"lang": "de"}).status_code == 200
    assert locale_of(world, "supplier-a") == "de" and pick_locale(locale_of(world, "supplier-a")) == "de"
    page = client.get("/notifications/preferences")  # the cookie keeps German
    assert "Ihre E-Mails werden auf Deutsch geschrieben" in page.text
    assert client.get("/", params={"lang": "en"}).status_code == 200
    assert locale_of(world, "supplier-a") == "en"
    page = client.get("/notifications/preferences")
    assert "Your e-mails are written in English" in page.text
    assert locale_of(world, "dealer-group") == before  # nobody else's


def test_browsing_without_switching_changes_nothing(world: WebWorld) -> None:
    client = world.client("supplier-a")
    before = locale_of(world, "supplier-a")
    client.get("/orders", headers={"accept-language": "de"})
    assert locale_of(world, "supplier-a") == before
    anonymous = world.client()
    assert anonymous.get("/login", params={"lang": "de"}).status_code == 200
