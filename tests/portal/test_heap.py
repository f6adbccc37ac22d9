"""The long-running processes freeze their start-up heap out of the cyclic collector's sight
(`portal.heap`): the application in its lifespan (tests/portal/test_cli.py), the worker loop here."""

from __future__ import annotations

import gc
import threading

from sqlalchemy.orm import Session, sessionmaker

from portal.exchange.worker import run_forever


def test_the_worker_loop_settles_its_heap_before_its_first_pass(factory: sessionmaker[Session]) -> None:
    stopped = threading.Event()
    stopped.set()  # no pass at all: only what the loop does when it starts
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    run_forever(factory, stop=stopped)
    assert gc.get_freeze_count() > 10_000  # modules, mappers, compiled statements
