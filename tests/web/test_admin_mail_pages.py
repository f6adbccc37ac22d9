"""/admin/mail in the reader's language: the recipient is "An" in German (not the "Bis" of a date
range), the message's headers are labelled in German, and its date is written the German way in
Berlin time."""

from __future__ import annotations

import re

from tests.access.test_mail_viewer_isolation import folder_world  # noqa: F401 - the fixture
from tests.web.conftest import WebWorld


def _labels(html: str) -> list[str]:
    return re.findall(r"<dt>([^<]+)</dt>", html)


def test_the_mail_list_calls_the_recipient_an_in_german(folder_world: WebWorld) -> None:  # noqa: F811
    client = folder_world.client("owner")
    german = client.get("/admin/mail", params={"lang": "de"}).text
    assert '<th scope="col">An</th>' in german and ">Bis<" not in german
    english = client.get("/admin/mail", params={"lang": "en"}).text
    assert '<th scope="col">To</th>' in english


def test_the_message_view_labels_its_headers_and_date_in_the_readers_language(
    folder_world: WebWorld,  # noqa: F811
) -> None:
    client = folder_world.client("owner")
    listing = client.get("/admin/mail").text
    name = re.search(r'href="/admin/mail/([^"]+\.eml)"', listing)
    assert name
    german = client.get(f"/admin/mail/{name.group(1)}", params={"lang": "de"}).text
    assert _labels(german) == ["Von", "An", "Betreff", "Datum"]
    date = re.search(r"<dt>Datum</dt><dd[^>]*>([^<]+)</dd>", german)
    assert date and re.fullmatch(r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}", date.group(1).strip()), date
    english = client.get(f"/admin/mail/{name.group(1)}", params={"lang": "en"}).text
    assert _labels(english) == ["From", "To", "Subject", "Date"]
    assert "+0000" not in english and "+0000" not in german  # not the raw header
