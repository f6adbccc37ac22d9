"""The webhook delivery log in the reader's language: the test event has a label, the receiver's
stored answer is shown (escaped), and why an endpoint was disabled reads in German or English."""

from __future__ import annotations

from lxml import html as lxml_html
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.models import WebhookDelivery, WebhookEndpoint
from portal.notify.webhooks.kinds import EVERY_ATTEMPT_FAILED
from tests.web.conftest import WebWorld, post_form
from tests.web.test_webhook_pages import hooks  # noqa: F401 - the fixture


def test_the_log_labels_the_test_event_shows_the_answer_and_why_it_was_disabled(
    hooks: WebWorld,  # noqa: F811
    factory: sessionmaker[Session],
) -> None:
    client = hooks.client("supplier-a")
    created = post_form(
        client,
        "/admin/webhooks",
        "/admin/webhooks",
        {"url": "http://127.0.0.1:9/hook", "event_kinds": "order.routed"},
    )
    location = created.headers["location"]  # type: ignore[attr-defined]
    post_form(client, location, f"{location}/test", {})
    with factory.begin() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        delivery.last_status_code = 500
        delivery.response_excerpt = '<script>alert("x")</script> upstream exploded'
        session.execute(
            update(WebhookEndpoint).values(
                enabled=False,
                disabled_reason=EVERY_ATTEMPT_FAILED.format(delivery=delivery.webhook_id, error="HTTP 500"),
            )
        )
        webhook_id = delivery.webhook_id

    german = client.get(location, params={"lang": "de"}).text
    tree = lxml_html.fromstring(german)
    assert tree.xpath('//td[@data-label="Ereignis"]/text()')[0].strip() == "Testereignis"
    [answer] = tree.xpath('//td[@data-label="Antwort"]/code')
    assert answer.text_content() == '<script>alert("x")</script> upstream exploded'
    assert "<script>alert" not in german  # escaped, never markup
    assert f"Jeder Zustellversuch von {webhook_id} ist über mehr als einen Tag fehlgeschlagen" in german
    english = client.get(location, params={"lang": "en"}).text
    assert lxml_html.fromstring(english).xpath('//td[@data-label="Event"]/text()')[0].strip() == "Test event"
    assert f"Every attempt of delivery {webhook_id} failed for more than a day (last: HTTP 500)" in english


def test_an_endpoint_disabled_by_an_admin_says_so_in_german(hooks: WebWorld) -> None:  # noqa: F811
    client = hooks.client("supplier-a")
    created = post_form(
        client,
        "/admin/webhooks",
        "/admin/webhooks",
        {"url": "http://127.0.0.1:9/hook", "event_kinds": "order.routed"},
    )
    location = created.headers["location"]  # type: ignore[attr-defined]
    post_form(client, location, f"{location}/enabled", {"enabled": "0"})
    assert "Ein Administrator hat ihn deaktiviert." in client.get(location, params={"lang": "de"}).text
