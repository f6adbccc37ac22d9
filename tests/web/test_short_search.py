"""A search box with fewer than three characters keeps what was typed and says why nothing was
searched, in English and German."""

from __future__ import annotations

from tests.web.conftest import WebWorld


def test_a_list_search_shorter_than_a_trigram_keeps_the_text_and_says_so(world: WebWorld) -> None:
    scene = world.scene
    customer = scene.customer("Kältetechnik Nord", shared_with=("dealer-group",))
    order = scene.order(customer, by="dealer-group")
    client = world.client("dealer-group")
    short = client.get("/orders", params={"q": "SO"})
    assert short.status_code == 200
    assert 'name="q" type="search" value="SO"' in short.text
    assert "Type at least 3 characters to search." in short.text
    assert order.number in short.text  # the list, unsearched
    german = client.get("/orders", params={"q": "SO"}, headers={"accept-language": "de"})
    assert "Für die Suche mindestens 3 Zeichen eingeben." in german.text
    full = client.get("/orders", params={"q": order.number})
    assert order.number in full.text and "at least 3 characters" not in full.text
    none = client.get("/orders", params={"q": "zzz-no-such"})
    assert order.number not in none.text and "at least 3 characters" not in none.text


def test_the_users_page_search_says_the_same(world: WebWorld) -> None:
    page = world.client("owner").get("/admin/users", params={"q": "ow"})
    assert page.status_code == 200
    assert 'value="ow"' in page.text and "Type at least 3 characters to search." in page.text
