"""/admin/webhooks in German and English: register (secret shown once), rotate, disable and
enable, test event, delivery log with "send again", delete."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from portal.app import create_app
from portal.config import Settings
from portal.models import WebhookDelivery, WebhookEndpoint
from tests.builders import build_scene
from tests.web.conftest import SECRET, WebWorld, add_users, post_form


@pytest.fixture
def hooks(factory: sessionmaker[Session], engine: Engine) -> WebWorld:
    scene = build_scene(factory)
    users = add_users(factory, scene)
    settings = Settings(database_url=str(engine.url), secret_key=SECRET, webhook_allow_networks="127.0.0.0/8")
    return WebWorld(scene, create_app(settings, engine=engine), users)


def _secrets(text: str) -> list[str]:
    return re.findall(r"whsec_[A-Za-z0-9+/=]+", text)


def test_an_admin_registers_rotates_tests_and_deletes_an_endpoint(
    hooks: WebWorld, factory: sessionmaker[Session]
) -> None:
    client = hooks.client("supplier-a")
    page = client.get("/admin/webhooks", params={"lang": "de"})
    assert page.status_code == 200 and "Endpunkt registrieren" in page.text
    response = post_form(
        client,
        "/admin/webhooks",
        "/admin/webhooks",
        {
            "url": "http://127.0.0.1:9/hook",
            "description": "ERP",
            "event_kinds": ["order.routed", "case.routed"],
        },  # type: ignore[dict-item]
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    shown = client.get(location)
    [secret] = _secrets(shown.text)
    with factory() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        assert endpoint.secret == secret and endpoint.event_kinds == ["case.routed", "order.routed"]
        assert endpoint.organization_id == hooks.scene.orgs["supplier-a"].id
    assert _secrets(client.get(location).text) == []  # only once
    post_form(client, location, f"{location}/rotate", {})
    rotated = client.get(location)
    [new] = _secrets(rotated.text)
    assert new != secret
    post_form(client, location, f"{location}/test", {})
    tree = lxml_html.fromstring(client.get(location, params={"lang": "en"}).text)
    assert tree.xpath('//td[@data-label="Event"]/code/text()')  # the test delivery is in the log
    with factory() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
    again = post_form(client, location, f"{location}/deliveries/{delivery.id}/redeliver", {})
    assert again.status_code == 303  # type: ignore[attr-defined]
    post_form(client, location, f"{location}/enabled", {"enabled": "0"})
    assert "Deaktiviert" in client.get(location, params={"lang": "de"}).text
    refused = post_form(client, location, f"{location}/deliveries/{delivery.id}/redeliver", {})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    post_form(client, location, f"{location}/enabled", {"enabled": "1"})
    post_form(client, location, f"{location}/delete", {})
    with factory() as session:
        assert session.scalars(select(WebhookEndpoint)).all() == []


def test_the_form_names_every_wrong_field(hooks: WebWorld) -> None:
    client = hooks.client("supplier-a")
    response = post_form(
        client, "/admin/webhooks", "/admin/webhooks?lang=en", {"url": "http://10.0.0.1/x", "description": ""}
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "choose at least one event kind" in text
    private = post_form(
        client,
        "/admin/webhooks",
        "/admin/webhooks?lang=en",
        {"url": "http://10.0.0.1/x", "event_kinds": "order.routed"},
    )
    assert private.status_code == 400  # type: ignore[attr-defined]
    assert "10.0.0.1 is not a public address" in private.text  # type: ignore[attr-defined]
    german = post_form(
        client,
        "/admin/webhooks",
        "/admin/webhooks?lang=de",
        {"url": "http://10.0.0.1/x", "event_kinds": "order.routed"},
    )
    assert "10.0.0.1 ist keine öffentliche Adresse" in german.text  # type: ignore[attr-defined]


def test_the_administration_links_webhooks_for_admins_only(hooks: WebWorld) -> None:
    admin = lxml_html.fromstring(hooks.client("supplier-a").get("/").text)
    assert admin.xpath('//nav[@class="main-nav"]//a[@href="/admin/users"]')  # "Administration"
    users = lxml_html.fromstring(hooks.client("supplier-a").get("/admin/users").text)
    assert users.xpath('//main//a[@href="/admin/webhooks"]')
    member = lxml_html.fromstring(hooks.client("partner").get("/").text)
    assert not member.xpath('//a[@href="/admin/webhooks"]') and not member.xpath('//a[@href="/admin/users"]')


def test_suppliers_are_not_offered_customer_master_events(hooks: WebWorld) -> None:
    """Suppliers never see customers, contacts or activities, so their form leaves those kinds out;
    a dealer's form offers them."""

    def offered(slug: str) -> set[str]:
        tree = lxml_html.fromstring(hooks.client(slug).get("/admin/webhooks", params={"lang": "en"}).text)
        return {str(v) for v in tree.xpath("//input[@name='event_kinds']/@value")}

    supplier, dealer = offered("supplier-a"), offered("dealer-group")
    assert "order.routed" in supplier and "shipment.created" in supplier
    assert not {kind for kind in supplier if kind.startswith(("customer.", "contact.", "activity."))}
    assert {"customer.shared", "contact.created", "activity.completed"} <= dealer
