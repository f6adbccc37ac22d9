"""Gap-free named counters (order numbers, case numbers, EDI control numbers per partner)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Counter


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter ``name``. The row lock makes concurrent callers queue."""
    counter = session.get(Counter, name, with_for_update=True)
    if counter is None:
        counter = Counter(name=name, value=0)
        session.add(counter)
    counter.value += 1
    session.flush()
    return counter.value
