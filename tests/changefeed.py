"""Waiting until the change feed (portal.changes) may pass what a test wrote.

On PostgreSQL the feed reads only the events of transactions below the oldest transaction still
running on the whole server, and the tests of other workers (and other test runs) share the server:
a test that reads the feed right after writing could find its own events held back for a moment by
someone else's transaction (a demo seed, a schema being dropped, a transaction kept open on purpose).
A test that means "the feed now shows what I wrote" waits for that first. On SQLite: at once.
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from portal import changes
from portal.models import Event

# seconds: another worker's migration test upgrades a seeded database in one transaction (up to two
# minutes on a loaded machine); the wait is that long only while such a transaction runs
TIMEOUT = 300.0


def settle(bind: Engine | sessionmaker[Session], timeout: float = TIMEOUT) -> changes.Position:
    """Until the feed may pass every event written so far; returns the newest event's position.
    A subscription's next event may take as long to arrive: wait for it :data:`TIMEOUT` too."""
    with bind() if isinstance(bind, sessionmaker) else Session(bind) as session:
        row = session.execute(
            select(Event.txid, Event.id).order_by(Event.txid.desc(), Event.id.desc()).limit(1)
        )
        newest = next((changes.Position(txid, ident) for txid, ident in row), changes.START)
        deadline = time.monotonic() + timeout
        while changes.latest_cursor(session) < newest:
            assert time.monotonic() < deadline, f"the feed did not reach {newest} in {timeout} s"
            time.sleep(0.01)  # polling for a state, with a deadline: another worker's transaction
        return newest
