"""Garbage collection in the long-running processes (`portal serve`, the worker).

After start-up a process holds a few hundred thousand objects that live as long as it does:
modules, the GraphQL schema, SQLAlchemy's mappers and compiled statements. Python's cyclic
collector walks all of them at each full collection, and a worker that loads and drops thousands
of ORM rows a second triggers many: the webhook dispatcher spent a third of its time there
(`benchmarks/webhook_bench.py`: 0.38 of the bare client loop before, 0.56 after, issue #16).
`gc.freeze` moves them to a generation the collector never walks; objects made later are
collected as before. The application does it in its lifespan (under load this halved the API's
p99 latency), the worker loop when it starts.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect what start-up left behind, then freeze the rest out of the collector's sight."""
    gc.collect()
    gc.freeze()
