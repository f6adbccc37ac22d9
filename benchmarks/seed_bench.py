"""Seeding the demo world at several scales: rows per second and peak memory (issue #15).

Each scale runs `portal.seed.seed_demo` in a fresh process on a fresh database (a temporary SQLite
file, or a database of its own created on the PostgreSQL server given and dropped after), with the
same anchor date. The process reports its peak RSS (``ru_maxrss``) and, as the floor, its RSS after
the imports and the schema, before seeding. Ratios are against the first (smallest) scale of the same
run; "cpu s" is the seeding process's own CPU time (the database server's is not in it), which
varies less than wall time on a shared machine. Targets: peak RSS of the largest scale at most 1.5x
that of the one before it (flat in the scale), rows/s not lower at the larger scales.

    python -m benchmarks.seed_bench [--scales 1,10] [--postgres URL]

``--postgres`` takes a server URL such as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
(default: ``PORTAL_BENCH_DATABASE_URL``; unset: SQLite).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import make_url, text

from portal.db import make_engine

ANCHOR = "2026-03-02"
TARGET_MEMORY_RATIO = 1.5
# Runs in the child: schema, floor RSS, seed, peak RSS (Linux: ru_maxrss in KiB).
CHILD = """
import json, resource, sys
from datetime import date
from portal.db import make_engine
from portal.models import Base
from portal.seed import seed_demo

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

engine = make_engine(sys.argv[1])
Base.metadata.create_all(engine)
floor = rss_mb()
before = resource.getrusage(resource.RUSAGE_SELF)
cpu = before.ru_utime + before.ru_stime
result = seed_demo(engine, scale=float(sys.argv[2]), anchor=date.fromisoformat(sys.argv[3]))
engine.dispose()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "rows": result.rows,
    "seconds": result.seconds,
    "floor_mb": floor,
    "peak_mb": usage.ru_maxrss / 1024,
    "cpu_s": usage.ru_utime + usage.ru_stime - cpu,
}))
"""


@contextlib.contextmanager
def database(workdir: Path, server: str | None, scale: float) -> Iterator[str]:
    """A fresh, empty database's URL: SQLite in ``workdir``, or one created on the ``server``."""
    if server is None:
        yield f"sqlite:///{workdir / f'seed_{scale:g}.sqlite3'}"
        return
    name = f"seed_bench_{os.getpid()}_{str(scale).replace('.', '_')}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


def measure(scale: float, workdir: Path, server: str | None) -> dict[str, float]:
    with database(workdir, server, scale) as url:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, url, str(scale), ANCHOR],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode:
        raise SystemExit(f"seeding at scale {scale:g} failed:\n{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    figures["rows_per_s"] = figures["rows"] / figures["seconds"]
    return figures


def run(scales: list[float], server: str | None) -> list[tuple[float, dict[str, float]]]:
    with tempfile.TemporaryDirectory(prefix="seed-bench-") as tmp:
        return [(scale, measure(scale, Path(tmp), server)) for scale in scales]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", default="1,10", help="comma-separated, smallest first (default 1,10)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("PORTAL_BENCH_DATABASE_URL"),
        help="a PostgreSQL server to seed on (default: PORTAL_BENCH_DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args()
    scales = sorted(float(s) for s in args.scales.split(","))
    results = run(scales, args.postgres)
    where = "postgresql" if args.postgres else "sqlite"
    base = results[0][1]
    print(f"seed_demo on {where}, anchor {ANCHOR}; ratios against scale {scales[0]:g}")
    head = ("scale", "rows", "seconds", "rows/s", "ratio", "cpu s", "floor MB", "peak MB", "ratio")
    print("{:>7} {:>12} {:>8} {:>8} {:>6} {:>7} {:>9} {:>8} {:>6}".format(*head))
    for scale, f in results:
        print(
            f"{scale:>7g} {f['rows']:>12,.0f} {f['seconds']:>8.1f} {f['rows_per_s']:>8,.0f}"
            f" {f['rows_per_s'] / base['rows_per_s']:>6.2f} {f['cpu_s']:>7.1f} {f['floor_mb']:>9.1f}"
            f" {f['peak_mb']:>8.1f} {f['peak_mb'] / base['peak_mb']:>6.2f}"
        )
    if len(results) > 1:
        (_, before), (largest, last) = results[-2], results[-1]
        ratio = last["peak_mb"] / before["peak_mb"]
        verdict = "meets" if ratio <= TARGET_MEMORY_RATIO else "MISSES"
        speed = last["rows_per_s"] / before["rows_per_s"]
        print(
            f"scale {largest:g} / the scale before: peak RSS {ratio:.2f}x ({verdict} the target of"
            f" <= {TARGET_MEMORY_RATIO}), rows/s {speed:.2f}x"
        )


if __name__ == "__main__":
    main()
