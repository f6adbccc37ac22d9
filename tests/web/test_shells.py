"""Pages drawn once and filled per request (portal.web.shells), and where list pages run."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, event, func, select
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from portal.config import Settings
from portal.db import WriteInReadOnlyUnit, make_sessionmaker
from portal.models import Customer
from portal.web import web_middleware
from portal.web.core import Ctx, Web
from portal.web.sessions import SESSION_COOKIE, SessionData, serializer
from portal.web.shells import Hole, Shell, ShellCache
from tests.web.conftest import SECRET, WebWorld, csrf_of


def _draw(*holes: Hole) -> str:
    return "<a href='?after=" + str(holes[0]) + "'>next</a><p>" + str(holes[1]) + "</p>"


def test_a_shell_fills_each_hole_the_way_its_place_needs() -> None:
    url, text = Hole("end", "url"), Hole("flash")
    shell = Shell.split(_draw(url, text), {"end": url, "flash": text})
    html = shell.fill({"end": "a b&c=", "flash": "<b>Saved</b> & done"})
    assert html == "<a href='?after=a+b%26c%3D'>next</a><p>&lt;b&gt;Saved&lt;/b&gt; &amp; done</p>"
    assert (
        Shell.split("<tr>" + str(Hole("rows", "markup")) + "</tr>", {"rows": Hole("rows", "markup")}).fill(
            {"rows": "<td>1</td>"}
        )
        == "<tr><td>1</td></tr>"
    )


def test_a_hole_the_shell_was_not_told_about_is_an_error() -> None:
    with pytest.raises(ValueError, match="csrf"):
        Shell.split("x" + str(Hole("csrf")) + "y", {})


def test_the_cache_draws_once_per_key_never_stores_values_and_starts_over_at_its_limit() -> None:
    drawn: list[str] = []
    hole = Hole("flash")

    def draw(key: str) -> str:
        drawn.append(key)
        return f"<h1>{key}</h1>{hole}"

    cache = ShellCache(limit=2)
    assert cache.page("a", (hole,), lambda: draw("a"), {"flash": "one"}) == "<h1>a</h1>one"
    assert cache.page("a", (hole,), lambda: draw("a"), {"flash": "two"}) == "<h1>a</h1>two"
    assert drawn == ["a"]
    cache.page("b", (hole,), lambda: draw("b"), {"flash": ""})
    cache.page("c", (hole,), lambda: draw("c"), {"flash": ""})  # full: starts again from empty
    assert len(cache) == 1
    off = ShellCache(enabled=False)
    off.page("a", (hole,), lambda: draw("a"), {"flash": ""})
    off.page("a", (hole,), lambda: draw("a"), {"flash": ""})
    assert drawn == ["a", "b", "c", "a", "a"] and len(off) == 0


def test_two_sessions_of_one_user_each_get_their_own_csrf_token_from_the_same_shell(world: WebWorld) -> None:
    first, second = world.client("dealer-group"), world.client("dealer-group")
    tokens = [csrf_of(client.get("/orders").text) for client in (first, second)]
    assert tokens[0] != tokens[1]
    assert tokens == [csrf_of(client.get("/orders").text) for client in (first, second)]
    assert first.post("/logout", data={"csrf": tokens[1]}, follow_redirects=False).status_code == 403
    assert first.post("/logout", data={"csrf": tokens[0]}, follow_redirects=False).status_code == 303


def test_the_list_shell_shows_a_flash_message_once(world: WebWorld) -> None:
    client = world.client("dealer-group")
    client.get("/orders")  # the shell without a message is drawn first
    data = SessionData.new()
    data.login(world.users["dealer-group"].id, 0)
    data.set_flash("Order <SO-1> saved & sent")
    client.cookies.set(SESSION_COOKIE, serializer(SECRET).dumps(data.payload()))
    shown = client.get("/orders").text
    assert '<p class="flash" role="status">Order &lt;SO-1&gt; saved &amp; sent</p>' in shown
    assert 'class="flash"' not in client.get("/orders").text


def test_one_shell_serves_every_page_of_a_list_with_that_pages_cursors(world: WebWorld) -> None:
    customer = world.scene.customer(shared_with=("dealer-group",))
    for _ in range(155):  # four pages: the second and third have the same shape (both neighbours)
        world.scene.order(customer, by="dealer-group", supplier="supplier-a", quantities=(1,))
    client = world.client("supplier-a")
    url, seen, afters = "/orders?sort=number&dir=asc", [], []
    while True:
        html = client.get(url).text
        seen += re.findall(r'<a href="/orders/\d+">(SO-[\d-]+)</a>', html)
        here = afters[-1] if afters else None
        languages = re.findall(r'href="([^"]*lang=(?:de|en))"', html)
        assert len(set(languages)) == 2  # (drawn twice: the phone menu and the wide header)
        for link in languages:  # switching the language keeps this page, not another page's
            assert parse_qs(urlsplit(link.replace("&amp;", "&")).query).get("after", [None])[0] == here
        found = re.search(r'rel="next" href="([^"]+)"', html)
        if not found:
            break
        url = "/orders" + found.group(1).replace("&amp;", "&")
        afters.append(parse_qs(urlsplit(url).query)["after"][0])
    assert len(seen) == 155 and seen == sorted(seen) and len(set(afters)) == 3
    back = re.search(r'rel="prev" href="([^"]+)"', html)
    assert back
    previous = client.get("/orders" + back.group(1).replace("&amp;", "&")).text
    assert re.findall(r'<a href="/orders/\d+">(SO-[\d-]+)</a>', previous) == seen[100:150]


@pytest.mark.parametrize("params", [{}, {"q": "SO-"}, {"delivery": "late"}])
def test_a_list_page_reads_the_database_in_a_worker_thread_never_on_the_event_loop(
    world: WebWorld, engine: Engine, params: dict[str, str]
) -> None:
    """Issue #15: a slow page on the event loop stalls every other request of the process."""
    world.scene.order(world.scene.customer(), supplier="supplier-a", quantities=(1,))
    threads: list[str] = []

    def record(*_args: object) -> None:
        threads.append(threading.current_thread().name)

    client = world.client("supplier-a")
    event.listen(engine, "before_cursor_execute", record)
    try:
        threads.clear()
        assert client.get("/orders", params=params).status_code == 200
        seen = set(threads)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert seen and all("worker" in name.lower() for name in seen)


def test_a_get_page_that_tries_to_write_fails_and_writes_nothing(world: WebWorld, engine: Engine) -> None:
    settings = Settings(database_url=str(engine.url), secret_key=SECRET)
    web = Web(settings, make_sessionmaker(engine))

    def sneaky(ctx: Ctx) -> Response:
        ctx.db.add(Customer(number="K-GET", name="Per GET angelegt", country_code="DE"))
        ctx.uow.flush()
        return Response("written")

    app = Starlette(
        routes=[Route("/sneaky", web.page(sneaky))],
        middleware=web_middleware(settings),
    )
    client = WebWorld(world.scene, app, world.users).client("owner")
    with pytest.raises(WriteInReadOnlyUnit, match="GET page may not change data"):
        client.get("/sneaky")
    with world.scene.factory() as session:
        assert (
            session.scalar(select(func.count()).select_from(Customer).where(Customer.number == "K-GET")) == 0
        )
