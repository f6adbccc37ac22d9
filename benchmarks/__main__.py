"""`make bench`: every benchmark, one after the other, each printing its ratios against the baseline it
measures in the same run. One benchmark alone: ``python -m benchmarks.<name>``."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = (
    "seed_bench",
    "edi_bench",
    "graphql_bench",
    "web_bench",
    "exchange_bench",
    "notify_bench",
    "fault_healthz_bench",
    "serve_workers_bench",
    "webhook_bench",
)


def main() -> None:
    for name in BENCHMARKS:
        print(f"\n##### benchmarks.{name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        sys.argv = [f"benchmarks.{name}"]
        module.main()


if __name__ == "__main__":
    main()
