"""Peak memory of the exchange worker for one big inbound file (issue #12 item 4).

For a 50 MB X12 850 interchange and a 50 MB EDIFACT ORDERS interchange, a real `portal exchange run
--once` process fetches the file, stores it in the ledger, decodes it message by message, applies
each message in its savepoint (each is refused: a supplier sends no purchase orders, so what is
measured is intake, decoding and the per-message work without thousands of orders being created),
records every message's result in the ledger and writes the CONTRL / 997. Each process runs under a
small wrapper that reports its child's peak RSS (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``).
In the same run, these baselines:

* ``python reads the file``: a bare Python process that reads the same file into memory;
* ``python decodes file``: a bare Python process that reads it and runs ``edi.decode_all`` on it
  (every document at once: what the worker held before it streamed);
* ``python streams file``: the same with ``edi.iter_messages`` (one document at a time, as the worker
  does now);
* ``worker, empty inbox``: the worker's own imports and database work without a file.

Target: the worker's peak RSS stays under 200 MB for a 50 MB file.

The ledger is SQLite by default; ``--postgres URL`` (a server URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) runs each measurement in a database of
its own created there and dropped after.

    python -m benchmarks.fault_worker_bench [--mb 50] [--postgres URL]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import make_url, text

from benchmarks.edi_bench_edifact import make_orders_interchange
from benchmarks.edi_bench_x12 import make_850_interchange
from portal.db import make_engine, make_sessionmaker
from portal.migrate import upgrade
from portal.models import ExchangeProfile, ExchangeRecord
from tests.exchange.helpers import partner_scene

TARGET_MB = 200.0
PORTAL = str(Path(sys.executable).parent / "portal")
# Runs the command given as arguments and prints the peak RSS of its process tree, in KiB (Linux).
WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_rss(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit code) of ``command`` run in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], env=env, capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    code, kib = done.stdout.split()
    return int(kib) / 1024, seconds, int(code)


def sized(make: object, target_bytes: int, unit: int) -> bytes:
    """Call ``make(count)`` with a count that gives about ``target_bytes``."""
    assert callable(make)
    sample = make(unit)
    count = max(1, round(unit * target_bytes / len(sample)))
    return bytes(make(count))


@contextlib.contextmanager
def database(workdir: Path, server: str | None) -> Iterator[str]:
    """A fresh ledger database's URL: SQLite in ``workdir``, or one created on the ``server``."""
    if server is None:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"fault_worker_bench_{os.getpid()}"
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


def measure(name: str, data: bytes, fmt: str, sender: str, tmp: Path, server: str | None) -> None:
    workdir = tmp / name
    workdir.mkdir()
    with database(workdir, server) as url:
        _measure(name, data, fmt, sender, workdir, url)


def _measure(name: str, data: bytes, fmt: str, sender: str, workdir: Path, url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    partner = partner_scene(factory, workdir / "partner", fmt)
    with factory.begin() as session:  # the generated files come from this partner
        session.query(ExchangeProfile).update({ExchangeProfile.partner_id: sender})
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_EXCHANGE_MAX_FILE_BYTES": str(len(data) + 1),
    }
    env.pop("PORTAL_EXCHANGE_CRASH_AT", None)
    idle_mb, _, _ = peak_rss([PORTAL, "exchange", "run", "--once"], env)
    path = partner.drop(f"big.{fmt}", data)
    bare_mb, _, _ = peak_rss([sys.executable, "-c", f"open({str(path)!r}, 'rb').read()"], env)
    decode = f"import edi; edi.decode_all(open({str(path)!r}, 'rb').read())"
    decode_mb, decode_s, _ = peak_rss([sys.executable, "-c", decode], env)
    stream = f"import edi; s = edi.iter_messages(open({str(path)!r}, 'rb').read()); all(s); s.summary()"
    stream_mb, stream_s, _ = peak_rss([sys.executable, "-c", stream], env)
    worker_mb, seconds, code = peak_rss([PORTAL, "exchange", "run", "--once"], env)
    with factory() as session:
        outcome = [
            (r.state.value, r.message_type, len(r.messages), (r.error or "")[:60])
            for r in session.query(ExchangeRecord).order_by(ExchangeRecord.id)
        ]
    engine.dispose()
    size_mb = len(data) / 1e6
    verdict = "meets" if worker_mb < TARGET_MB else "MISSES"
    where = url.split(":", 1)[0]
    print(
        f"{name} ({where}): {size_mb:.1f} MB file, worker exit {code} in {seconds:.1f} s, ledger {outcome}\n"
        f"  worker peak RSS     {worker_mb:8.1f} MB  ({verdict} the target of {TARGET_MB:.0f} MB)\n"
        f"  python reads file   {bare_mb:8.1f} MB  (worker / this = {worker_mb / bare_mb:.1f}x)\n"
        f"  python decodes file {decode_mb:8.1f} MB  in {decode_s:.1f} s (worker / this = "
        f"{worker_mb / decode_mb:.1f}x)\n"
        f"  python streams file {stream_mb:8.1f} MB  in {stream_s:.1f} s\n"
        f"  worker, empty inbox {idle_mb:8.1f} MB  (the file costs the worker {worker_mb - idle_mb:.1f} MB, "
        f"{(worker_mb - idle_mb) / size_mb:.1f}x its size)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=50.0, help="size of each file in MB (default 50)")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to keep the ledger on")
    args = parser.parse_args()
    target = int(args.mb * 1e6)
    with tempfile.TemporaryDirectory(prefix="fault-worker-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        x12 = sized(make_850_interchange, target, 200)
        measure("X12 850", x12, "x12", "SENDER", tmp, args.postgres)
        del x12
        edifact = sized(make_orders_interchange, target, 200)
        measure("EDIFACT ORDERS", edifact, "edifact", "4012345000009", tmp, args.postgres)


if __name__ == "__main__":
    main()
