"""The logged-in orders list page (50 rows) against a bare starlette + jinja2 handler, in one run.

    .venv/bin/python -m benchmarks.web_bench [--seconds 4] [--repeat 3] [--concurrency 4]

Seeds its own temporary SQLite database with the demo data, logs in as the owner's admin (who sees
every order) and requests ``/orders`` in-process through httpx2's ASGI transport (no sockets, so
the server's own cost is measured, not uvicorn's). The ceiling is a bare Starlette app whose one
handler runs one raw SQL query for the same 50 rows and renders a plain jinja2 table: no session
cookie, no principal, no access policy, no translations, no status or totals, no layout.

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
from pathlib import Path

import httpx2 as httpx
from jinja2 import Environment
from sqlalchemy import Engine, text
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
BARE_SQL = text(
    "SELECT id, number, order_date, delivery_name, customer_reference, requested_date "
    "FROM orders ORDER BY created_at DESC, id DESC LIMIT 50"
)
BARE_TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><title>Orders</title><table>"
    "{% for r in rows %}<tr><td><a href='/orders/{{ r.id }}'>{{ r.number }}</a></td>"
    "<td>{{ r.order_date }}</td><td>{{ r.delivery_name }}</td>"
    "<td>{{ r.customer_reference or '' }}</td><td>{{ r.requested_date or '' }}</td>"
    "</tr>{% endfor %}</table>"
)


def bare_app(engine: Engine) -> Starlette:
    async def orders(request: Request) -> HTMLResponse:
        with engine.connect() as conn:
            rows = conn.execute(BARE_SQL).all()
        return HTMLResponse(BARE_TEMPLATE.render(rows=rows))

    return Starlette(routes=[Route("/orders", orders)])


async def _login(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token, "no CSRF field on the login page"
    response = await client.post(
        "/login", data={"email": OWNER, "password": DEMO_PASSWORD, "csrf": token.group(1), "next": "/"}
    )
    assert response.status_code == 303, response.text[:500]


async def _rate(client: httpx.AsyncClient, seconds: float, concurrency: int, *, cold: bool = False) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            if cold:
                forget_shells()
                forget_rows()
            response = await client.get("/orders")
            assert response.status_code == 200
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


def _rows_on(html: str) -> int:
    return len(re.findall(r'href="/orders/\d+"|href=\'/orders/\d+\'', html))


async def _measure(
    engine: Engine, seconds: float, repeat: int, concurrency: int
) -> tuple[float, float, float]:
    portal = create_app(Settings(secret_key="bench-secret-key-0123456789abcdef"), engine=engine)
    bare = bare_app(engine)
    transport_p = httpx.ASGITransport(app=portal)
    transport_b = httpx.ASGITransport(app=bare)
    async with (
        httpx.AsyncClient(transport=transport_p, base_url="http://bench") as portal_client,
        httpx.AsyncClient(transport=transport_b, base_url="http://bench") as bare_client,
    ):
        await _login(portal_client)
        portal_rows = _rows_on((await portal_client.get("/orders")).text)
        bare_rows = _rows_on((await bare_client.get("/orders")).text)
        assert portal_rows >= 50 and bare_rows == 50, (portal_rows, bare_rows)
        runs: dict[str, list[float]] = {"portal": [], "bare": [], "cold": []}
        clients = {"portal": portal_client, "bare": bare_client, "cold": portal_client}
        for client in (portal_client, bare_client):  # warm up: compiled templates, statement caches
            await _rate(client, 0.5, concurrency)
        settle_heap()  # as `portal serve` does at startup; process-wide, so for both contenders
        for _ in range(repeat):
            for name, client in clients.items():
                runs[name].append(await _rate(client, seconds, concurrency, cold=name == "cold"))
    return max(runs["portal"]), max(runs["bare"]), max(runs["cold"])


def run(
    *, seconds: float = 4.0, repeat: int = 3, concurrency: int = 4, scale: float = 0.2
) -> tuple[float, float, float]:
    """(portal, ceiling, portal with cold caches) in requests per second."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade(engine)
        seed_demo(engine, scale=scale)
        try:
            return asyncio.run(_measure(engine, seconds, repeat, concurrency))
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.2)
    args = parser.parse_args(argv)
    portal, bare, cold = run(
        seconds=args.seconds, repeat=args.repeat, concurrency=args.concurrency, scale=args.scale
    )
    ratio = portal / bare
    print("web orders list, 50 rows, in-process (httpx2 ASGITransport), SQLite")
    print(f"  portal /orders (logged in)       {portal:8.1f} req/s")
    print(f"  bare starlette + jinja2 ceiling  {bare:8.1f} req/s")
    print(f"  portal, cold (no shell, no rows) {cold:8.1f} req/s   ratio {cold / bare:.2f}")
    print(
        f"  ratio portal/ceiling             {ratio:8.2f}   target >= 0.50  "
        f"{'OK' if ratio >= 0.5 else 'BELOW'}"
    )
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
