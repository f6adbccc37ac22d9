"""Readable reasons for whatever went wrong while processing one file.

The worker catches every exception at the per-file boundary (a codec bug, a database refusal, a
limit of a PDF library, running out of memory) and stores the reason in the ledger. The reason must
be storable itself: it is cut to a sane length and carries no NUL byte (PostgreSQL refuses those in
text, which is one of the ways a file fails in the first place)."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError

MAX_REASON = 1000


class StepFailed(Exception):
    """``step`` (e.g. "decoding the file") raised ``__cause__``."""

    def __init__(self, step: str, cause: BaseException) -> None:
        super().__init__(f"{step} failed")
        self.step = step
        self.cause = cause


def clean(text: str, limit: int = MAX_REASON) -> str:
    """``text`` without NUL and other control characters (but newlines), at most ``limit`` characters."""
    cleaned = "".join(
        ch if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127) else f"\\x{ord(ch):02x}" for ch in text
    )
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def detail(exc: BaseException) -> str:
    """The exception's own words: for a database error the driver's first line, not the SQL."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        if isinstance(exc, DataError):
            return f"the database refused the data ({text})"
        return f"the database reported an error ({text})"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_AFTER = "Nothing of the file was applied; fix the cause and process it again, or discard it"


def reason(exc: BaseException) -> str:
    """A reason an operator can act on: which step failed, and why."""
    if isinstance(exc, StepFailed):
        return clean(f"{exc.step} failed: {detail(exc.cause).rstrip('.')}. {_AFTER}")
    return clean(f"processing failed: {detail(exc).rstrip('.')}. {_AFTER}")
