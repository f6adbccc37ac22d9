"""Crash points for the fault tests: ``PORTAL_EXCHANGE_CRASH_AT=<step>`` kills the worker process
right there, as a power cut would (no cleanup, no rollback handlers, no finally blocks)."""

from __future__ import annotations

import os

STEPS = ("fetched", "stored", "archived", "claimed", "applied", "queued", "uploaded")


def checkpoint(step: str) -> None:
    if os.environ.get("PORTAL_EXCHANGE_CRASH_AT") == step:
        os._exit(86)
