"""Issue #15 against real processes: a `portal serve` on the demo seed and a `portal exchange run`
worker on the same database.

1. A big CSV export (a threshold of 10 rows) is offered as "prepare the export"; the worker
   prepares it; the download equals the inline CSV of the same list (served by a second `portal
   serve` with the default threshold).
2. A stalled database read does not stall the server (PostgreSQL): while requests for the cases
   list wait for a table lock that the test holds, another client's orders page 1 answers; the
   waiting requests finish only after the lock is released. Ordering of completion, no time
   thresholds: if a page read on the event loop, the orders page would wait for the lock too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import text

from portal.db import make_engine
from portal.migrate import upgrade
from portal.seed import DEMO_PASSWORD, seed_demo
from tests.web.live import private_schema, serve

pytestmark = pytest.mark.slow
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
OWNER = "admin@waermewerk.example"
DEADLINE = 120.0
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET = "exports-e2e-secret-key-0123456789abcdef"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ExitStack() as stack:
        if PG_URL:
            url = stack.enter_context(private_schema(PG_URL, "e2e_exports"))
        else:
            url = f"sqlite:///{Path(tmp_path_factory.mktemp('exports')) / 'portal.sqlite3'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            seed_demo(engine, scale=0.05, anchor=date.today())
        finally:
            engine.dispose()
        yield url


@contextmanager
def login(base: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=base, follow_redirects=False, timeout=60) as client:
        page = client.get("/login?lang=en")
        match = CSRF.search(page.text)
        assert match
        answer = client.post(
            "/login", data={"csrf": match.group(1), "email": OWNER, "password": DEMO_PASSWORD, "next": "/"}
        )
        assert answer.status_code == 303, answer.text[:300]
        yield client


def test_the_worker_prepares_a_big_export_that_downloads_as_the_inline_csv(database: str) -> None:
    low = {"PORTAL_EXPORT_INLINE_ROWS": "10"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "exchange", "run", "--interval", "0.5"],
        env={**os.environ, "PORTAL_DATABASE_URL": database},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with (
            serve(database, secret_key=SECRET, extra_env=low) as base,
            serve(database, secret_key=SECRET) as inline_base,
            login(base) as client,
            login(inline_base) as inline_client,
        ):
            offer = client.get("/orders.csv?sort=number&dir=asc&lang=en")
            assert offer.headers["content-type"].startswith("text/html"), offer.headers
            fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', offer.text))
            fields["query"] = fields["query"].replace("&amp;", "&")
            answer = client.post("/exports", data=fields)
            assert answer.status_code == 303 and answer.headers["location"] == "/exports"
            deadline = time.monotonic() + DEADLINE
            while True:
                mine = client.get("/exports").text
                link = re.search(r'href="(/exports/\d+/download)"', mine)
                if link:
                    break
                assert "Failed" not in mine, mine
                assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
                assert time.monotonic() < deadline, "the worker did not prepare the export in time"
                time.sleep(0.2)  # polling the page until the worker is done, not a synchronisation sleep
            download = client.get(link.group(1))
            assert download.status_code == 200
            inline = inline_client.get("/orders.csv?sort=number&dir=asc")
            assert inline.headers["content-type"].startswith("text/csv")
            assert download.content == inline.content
            assert download.content.decode("utf-8-sig").count("\r\n") > 10  # over the threshold
            with login(inline_base) as other:  # same user, another session: still theirs
                assert other.get(link.group(1)).status_code == 200
    finally:
        worker.terminate()
        worker.wait(timeout=10)
        if worker.stderr:
            worker.stderr.close()


@pytest.mark.skipif(
    not PG_URL, reason="a table lock that readers wait for: PostgreSQL (SQLite's WAL readers never wait)"
)
def test_a_stalled_read_does_not_stall_other_requests(database: str) -> None:
    assert PG_URL
    done: list[str] = []
    lock = threading.Lock()
    blocker = make_engine(database)
    try:
        with serve(database, secret_key=SECRET) as base, login(base) as slow_client, login(base) as other:
            assert other.get("/orders").status_code == 200  # warm: shells, connections
            assert slow_client.get("/cases").status_code == 200

            def slow(n: int) -> None:
                with httpx2.Client(base_url=base, cookies=slow_client.cookies, timeout=120) as c:
                    status = c.get(f"/cases?n={n}").status_code
                with lock:
                    done.append(f"cases {n}: {status}")

            with blocker.connect() as conn:
                transaction = conn.begin()
                conn.execute(text("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE"))
                waiting = [threading.Thread(target=slow, args=(n,)) for n in range(4)]
                for thread in waiting:
                    thread.start()
                # The four requests are in the server, each waiting for the lock in the database.
                deadline = time.monotonic() + DEADLINE
                while _waiting_on_lock(conn) < 4:
                    assert time.monotonic() < deadline, (done, _activity(conn))
                    time.sleep(0.05)  # polling pg_stat_activity, not a synchronisation sleep
                page = other.get("/orders")
                with lock:
                    done.append(f"orders: {page.status_code}")
                assert not any(entry.startswith("cases") for entry in done)
                transaction.rollback()
            for thread in waiting:
                thread.join(timeout=DEADLINE)
    finally:
        blocker.dispose()
    assert done[0] == "orders: 200"
    assert sorted(done[1:]) == [f"cases {n}: 200" for n in range(4)]


def _activity(conn: object) -> list[object]:
    from sqlalchemy import Connection

    assert isinstance(conn, Connection)
    return list(
        conn.execute(
            text(
                "SELECT wait_event_type, wait_event, state, left(query, 80) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).all()
    )


def _waiting_on_lock(conn: object) -> int:
    from sqlalchemy import Connection

    assert isinstance(conn, Connection)
    # Within a transaction (the one holding the lock) the activity view is a snapshot: refresh it.
    conn.execute(text("SELECT pg_stat_clear_snapshot()"))
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
        or 0
    )
