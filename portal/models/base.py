"""Declarative base and the column types every model shares."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, Index, MetaData, Numeric, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeEngine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every database. Naive datetimes are refused: they are a bug."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; use UTC-aware datetimes")
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        # SQLite keeps text: store it without offset so that text order equals time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None]:
        if dialect.name == "sqlite":
            # The text stored above, read in one C call: a tenth of SQLAlchemy's parse followed by
            # process_result_value (a page of 50 leads reads some 400 timestamps).
            return _utc_from_sqlite_text
        return super().result_processor(dialect, coltype)  # type: ignore[return-value]


_fromisoformat = datetime.fromisoformat


def _utc_from_sqlite_text(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return _fromisoformat(value + "+00:00")  # naive UTC text, as process_bind_param writes it
    except (TypeError, ValueError):  # text with an offset, or a datetime a driver already made
        parsed = value if isinstance(value, datetime) else _fromisoformat(value)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class Amount(TypeDecorator[Decimal]):
    """Exact decimals for quantities and money: NUMERIC(18, 4) on PostgreSQL; on SQLite, which has no
    decimal type, a zero-padded text whose order is numeric order for non-negative values."""

    impl = Numeric(18, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(18, 4))

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(value)
        if dialect.name == "sqlite":
            # Fixed width, four decimals (format rounds): text order is numeric order for values >= 0.
            return f"{value:019.4f}" if value >= 0 else f"-{-value:018.4f}"
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # This runs for every amount of every page (3,000 on an API page of 50 orders), and the
        # same quantities and prices come back again and again: decoded values are remembered
        # (Decimal is immutable, so sharing one is safe).
        decoded = _DECODED.get(value)
        if decoded is None:
            text = value if isinstance(value, str) else str(value)
            if "." in text:  # trailing zeros go by text: 12.5000 reads 12.5
                text = text.rstrip("0").rstrip(".")
            decoded = Decimal(text)
            if len(_DECODED) >= 50_000:
                _DECODED.clear()
            _DECODED[value] = decoded
        return decoded


# Stored form (SQLite text or the driver's Decimal) -> the Decimal the models see.
_DECODED: dict[Any, Decimal] = {}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def enum_type(cls: type[enum.StrEnum]) -> Enum:
    """A VARCHAR holding the enum's value ("dealer"), readable in raw SQL and exports."""
    return Enum(
        cls,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def sort_indexes(table: str, *keys: str | tuple[str, ...]) -> tuple[Index, ...]:
    """The indexes of a list's sorts: ``(sort column, id)`` per key, the keyset paginator's
    ``(sort, id) > (:value, :id)`` read as one index range (``portal.reading.keyset``). A key may
    lead with the organization column a dealer's or supplier's list is filtered by:
    ``("dealer_id", "created_at")`` gives ``(dealer_id, created_at, id)``."""
    indexes = []
    for key in keys:
        columns = (key,) if isinstance(key, str) else key
        indexes.append(Index(f"ix_{table}_{'_'.join(columns)}_id", *columns, "id"))
    return tuple(indexes)
