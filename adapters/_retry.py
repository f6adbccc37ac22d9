"""Bounded retries with exponential backoff for transient errors."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from adapters.errors import TransientError

__all__ = ["RetryPolicy"]

_log = logging.getLogger("adapters.retry")
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a transient error is retried.

    ``attempts`` counts the first try: ``attempts=1`` means no retry. The delay before retry
    ``n`` (1-based) is ``min(max_delay, base_delay * 2 ** (n - 1))``, multiplied by a random
    factor in ``[1 - jitter, 1]`` so that many workers do not reconnect in lockstep. ``sleep`` is
    injectable so tests can record delays instead of waiting.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 10.0
    jitter: float = 0.2
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        delay = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        if self.jitter:
            delay *= 1.0 - random.uniform(0.0, self.jitter)  # noqa: S311 - spreading load, not secrecy
        return delay

    def run(self, operation: Callable[[], T]) -> T:
        """Call ``operation`` until it returns, raises a non-transient error, or attempts run out."""
        for attempt in range(1, self.attempts + 1):
            try:
                return operation()
            except TransientError as exc:
                if attempt == self.attempts:
                    raise
                delay = self.delay(attempt)
                _log.warning(
                    "transient error (attempt %d of %d), retrying in %.2fs: %s",
                    attempt,
                    self.attempts,
                    delay,
                    exc,
                )
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
