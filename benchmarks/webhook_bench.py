"""Webhook deliveries per second to a local receiver (a real HTTP server process on loopback that
verifies each signature with the standardwebhooks package), against a bare httpx2 client loop
posting the same bodies and headers to the same receiver in the same run (target: at least 0.5).

The dispatcher's figure is the whole send step of `dispatch_webhooks_once`: claim (a transaction
that renders each body as the receiving organization may see the order now), sign, POST, record
the outcomes (a second transaction). Turning the events into deliveries is timed apart.

    python -m benchmarks.webhook_bench [--deliveries 500]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx2

from portal.config import Settings
from portal.db import make_engine, make_sessionmaker
from portal.heap import settle_heap
from portal.models import Base
from portal.notify.webhooks import deliveries, dispatch, guard, service
from portal.orders import service as orders
from tests.builders import build_scene
from tests.notify.conftest import running_receiver

SETTINGS = Settings(webhook_allow_networks="127.0.0.0/8", webhook_timeout=10.0)
WARM_UP = 50  # deliveries sent (and bare requests posted) before the timing starts


def run(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="webhook-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        engine = make_engine(f"sqlite:///{tmp / 'bench.sqlite3'}")
        Base.metadata.create_all(engine)
        factory = make_sessionmaker(engine)
        scene = build_scene(factory)
        with running_receiver(tmp) as receiver:
            with scene.uow() as uow:
                made = service.create_endpoint(
                    uow,
                    scene.p("supplier-a", "admin"),
                    url=receiver.url("/ok"),
                    event_kinds=["order.routed"],
                    allowed_networks=guard.allowed_networks(SETTINGS.webhook_allow_networks),
                )
            receiver.expect("/ok", made.secret)
            customer = scene.customer()
            owner = scene.p("owner")

            def route(orders_to_route: int) -> None:
                with scene.uow() as uow:
                    for _ in range(orders_to_route):
                        order = orders.create_order(
                            uow=uow,
                            principal=owner,
                            customer_id=customer.id,
                            lines=[orders.NewOrderLine(sku="P-100", quantity=Decimal(3))],
                        )
                        orders.route_order(
                            uow=uow,
                            principal=owner,
                            order_id=order.id,
                            supplier_id=scene.orgs["supplier-a"].id,
                        )

            # Warm-up, not timed: a worker runs for days, so its first pass (imports, statement
            # caches, the receiver's first connection) is not what it costs per delivery.
            route(WARM_UP)
            settle_heap()  # as the worker does when it starts (`portal.exchange.worker.run_forever`)
            warm = datetime.now(UTC)
            deliveries.create_deliveries(factory, now=warm)
            assert dispatch.dispatch_webhooks_once(factory, SETTINGS, now=warm) == WARM_UP
            route(count)
            now = datetime.now(UTC)
            started = time.perf_counter()
            created = deliveries.create_deliveries(factory, now=now)
            create_seconds = time.perf_counter() - started
            assert created == count, f"{created} deliveries for {count} events"
            started = time.perf_counter()
            sent = dispatch.dispatch_webhooks_once(factory, SETTINGS, now=now)
            send_seconds = time.perf_counter() - started
            got = receiver.received("/ok")[WARM_UP:]
            assert sent == count and len(got) == count and all(g["verified_with"] for g in got)
            requests = [
                (
                    g["body"].encode(),
                    {
                        "webhook-id": g["webhook_id"],
                        "webhook-timestamp": str(int(time.time())),
                        "webhook-signature": g["signature"],
                        "content-type": "application/json",
                    },
                )
                for g in got
            ]
            with httpx2.Client(timeout=10.0) as client:
                for body, headers in requests[:WARM_UP]:  # the same warm-up
                    client.post(receiver.url("/ok"), content=body, headers=headers).read()
                started = time.perf_counter()
                for body, headers in requests:
                    response = client.post(receiver.url("/ok"), content=body, headers=headers)
                    response.read()
                bare_seconds = time.perf_counter() - started
            assert len(receiver.received("/ok")) == 2 * (count + WARM_UP)
        engine.dispose()
    return {
        "deliveries": count,
        "create_per_s": count / create_seconds,
        "dispatch_per_s": count / send_seconds,
        "bare_per_s": count / bare_seconds,
        "ratio": bare_seconds / send_seconds,
        "payload_bytes": sum(len(json.dumps(b[0].decode())) for b in requests) / count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=500)
    args = parser.parse_args()
    figures = run(args.deliveries)
    print(
        f"webhooks: {figures['deliveries']:.0f} deliveries of ~{figures['payload_bytes']:.0f} bytes; "
        f"events -> deliveries {figures['create_per_s']:.0f}/s; "
        f"dispatcher {figures['dispatch_per_s']:.0f}/s vs bare httpx2 loop {figures['bare_per_s']:.0f}/s: "
        f"ratio {figures['ratio']:.2f} (target >= 0.5)"
    )


if __name__ == "__main__":
    main()
