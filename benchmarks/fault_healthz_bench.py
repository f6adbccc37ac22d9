"""/healthz under fault load: its latency while the heaviest allowed GraphQL operations run in a
loop from other clients, against its latency idle, measured in the same run on a real
`portal serve` (a subprocess, over loopback sockets). Target: p99 under 100 ms under load.

Run with ``python -m benchmarks.fault_healthz_bench``. Seeds ``portal.seed.seed_demo`` at a small
scale into a temporary SQLite file (or a private schema of ``PORTAL_TEST_DATABASE_URL``), starts
`portal serve`, samples /healthz idle, then for ``BENCH_SECONDS`` (default 8) runs ``CLIENTS``
(default 4) clients that each send, round robin, the operations of :data:`HEAVY`: the largest
orders read the cost limit allows, twenty aliases of a change feed read from its first event,
and a createOrder with the most lines allowed. Meanwhile one client samples /healthz every 20 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("CLIENTS", "4"))
TARGET_MS = 100.0

# Lines count at their cap (500 per order) in the cost model, so one page of 50 orders with their
# lines is about the most a single operation may ask for (docs/api.md's PullOrders).
ORDER_PAGE = """orders(first: 50) { edges { node { id number status
  customer { name city } deliveryParty { name city }
  lines { lineNo sku description quantityOrdered quantityConfirmed } } } }"""
ORDERS = "{ " + ORDER_PAGE + " }"
CHANGE_PAGE = "changes(first: 100, after: $after) { endCursor changes { kind entityId } }"
CHANGES = "query($after: String) { " + " ".join(f"c{i}: {CHANGE_PAGE}" for i in range(20)) + " }"
CREATE_ORDER = """mutation($input: CreateOrderInput!) { createOrder(input: $input) {
  order { number } userErrors { message } } }"""


def post_raw(base: str, token: str, query: str, variables: dict[str, Any] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - our own server on loopback
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read() or b"{}"


def post(base: str, token: str, query: str, variables: dict[str, Any] | None = None) -> tuple[int, Any]:
    status, body = post_raw(base, token, query, variables)
    return status, json.loads(body)


def heavy_operations(base: str, owner: str, dealer: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(name, token, query, variables) of the heaviest operations the limits allow."""
    _, first = post(base, owner, "{ changes(first: 1) { endCursor } }")
    _, found = post(
        base,
        owner,
        "{ customers(first: 1) { edges { node { id } } } products(first: 1) { edges { node { id } } } }",
    )
    customer = found["data"]["customers"]["edges"][0]["node"]["id"]
    product = found["data"]["products"]["edges"][0]["node"]["id"]
    lines = [{"product": product, "quantity": "1"}] * 500
    return [
        ("orders 50 with lines", owner, ORDERS, {}),
        (
            "20 x changes(first: 100, after: first event)",
            dealer,
            CHANGES,
            {"after": first["data"]["changes"]["endCursor"]},
        ),
        (
            "createOrder with 500 lines",
            owner,
            CREATE_ORDER,
            {"input": {"customer": customer, "lines": lines}},
        ),
    ]


def healthz_ms(base: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{base}/healthz", timeout=60) as response:  # noqa: S310
        response.read()
        if response.status != 200:
            raise RuntimeError(f"/healthz answered {response.status}")
    return (time.perf_counter() - started) * 1000


def sample_healthz(base: str, seconds: float, stop: threading.Event | None = None) -> list[float]:
    samples: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        samples.append(healthz_ms(base))
        time.sleep(0.02)  # the sampling rate, not a synchronisation
    return samples


@dataclass
class Load:
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def run_load(
    base: str, owner: str, dealer: str, seconds: float, clients: int = CLIENTS
) -> tuple[Load, list[float]]:
    """/healthz latencies (ms) while ``clients`` threads send heavy operations for ``seconds``."""
    operations = heavy_operations(base, owner, dealer)
    load = Load()
    lock = threading.Lock()
    stop = threading.Event()

    def client(offset: int) -> None:
        i = offset
        while not stop.is_set():
            name, token, query, variables = operations[i % len(operations)]
            i += 1
            started = time.perf_counter()
            try:
                status, raw = post_raw(base, token, query, variables)
            except OSError as exc:
                with lock:
                    load.errors.append(f"{name}: {exc}")
                continue
            took = time.perf_counter() - started
            # Parsed only when it holds errors: decoding megabytes of JSON would hold this
            # process's GIL and delay the /healthz sampler, which is what is measured.
            codes = set()
            if b'"errors"' in raw:
                codes = {e.get("extensions", {}).get("code") for e in json.loads(raw).get("errors") or []}
            with lock:
                load.statuses[f"{status} {'/'.join(sorted(c for c in codes if c)) or 'ok'}"] += 1
                load.seconds.setdefault(name, []).append(took)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)  # let the load build up before sampling (a warm-up, not a synchronisation)
        samples = sample_healthz(base, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    return load, samples


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    from portal.db import make_engine
    from portal.seed import DEMO_TOKENS, seed_demo
    from tests.e2e.server import portal_serve, private_database

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with private_database(tmp) as url:
            engine = make_engine(url)
            seeded = seed_demo(engine, scale=0.05)
            engine.dispose()
            print(
                f"seeded {seeded.rows:,} rows on {url.split(':')[0]}; {CLIENTS} clients, {BENCH_SECONDS:g} s"
            )
            with portal_serve(url, tmp) as server:
                owner, dealer = DEMO_TOKENS["waermewerk"], DEMO_TOKENS["haustechnik-nord"]
                idle = sample_healthz(server.base, 2.0)
                load, busy = run_load(server.base, owner, dealer, BENCH_SECONDS)
    print(
        f"/healthz idle:       n={len(idle):4}  p50 {statistics.median(idle):7.1f} ms  p99 {p99(idle):7.1f} ms"
    )
    print(
        f"/healthz under load: n={len(busy):4}  p50 {statistics.median(busy):7.1f} ms  p99 {p99(busy):7.1f} ms  max {max(busy):7.1f} ms"
    )
    for name, times in load.seconds.items():
        print(f"  {name:48} {len(times):4} done, median {statistics.median(times) * 1000:8.0f} ms")
    print(f"  answers: {dict(load.statuses)}; client errors: {len(load.errors)}")
    print(
        f"ratio p99 load/idle: {p99(busy) / p99(idle):.1f}; target p99 under load < {TARGET_MS:.0f} ms: "
        f"{'met' if p99(busy) < TARGET_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
