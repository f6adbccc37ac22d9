"""Timestamps are UTC-aware on both databases (`portal.models.base.UTCDateTime`): stored as naive UTC
text on SQLite and read back in one call; a naive datetime is refused on the way in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.models import Event
from portal.models.base import UTCDateTime, _utc_from_sqlite_text


def test_a_timestamp_comes_back_as_the_same_instant_in_utc(factory: sessionmaker[Session]) -> None:
    berlin = timezone(timedelta(hours=1))
    moment = datetime(2026, 12, 7, 8, 30, 15, 123456, tzinfo=berlin)
    with factory() as session:  # the factory fixture empties the tables after the test
        session.add(Event(kind="x.y", entity="x", entity_id=1, occurred_at=moment, payload={}))
        session.commit()
        stored = session.scalar(select(Event.occurred_at).where(Event.kind == "x.y"))
    assert stored == moment and stored is not None and stored.tzinfo is UTC
    assert (stored.hour, stored.microsecond) == (7, 123456)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-07 07:30:15.123456", datetime(2026, 12, 7, 7, 30, 15, 123456, tzinfo=UTC)),
        ("2026-12-07 07:30:15", datetime(2026, 12, 7, 7, 30, 15, tzinfo=UTC)),  # written by SQL
        ("2026-12-07T08:30:15+01:00", datetime(2026, 12, 7, 7, 30, 15, tzinfo=UTC)),  # with an offset
        (datetime(2026, 12, 7, 7, 30), datetime(2026, 12, 7, 7, 30, tzinfo=UTC)),  # a driver's datetime
        (None, None),
    ],
)
def test_sqlite_text_of_every_shape_reads_as_utc(text: object, expected: datetime | None) -> None:
    got = _utc_from_sqlite_text(text)
    assert got == expected and (got is None or got.tzinfo is UTC)


def test_a_naive_datetime_is_refused() -> None:
    from sqlalchemy.dialects import sqlite

    with pytest.raises(ValueError, match="naive datetime"):
        UTCDateTime().process_bind_param(datetime(2026, 12, 7), sqlite.dialect())
