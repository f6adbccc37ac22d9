"""GraphQL throughput: an orders page of 50 with lines and customer, three ways, in one run; then
a page of 50 leads and of 50 opportunities (issue #18: "the same ratios as orders"), two ways.

Run with ``python -m benchmarks.graphql_bench``. Seeds ``portal.seed.seed_demo`` at a small scale
into a temporary SQLite file, tops the benchmarked page up to 50 orders x 10 lines (the workload
the target was set with), then measures for ``BENCH_SECONDS`` (default 4) each, in interleaved
rounds, one request at a time on one event loop (one worker), requests/s and p50/p99 latency of

* ``portal``: POST /graphql on the real GraphQL app (authentication, limits, cost, DataLoaders,
  unit of work) over HTTP, in-process through httpx2's ``ASGITransport`` (no sockets: the
  network stack is not what is measured),
* ``bare``: the same query answered by a bare strawberry schema from in-memory objects (built from
  the portal's own response, so the bytes are the same), through ``strawberry.asgi.GraphQL`` on the
  same transport: the framework's ceiling,
* ``sql``: the raw SQL for the same data (orders page, lines, customers) with Core, rows to JSON,

and the ratio ``portal / bare`` (target >= 0.75). The per-token rate budget is lifted for the run
(it would otherwise answer 429 at this pace, which is its job).

The leads and opportunities pages are measured against a bare schema built the same way, from the
portal's own response, with a type per object of the response (``Lead``, ``Organization``, ...)
whose fields return the response's values: the same bytes, and only strawberry's own work.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import strawberry
from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from portal.config import Settings
from portal.db import make_engine, make_sessionmaker
from portal.gql import Limits, graphql_routes
from portal.heap import settle_heap
from portal.models import Base, Customer, Order, OrderLine
from portal.models.base import utcnow
from portal.seed import DEMO_TOKENS, seed_demo

BENCH_SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
SCALE = 1.0  # 80 leads and 300 opportunities: a page of 50 of each
LINES_PER_ORDER = 10
QUERY = """query { orders(first: 50, orderBy: {field: NUMBER, direction: ASC}) { edges { node {
  id number orderDate currency status
  deliveryParty { name city }
  customer { name city }
  lines { lineNo sku description unitPrice response
          quantityOrdered quantityConfirmed quantityShipped quantityInvoiced }
} } } }"""


# --- (b) the bare schema ------------------------------------------------------------------------


@strawberry.type(name="DeliveryParty")
class BareParty:
    name: str
    city: str | None


@strawberry.type(name="Customer")
class BareCustomer:
    name: str
    city: str | None


@strawberry.type(name="OrderLine")
class BareLine:
    line_no: int
    sku: str | None
    description: str
    unit_price: Decimal
    quantity_ordered: Decimal
    quantity_confirmed: Decimal | None
    quantity_shipped: Decimal
    quantity_invoiced: Decimal
    response: str


@strawberry.type(name="Order")
class BareOrder:
    id: strawberry.ID
    number: str
    order_date: date
    currency: str
    status: str
    delivery_party: BareParty
    customer: BareCustomer | None
    lines: list[BareLine]


@strawberry.type(name="OrderEdge")
class BareEdge:
    node: BareOrder


@strawberry.type(name="OrderConnection")
class BareConnection:
    edges: list[BareEdge]


def bare_app(data: dict[str, Any]) -> Starlette:
    def dec(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    edges = [
        BareEdge(
            node=BareOrder(
                id=strawberry.ID(n["id"]),
                number=n["number"],
                order_date=date.fromisoformat(n["orderDate"]),
                currency=n["currency"],
                status=n["status"],
                delivery_party=BareParty(**n["deliveryParty"]),
                customer=BareCustomer(**n["customer"]) if n["customer"] else None,
                lines=[
                    BareLine(
                        line_no=ln["lineNo"],
                        sku=ln["sku"],
                        description=ln["description"],
                        unit_price=Decimal(ln["unitPrice"]),
                        quantity_ordered=Decimal(ln["quantityOrdered"]),
                        quantity_confirmed=dec(ln["quantityConfirmed"]),
                        quantity_shipped=Decimal(ln["quantityShipped"]),
                        quantity_invoiced=Decimal(ln["quantityInvoiced"]),
                        response=ln["response"],
                    )
                    for ln in n["lines"]
                ],
            )
        )
        for n in (edge["node"] for edge in data["orders"]["edges"])
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def orders(self, first: int | None = None) -> BareConnection:
            return BareConnection(edges=edges[: first or 50])

    schema = strawberry.Schema(query=Query)
    return Starlette(routes=[Route("/graphql", GraphQL(schema, graphql_ide=None))])


BARE_QUERY = QUERY.replace(", orderBy: {field: NUMBER, direction: ASC}", "")


SALES_QUERIES = {
    "leads": """query { leads(first: 50) { edges { node {
  id number company contactName email postalCode city status answerDueAt createdAt
  dealer { name } campaign { name }
} } } }""",
    "opportunities": """query { opportunities(first: 50) { edges { node {
  id number name stage amount currency probability expectedClose weightedAmount
  customer { name city } dealer { name }
} } } }""",
}
SALES_SCALARS: dict[str, tuple[Any, Callable[[str], Any]]] = {  # as the portal's schema types them
    "answerDueAt": (datetime, datetime.fromisoformat),
    "createdAt": (datetime, datetime.fromisoformat),
    "expectedClose": (date, date.fromisoformat),
    "amount": (Decimal, Decimal),
    "weightedAmount": (Decimal, Decimal),
    "id": (strawberry.ID, strawberry.ID),
}
SALES_TYPES = {  # the type of each object in the responses, by its field's name
    "leads": "LeadConnection",
    "opportunities": "OpportunityConnection",
    "edges": "Edge",
    "node": "Node",
    "dealer": "Organization",
    "campaign": "Campaign",
    "customer": "Customer",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def bare_sales_app(name: str, data: dict[str, Any]) -> Starlette:
    """A bare strawberry schema answering ``SALES_QUERIES[name]`` with ``data`` (the portal's own
    response): one type per object, each field typed as the portal types it (dates, times, decimals
    and ids: ``SALES_SCALARS``) or by the values it holds (enums as their names), nullable
    throughout."""
    types: dict[str, Any] = {}

    def type_for(field: str, samples: list[dict[str, Any]]) -> Any:
        type_name = SALES_TYPES[field]
        if type_name not in types:
            annotations: dict[str, Any] = {}
            for key in samples[0]:
                values = [sample[key] for sample in samples if sample.get(key) is not None]
                if key in SALES_SCALARS:
                    annotations[_snake(key)] = SALES_SCALARS[key][0] | None
                elif values and isinstance(values[0], dict):
                    annotations[_snake(key)] = type_for(key, values) | None
                elif values and isinstance(values[0], list):
                    annotations[_snake(key)] = list[type_for(key, [v for vs in values for v in vs])]  # type: ignore[misc]
                elif values and isinstance(values[0], bool):
                    annotations[_snake(key)] = bool | None
                elif values and isinstance(values[0], int):
                    annotations[_snake(key)] = int | None
                else:
                    annotations[_snake(key)] = str | None
            types[type_name] = strawberry.type(type(type_name, (), {"__annotations__": annotations}))
        return types[type_name]

    def build(field: str, value: Any) -> Any:
        if isinstance(value, dict):
            return types[SALES_TYPES[field]](**{_snake(k): build(k, v) for k, v in value.items()})
        if isinstance(value, list):
            return [build(field, v) for v in value]
        if value is not None and field in SALES_SCALARS:
            return SALES_SCALARS[field][1](value)
        return value

    root_type = type_for(name, [data[name]])
    answer = build(name, data[name])
    query_type = strawberry.type(
        type(
            "Query",
            (),
            {"__annotations__": {name: root_type}, name: strawberry.field(resolver=lambda: answer)},
        )
    )
    schema = strawberry.Schema(query=query_type)
    return Starlette(routes=[Route("/graphql", GraphQL(schema, graphql_ide=None))])


def bare_sales_query(name: str) -> str:
    return SALES_QUERIES[name].replace(f"{name}(first: 50)", name)


# --- (c) raw SQL --------------------------------------------------------------------------------


def raw_sql(engine: Engine) -> Callable[[], Awaitable[None]]:
    order_cols = [
        Order.id, Order.number, Order.order_date, Order.currency, Order.customer_id,
        Order.cancelled_at, Order.supplier_id, Order.delivery_name, Order.delivery_city,
    ]  # fmt: skip
    line_cols = [
        OrderLine.order_id, OrderLine.line_no, OrderLine.sku, OrderLine.description, OrderLine.unit_price,
        OrderLine.quantity_ordered, OrderLine.quantity_confirmed, OrderLine.quantity_shipped,
        OrderLine.quantity_invoiced, OrderLine.response, OrderLine.cancelled,
    ]  # fmt: skip

    async def run() -> None:
        with engine.connect() as conn:
            orders = conn.execute(select(*order_cols).order_by(Order.number).limit(50)).mappings().all()
            ids = [o["id"] for o in orders]
            lines = (
                conn.execute(
                    select(*line_cols)
                    .where(OrderLine.order_id.in_(ids))
                    .order_by(OrderLine.order_id, OrderLine.line_no)
                )
                .mappings()
                .all()
            )
            customers = (
                conn.execute(
                    select(Customer.id, Customer.name, Customer.city).where(
                        Customer.id.in_({o["customer_id"] for o in orders})
                    )
                )
                .mappings()
                .all()
            )
        json.dumps(
            [dict(o) for o in orders] + [dict(ln) for ln in lines] + [dict(c) for c in customers], default=str
        )

    return run


def top_up_lines(engine: Engine, orders: int = 50, lines: int = LINES_PER_ORDER) -> None:
    """Demo orders have 1-5 lines; give the benchmarked page 50 orders x 10 lines, the workload the
    target was measured with, by copying each order's last line."""
    with engine.begin() as conn:
        page = conn.execute(select(Order.id).order_by(Order.number).limit(orders)).scalars().all()
        for order_id in page:
            existing = (
                conn.execute(
                    select(OrderLine.__table__)
                    .where(OrderLine.order_id == order_id)
                    .order_by(OrderLine.line_no)
                )
                .mappings()
                .all()
            )
            last = dict(existing[-1])
            for line_no in range(len(existing) + 1, lines + 1):
                conn.execute(OrderLine.__table__.insert().values({**last, "id": None, "line_no": line_no}))
    # Lines written with Core bypass the flush hook that keeps each order's status and total: touch
    # the orders through the ORM so that the hook brings them up to date.
    with make_sessionmaker(engine).begin() as session:
        for order in session.scalars(
            select(Order).where(Order.id.in_(page)).options(selectinload(Order.lines))
        ):
            order.updated_at = utcnow()


# --- measuring ----------------------------------------------------------------------------------


ROUNDS = 12


async def measure_interleaved(
    calls: dict[str, Callable[[], Awaitable[None]]], seconds: float
) -> dict[str, tuple[float, float, float]]:
    """Requests/s, p50 ms and p99 ms per contender. The contenders take turns in short rounds, so
    a busy machine (other processes) slows all of them alike instead of whichever ran last."""
    for call in calls.values():
        for _ in range(5):  # warm caches (parser, validation, compiled statements)
            await call()
    latencies: dict[str, list[float]] = {name: [] for name in calls}
    elapsed = dict.fromkeys(calls, 0.0)
    for _ in range(ROUNDS):
        for name, call in calls.items():
            started = time.perf_counter()
            while time.perf_counter() - started < seconds / ROUNDS:
                t0 = time.perf_counter()
                await call()
                latencies[name].append(time.perf_counter() - t0)
            elapsed[name] += time.perf_counter() - started
    result = {}
    for name, values in latencies.items():
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        result[name] = (len(values) / elapsed[name], statistics.median(values) * 1000, p99 * 1000)
    return result


def poster(client: httpx2.AsyncClient, query: str, headers: dict[str, str]) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        response = await client.post("/graphql", json={"query": query}, headers=headers)
        if response.status_code != 200 or "errors" in response.json():
            raise RuntimeError(response.text[:500])

    return call


async def main_async(folder: Path) -> None:
    engine = make_engine(f"sqlite:///{folder / 'bench.sqlite3'}")
    Base.metadata.create_all(engine)
    seeded = seed_demo(engine, scale=SCALE)
    top_up_lines(engine)
    settings = Settings(database_url=str(engine.url))
    limits = Limits(rate_capacity=1e12, rate_per_second=1e12)
    portal_app = Starlette(routes=graphql_routes(settings, make_sessionmaker(engine), limits))
    headers = {"Authorization": f"Bearer {DEMO_TOKENS['waermewerk']}"}
    transport = httpx2.ASGITransport(app=portal_app)
    ratios: dict[str, float] = {}
    async with httpx2.AsyncClient(transport=transport, base_url="http://bench") as portal_client:
        data = (await portal_client.post("/graphql", json={"query": QUERY}, headers=headers)).json()["data"]
        lines = sum(len(e["node"]["lines"]) for e in data["orders"]["edges"])
        print(f"seeded {seeded.rows:,} rows; page: {len(data['orders']['edges'])} orders, {lines} lines")
        bare_transport = httpx2.ASGITransport(app=bare_app(data))
        async with httpx2.AsyncClient(transport=bare_transport, base_url="http://bench") as bare_client:
            same = (await bare_client.post("/graphql", json={"query": BARE_QUERY})).json()
            if same["data"] != data:
                raise RuntimeError("the bare schema does not answer the same response")
            settle_heap()  # as `portal serve` does at startup; process-wide, so for every contender
            contenders = {
                "portal": poster(portal_client, QUERY, headers),
                "bare": poster(bare_client, BARE_QUERY, {}),
                "sql": raw_sql(engine),
            }
            results = await measure_interleaved(contenders, BENCH_SECONDS * len(contenders))
        _print("orders", results)
        ratios["orders"] = results["portal"][0] / results["bare"][0]
        for name, query in SALES_QUERIES.items():
            response = (await portal_client.post("/graphql", json={"query": query}, headers=headers)).json()
            if "errors" in response or len(response["data"][name]["edges"]) != 50:
                raise RuntimeError(f"the {name} page is not 50 rows: {str(response)[:500]}")
            bare = httpx2.ASGITransport(app=bare_sales_app(name, response["data"]))
            async with httpx2.AsyncClient(transport=bare, base_url="http://bench") as bare_client:
                same = (await bare_client.post("/graphql", json={"query": bare_sales_query(name)})).json()
                if same["data"] != response["data"]:
                    raise RuntimeError(f"the bare {name} schema does not answer the same response")
                contenders = {
                    "portal": poster(portal_client, query, headers),
                    "bare": poster(bare_client, bare_sales_query(name), {}),
                }
                results = await measure_interleaved(contenders, BENCH_SECONDS * len(contenders))
            _print(name, results)
            ratios[name] = results["portal"][0] / results["bare"][0]
    engine.dispose()
    print(
        "portal / bare: "
        + ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items())
        + f" (target >= 0.75)  {'OK' if min(ratios.values()) >= 0.75 else 'BELOW TARGET'}"
    )


def _print(name: str, results: dict[str, tuple[float, float, float]]) -> None:
    print(f"{name:14} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for contender, (rps, p50, p99) in results.items():
        print(f"  {contender:12} {rps:9.1f} {p50:9.2f} {p99:9.2f}")
    ratio = results["portal"][0] / results["bare"][0]
    print(f"  portal / bare = {ratio:.2f} (target >= 0.75)  {'OK' if ratio >= 0.75 else 'BELOW TARGET'}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(main_async(Path(folder)))


if __name__ == "__main__":
    main()
