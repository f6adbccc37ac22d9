"""Which page handlers run in the thread pool at once: one, unless the one running takes long.

A page's work is Python under the GIL, with the GIL let go at every database call (SQLite's for
every row it steps through). Two or more handler threads on two or more cores hand the GIL back
and forth at each of those calls, and each hand-over wakes a thread on the other core: measured on
a 2-core machine with four requests at a time, the orders page served 360-650 requests/s with
every handler free to run, and 740-780 with one at a time (`benchmarks.web_bench`).

But one at a time is what issue #15 forbade: a slow page (a deep search, a lock) would then stall
every other page of the process. So admission waits only behind a page that is quick: a handler
that has held the turn for :data:`PATIENCE` lets every waiting and every new handler run beside it
(each in its own thread, as before, up to the thread pool's size) until it finishes. A queue of
quick pages stays a queue (each waits for the ones before it, a millisecond or two each); a slow
page costs the others at most that patience. On PostgreSQL a handler also waits for the network at
every statement, and another handler may use that time: there, two at a time (:func:`slots_for`;
measured on the same machine, 1, 2 and 4 served the same within the noise).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

__all__ = ["PATIENCE", "Admission", "slots_for"]

PATIENCE = 0.025  # seconds a handler may hold a turn before the others stop waiting for it


class Admission:
    """Turns for page handlers: ``slots`` at a time while they are quick (see the module)."""

    def __init__(self, slots: int, patience: float = PATIENCE) -> None:
        if slots < 1:
            raise ValueError("admission needs at least one slot")
        self.slots = slots
        self.patience = patience
        self._turns: anyio.Semaphore | None = None  # made in the event loop that uses it
        self._started: dict[object, float] = {}  # per held turn: when it was taken

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a turn while the block runs; or run without one once the turns' holder that has
        held its turn longest has held it longer than the patience."""
        if self._turns is None:
            self._turns = anyio.Semaphore(self.slots)
        turns = self._turns
        while True:
            if turns.value > 0:  # nobody waits (a released turn goes to a waiter directly)
                turns.acquire_nowait()
                break
            # A turn taken a moment ago may not be registered yet: it counts as taken now.
            since = min(self._started.values(), default=time.monotonic())
            left = since + self.patience - time.monotonic()
            if left <= 0:
                yield  # the running handler is slow: do not wait for it
                return
            with anyio.move_on_after(left):
                await turns.acquire()
                break
        ticket = object()
        self._started[ticket] = time.monotonic()
        try:
            yield
        finally:
            del self._started[ticket]
            turns.release()


def slots_for(dialect: str) -> int:
    """Handlers at a time for a database: one on SQLite (in-process, no network wait to overlap),
    two on a database across a connection."""
    return 1 if dialect == "sqlite" else 2
