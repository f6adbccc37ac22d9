"""`portal serve --workers 2` against `--workers 1`: requests per second of a real server over
loopback sockets, in one run.

    .venv/bin/python -m benchmarks.serve_workers_bench [--seconds 4] [--clients 8] [--rounds 3] [--workers 1 2]

Seeds ``portal.seed.seed_demo`` at a small scale into a temporary SQLite file (or a private schema
of ``PORTAL_TEST_DATABASE_URL``), starts one `portal serve` per ``--workers`` value, and in
``--rounds`` interleaved rounds runs against each, page after page, ``--clients`` concurrent
clients for ``--seconds``:

- ``web``: the owner's logged-in orders page (50 rows), the portal's heaviest common page;
- ``api``: GraphQL ``orders(first: 20)`` with number, status and customer, by the owner's token.

The clients are one asyncio loop in this process speaking HTTP/1.1 over raw sockets (a request
costs it a few tens of microseconds, little next to the server's). Each client opens a new
connection per request (as a reverse proxy without upstream keep-alive does): a kept-alive
connection stays with the process that accepted it, and a burst of them may all land on one.

Prints requests per second and latency (p50, p99) per round, page and process count, then the
best round of each and the ratio of the largest process count to the smallest. On a machine with N free cores the ratio approaches N for
CPU-bound pages; the clients and the database share those cores here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["main"]

OWNER = "admin@waermewerk.example"
API_QUERY = "{ orders(first: 20) { edges { node { number status customer { name } } } } }"


@dataclass
class Result:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


async def _exchange(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        if length is None:
            raise RuntimeError(f"no content-length in {head[:200]!r}")
        body = await reader.readexactly(int(length.group(1)))
    finally:
        writer.close()
    return status, body


async def _load(port: int, requests: list[bytes], seconds: float) -> Result:
    """One client per request (each with its own token: the API's rate budget is per token)."""
    result = Result()
    stop = time.monotonic() + seconds

    async def client(request: bytes) -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                status, _ = await _exchange(port, request)
            except (OSError, RuntimeError, asyncio.IncompleteReadError) as exc:
                result.errors.append(repr(exc))
                continue
            if status != 200:
                result.errors.append(f"status {status}")
                continue
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1

    await asyncio.gather(*(client(request) for request in requests))
    return result


def _tokens(url: str, count: int) -> list[str]:
    """API tokens of the owner, one per client: the API's rate budget is per token."""
    from portal.db import make_engine, make_sessionmaker, unit_of_work
    from portal.partners import service as partners

    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as uow:
            principal = partners.system_principal(uow.session)
            return [
                partners.issue_token(
                    uow=uow, principal=principal, organization_id=principal.org_id, name=f"bench {n}"
                ).secret
                for n in range(count)
            ]
    finally:
        engine.dispose()


def _requests(base: str, tokens: list[str]) -> dict[str, list[bytes]]:
    """Per page, one request per client, ready to send: the web page with a logged-in owner's
    session cookie, the API query with one token per client."""
    import httpx2

    from portal.seed import DEMO_PASSWORD
    from portal.web.sessions import SESSION_COOKIE

    with httpx2.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/login")
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, "no CSRF field on the login page"
        response = client.post(
            "/login", data={"csrf": match.group(1), "email": OWNER, "password": DEMO_PASSWORD, "next": "/"}
        )
        assert response.status_code == 303, response.text[:300]
        cookie = client.cookies[SESSION_COOKIE]
    body = json.dumps({"query": API_QUERY}).encode()
    host = base.removeprefix("http://")
    web = (
        f"GET /orders HTTP/1.1\r\nHost: {host}\r\nCookie: {SESSION_COOKIE}={cookie}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    api = [
        (
            f"POST /graphql HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
        for token in tokens
    ]
    return {"web": [web] * len(tokens), "api": api}


def _ms(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args()

    from portal.db import make_engine
    from portal.seed import seed_demo
    from tests.e2e.server import portal_serve, private_database

    rounds: dict[tuple[str, int], list[Result]] = {}
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        tmp = Path(folder)
        url = stack.enter_context(private_database(tmp))
        engine = make_engine(url)
        seeded = seed_demo(engine, scale=args.scale)
        engine.dispose()
        print(
            f"seeded {seeded.rows:,} rows on {url.split(':')[0]}; {args.clients} clients, {args.seconds:g} s"
            f" per page, {args.rounds} interleaved rounds, a new connection per request"
        )
        tokens = _tokens(url, args.clients)
        servers = {}
        for workers in args.workers:  # all started at once: an idle server costs the others nothing
            server = stack.enter_context(portal_serve(url, tmp, args=("--workers", str(workers))))
            port = int(server.base.rsplit(":", 1)[1])
            servers[workers] = (port, _requests(server.base, tokens))
        for n in range(args.rounds):
            for workers, (port, requests) in servers.items():
                for name, batch in requests.items():
                    asyncio.run(_load(port, batch, 1.0))  # warm-up: caches, pools
                    result = asyncio.run(_load(port, batch, args.seconds))
                    rounds.setdefault((name, workers), []).append(result)
                    print(
                        f"  round {n + 1} {name} --workers {workers}: {result.requests / args.seconds:7.1f} req/s"
                        f"  p50 {_ms(result.latencies, 0.5):6.1f} ms  p99 {_ms(result.latencies, 0.99):6.1f} ms"
                        f"  errors {len(result.errors)}{' ' + result.errors[0] if result.errors else ''}",
                        flush=True,
                    )
    print("best round of each:")
    best = {key: max(results, key=lambda r: r.requests) for key, results in rounds.items()}
    for (name, workers), result in best.items():
        print(
            f"  {name} --workers {workers}: {result.requests / args.seconds:7.1f} req/s"
            f"  p50 {_ms(result.latencies, 0.5):6.1f} ms  p99 {_ms(result.latencies, 0.99):6.1f} ms"
        )
    low, high = min(args.workers), max(args.workers)
    for name in ("web", "api"):
        if best[name, low].requests:
            ratio = best[name, high].requests / best[name, low].requests
            print(f"{name}: --workers {high} / --workers {low} = {ratio:.2f}x requests/s (best rounds)")


if __name__ == "__main__":
    main()
