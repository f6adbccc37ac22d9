"""The notifier's fan-out: 10,000 outbox events (orders routed to two suppliers with three users
each) turned into inbox rows by ``notify_once`` -- reading the events, finding the candidates,
checking each one's access through ``portal.access`` and inserting in batches -- next to a raw bulk
insert of the very same rows in one transaction (the baseline, measured in the same run).

    python -m benchmarks.notify_bench [--events 10000]      (PORTAL_BENCH_DATABASE_URL: PostgreSQL)

Target: fan-out at least half as fast as the raw insert (ratio >= 0.5).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, text

from portal.db import make_engine, make_sessionmaker, unit_of_work
from portal.models import Base, Customer, Event, Notification, Order, User
from portal.models.base import utcnow
from portal.notify.notifier import notify_once
from tests.builders import build_scene

TARGET = 0.5


def run(url: str, events: int) -> dict[str, float]:
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    scene = build_scene(factory)
    suppliers = [scene.orgs["supplier-a"].id, scene.orgs["supplier-b"].id]
    owner = scene.orgs["owner"].id
    with unit_of_work(factory) as uow:
        for n, org in enumerate(suppliers * 3):
            uow.session.add(
                User(
                    organization_id=org,
                    email=f"u{n}@bench.test",
                    name=f"U{n}",
                    password_hash="x",
                    roles="member",
                )
            )
        customer = Customer(number="K-1", name="Bench GmbH")
        uow.session.add(customer)
        uow.flush()
        customer_id = customer.id
    now = utcnow()
    with unit_of_work(factory) as uow:
        uow.session.execute(
            insert(Order),
            [
                {
                    "number": f"SO-{n}",
                    "customer_id": customer_id,
                    "supplier_id": suppliers[n % 2],
                    "created_by_org_id": owner,
                    "order_date": date(2026, 12, 1),
                    "delivery_name": "D",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(events)
            ],
        )
        orders = list(uow.session.execute(select(Order.id, Order.number, Order.supplier_id)))
        uow.session.execute(
            insert(Event),
            [
                {
                    "kind": "order.routed",
                    "entity": "order",
                    "entity_id": ident,
                    "actor_org_id": owner,
                    "occurred_at": now,
                    "payload": {"number": number, "supplier_id": supplier},
                }
                for ident, number, supplier in orders
            ],
        )
    with engine.connect() as connection:  # statistics, as the seed and autovacuum leave them
        connection.execute(text("ANALYZE"))
        connection.commit()
    started = time.perf_counter()
    added = notify_once(factory)
    fanout = time.perf_counter() - started
    with unit_of_work(factory) as uow:
        columns = [c for c in Notification.__table__.columns if c.key != "id"]
        rows: list[dict[str, Any]] = [
            dict(row._mapping) for row in uow.session.execute(select(*columns).order_by(Notification.id))
        ]
        uow.session.execute(delete(Notification))
    assert len(rows) == added == events * 3, (len(rows), added)
    started = time.perf_counter()
    with unit_of_work(factory) as uow:
        uow.session.execute(insert(Notification), rows)
    raw = time.perf_counter() - started
    engine.dispose()
    return {"events": events, "rows": added, "fanout_s": fanout, "raw_s": raw, "ratio": raw / fanout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as tmp:
        result = run(url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.events)
    print(
        f"notifier fan-out: {result['events']:,} events -> {result['rows']:,} inbox rows in "
        f"{result['fanout_s']:.2f} s; raw bulk insert of the same rows {result['raw_s']:.2f} s; "
        f"ratio {result['ratio']:.2f} (target >= {TARGET})"
    )


if __name__ == "__main__":
    main()
