"""One timed call, the way ``timeit`` times: CPU time of this process, with the garbage collector
collected before and switched off during the call, so that neither other processes on a shared
machine nor the collector's timing (which depends on what earlier rounds left on the heap) decide
the figures."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(fn: Callable[[bytes], T], payload: bytes) -> tuple[T, float]:
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        result = fn(payload)
        return result, time.process_time() - start
    finally:
        gc.enable()
