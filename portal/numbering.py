"""Gap-free named counters (order numbers, case numbers, EDI control numbers per partner)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.models import Counter


def locked_counter(session: Session, name: str) -> Counter:
    """The counter row ``name``, created if missing, locked until the transaction ends. Concurrent
    callers queue on the row lock; creating it races harmlessly (INSERT ... ON CONFLICT DO NOTHING)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"])
    )
    counter = session.get(Counter, name, with_for_update=True, populate_existing=True)
    assert counter is not None
    return counter


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter ``name``."""
    counter = locked_counter(session, name)
    counter.value += 1
    session.flush()
    return counter.value
