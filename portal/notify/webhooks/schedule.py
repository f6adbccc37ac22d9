"""When a failed delivery is tried again: the schedule Standard Webhooks and Svix document
(immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over 27.6 hours). After
the last failure the delivery is failed and its endpoint disabled."""

from __future__ import annotations

from datetime import timedelta

# Delay before attempt n+1 after attempt n failed (index n-1); len + 1 attempts in all.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def delay_after(attempts: int) -> timedelta | None:
    """How long to wait after the ``attempts``-th failed attempt; None: give up."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]


def total_span() -> timedelta:
    return sum(RETRY_DELAYS, timedelta())
