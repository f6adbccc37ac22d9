"""The logged-in list pages (50 rows) against bare starlette + jinja2 handlers, in one run.

    .venv/bin/python -m benchmarks.web_bench [--seconds 4] [--repeat 3] [--concurrency 4]
        [--list orders|leads|opportunities ...]

Seeds its own temporary SQLite database with the demo data, logs in as the owner's admin (who sees
every order, lead and opportunity) and requests ``/orders``, ``/leads`` and ``/opportunities``
(issue #18: "the same web and GraphQL benchmark ratios as orders") in-process through httpx2's ASGI
transport (no sockets, so the server's own cost is measured, not uvicorn's). The ceiling of each
is a bare Starlette app whose one handler runs one raw SQL query for the same 50 rows and renders
a plain jinja2 table: no session cookie, no principal, no access policy, no translations, no
status or totals, no layout.

Prints requests per second of each (best of ``--repeat`` interleaved rounds) and the ratio.
Target: the portal reaches at least 50% of the ceiling.

The portal remembers a list page's shell (layout, navigation, filters: `portal.web.shells`) per
user and URL, and each row's HTML by its values. Requesting the same page again, as this benchmark
does, uses both; a third figure, "cold", forgets both (and the formatted cells) before every
request: what a page costs the first time it is drawn.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from jinja2 import Environment, Template
from sqlalchemy import Engine, TextClause, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from portal.app import create_app
from portal.config import Settings
from portal.db import make_engine
from portal.heap import settle_heap
from portal.migrate import upgrade
from portal.seed import DEMO_PASSWORD, seed_demo
from portal.web.shells import forget_shells
from portal.web.views.lists import forget_rows

__all__ = ["main", "run"]

OWNER = "admin@waermewerk.example"


@dataclass(frozen=True, slots=True)
class Listing:
    """One list page and its bare ceiling: the same 50 rows by one raw query, a plain table."""

    path: str
    sql: TextClause
    cells: tuple[str, ...]  # the row's columns after ``id``, each one table cell

    def template(self) -> Template:
        cells = "".join(f"<td>{{{{ r.{cell} if r.{cell} is not none else '' }}}}</td>" for cell in self.cells)
        return Environment(autoescape=True).from_string(
            "<!doctype html><title>List</title><table>{% for r in rows %}"
            f"<tr><td><a href='{self.path}/{{{{ r.id }}}}'>{{{{ r.number }}}}</a></td>{cells}</tr>"
            "{% endfor %}</table>"
        )


LISTS = {
    "orders": Listing(
        "/orders",
        text(
            "SELECT id, number, order_date, delivery_name, customer_reference, requested_date "
            "FROM orders ORDER BY created_at DESC, id DESC LIMIT 50"
        ),
        ("order_date", "delivery_name", "customer_reference", "requested_date"),
    ),
    "leads": Listing(
        "/leads",
        text(
            "SELECT l.id, l.number, l.company, l.postal_code, l.city, l.status, o.name AS dealer, "
            "l.answer_due_at, l.created_at FROM leads l LEFT JOIN organizations o ON o.id = l.dealer_id "
            "ORDER BY l.created_at DESC, l.id DESC LIMIT 50"
        ),
        ("company", "postal_code", "city", "status", "dealer", "answer_due_at", "created_at"),
    ),
    "opportunities": Listing(
        "/opportunities",
        text(
            "SELECT id, number, name, stage, amount, currency, probability, expected_close "
            "FROM opportunities ORDER BY created_at DESC, id DESC LIMIT 50"
        ),
        ("name", "stage", "amount", "currency", "probability", "expected_close"),
    ),
}


def bare_app(engine: Engine) -> Starlette:
    def handler(listing: Listing) -> Route:
        template = listing.template()

        async def page(request: Request) -> HTMLResponse:
            with engine.connect() as conn:
                rows = conn.execute(listing.sql).all()
            return HTMLResponse(template.render(rows=rows))

        return Route(listing.path, page)

    return Starlette(routes=[handler(listing) for listing in LISTS.values()])


async def _login(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token, "no CSRF field on the login page"
    response = await client.post(
        "/login", data={"email": OWNER, "password": DEMO_PASSWORD, "csrf": token.group(1), "next": "/"}
    )
    assert response.status_code == 303, response.text[:500]


async def _rate(
    client: httpx.AsyncClient, path: str, seconds: float, concurrency: int, *, cold: bool = False
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            if cold:
                forget_shells()
                forget_rows()
            response = await client.get(path)
            assert response.status_code == 200
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


def _rows_on(html: str, path: str) -> int:
    return len(re.findall(rf'href="{path}/\d+"|href=\'{path}/\d+\'', html))


async def _measure(
    engine: Engine, names: list[str], seconds: float, repeat: int, concurrency: int
) -> dict[str, tuple[float, float, float]]:
    portal = create_app(Settings(secret_key="bench-secret-key-0123456789abcdef"), engine=engine)
    bare = bare_app(engine)
    transport_p = httpx.ASGITransport(app=portal)
    transport_b = httpx.ASGITransport(app=bare)
    figures: dict[str, tuple[float, float, float]] = {}
    async with (
        # ASGITransport sends no lifespan events: the portal's startup (thread pool size, the GIL's
        # switch interval, the settled heap; `portal.app.create_app`) runs here, as `portal serve`
        # runs it, process-wide and so for both contenders
        portal.router.lifespan_context(portal),
        httpx.AsyncClient(transport=transport_p, base_url="http://bench") as portal_client,
        httpx.AsyncClient(transport=transport_b, base_url="http://bench") as bare_client,
    ):
        await _login(portal_client)
        for name in names:
            path = LISTS[name].path
            portal_rows = _rows_on((await portal_client.get(path)).text, path)
            bare_rows = _rows_on((await bare_client.get(path)).text, path)
            assert portal_rows >= 50 and bare_rows == 50, (name, portal_rows, bare_rows)
            for client in (portal_client, bare_client):  # warm up: compiled templates, statement caches
                await _rate(client, path, 0.5, concurrency)
        settle_heap()  # again, after the warm-up: what it compiled and cached stays for good
        for name in names:
            path = LISTS[name].path
            runs: dict[str, list[float]] = {"portal": [], "bare": [], "cold": []}
            clients = {"portal": portal_client, "bare": bare_client, "cold": portal_client}
            for _ in range(repeat):
                for contender, client in clients.items():
                    rate = await _rate(client, path, seconds, concurrency, cold=contender == "cold")
                    runs[contender].append(rate)
            figures[name] = (max(runs["portal"]), max(runs["bare"]), max(runs["cold"]))
    return figures


def run(
    *,
    lists: list[str] | None = None,
    seconds: float = 4.0,
    repeat: int = 3,
    concurrency: int = 4,
    scale: float = 1.0,
) -> dict[str, tuple[float, float, float]]:
    """Per list: (portal, ceiling, portal with cold caches) in requests per second."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade(engine)
        seed_demo(engine, scale=scale)
        try:
            return asyncio.run(_measure(engine, lists or list(LISTS), seconds, repeat, concurrency))
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale (1: 80 leads; 50 are needed)")
    parser.add_argument("--list", action="append", choices=list(LISTS), help="the lists to measure (all)")
    args = parser.parse_args(argv)
    figures = run(
        lists=args.list,
        seconds=args.seconds,
        repeat=args.repeat,
        concurrency=args.concurrency,
        scale=args.scale,
    )
    print("web list pages, 50 rows, in-process (httpx2 ASGITransport), SQLite")
    below = False
    for name, (portal, bare, cold) in figures.items():
        path = LISTS[name].path
        ratio = portal / bare
        below |= ratio < 0.5
        print(f"  portal {path} (logged in)".ljust(36) + f"{portal:8.1f} req/s")
        print("  bare starlette + jinja2 ceiling".ljust(36) + f"{bare:8.1f} req/s")
        print("  portal, cold (no shell, no rows)".ljust(36) + f"{cold:8.1f} req/s   ratio {cold / bare:.2f}")
        print(
            "  ratio portal/ceiling".ljust(36)
            + f"{ratio:8.2f}   target >= 0.50  {'OK' if ratio >= 0.5 else 'BELOW'}"
        )
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
