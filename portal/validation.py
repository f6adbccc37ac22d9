"""Small checks shared by the services; each raises InvalidInput naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from zoneinfo import ZoneInfo

from portal.errors import InvalidFields, InvalidInput

T = TypeVar("T")
CALENDAR = ZoneInfo("Europe/Berlin")  # the portal's calendar: "today", "in the past"

MAX_AMOUNT = Decimal("99999999999999")
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns (PostgreSQL refuses larger values)
MAX_INT = 2**31 - 1  # every integer column is 32 bits
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Checks:
    """Runs checks that raise InvalidInput, gathering every error instead of stopping at the first;
    :meth:`done` raises them together (InvalidFields), so that every wrong field is reported at once::

        check = Checks()
        name = check(lambda: required_text("name", given))
        amount = check(lambda: decimal("amount", given_amount, positive=True))
        check.done()
    """

    def __init__(self) -> None:
        self.errors: list[InvalidInput] = []

    def __call__(self, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InvalidFields as exc:
            self.errors.extend(exc.errors)
        except InvalidInput as exc:
            self.errors.append(exc)
        return None

    def done(self) -> None:
        if self.errors:
            raise InvalidFields(self.errors)


def every(*checks: Callable[[], object]) -> None:
    """Run every check; raise all their errors together (InvalidFields)."""
    gathered = Checks()
    for check in checks:
        gathered(check)
    gathered.done()


def calendar_today() -> date:
    """Today in the portal's calendar (Europe/Berlin)."""
    return datetime.now(CALENDAR).date()


def not_past(field: str, day: date, *, today: date | None = None) -> date:
    if day < (today or calendar_today()):
        raise InvalidInput(field, "must not be in the past")
    return day


def no_nul(field: str, value: str | None) -> str | None:
    """Databases refuse NUL in text (PostgreSQL: an error, not a value): refuse it at the field."""
    if value is not None and "\x00" in value:
        raise InvalidInput(field, "must not contain NUL characters")
    return value


def text(field: str, value: str | None, *, max_length: int = 200, required: bool = True) -> str | None:
    value = (no_nul(field, value) or "").strip()
    if not value:
        if required:
            raise InvalidInput(field, "must not be empty")
        return None
    if len(value) > max_length:
        raise InvalidInput(field, f"must be at most {max_length} characters")
    return value


def required_text(field: str, value: str | None, *, max_length: int = 200) -> str:
    result = text(field, value, max_length=max_length)
    assert result is not None
    return result


_FOUR_PLACES = Decimal("0.0001")


def decimal(field: str, value: object, *, positive: bool = False, non_negative: bool = True) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(field, f"'{value}' is not a number") from None
    if not number.is_finite():
        raise InvalidInput(field, "must be a finite number")
    if positive and number <= 0:
        raise InvalidInput(field, "must be greater than zero")
    if non_negative and number < 0:
        raise InvalidInput(field, "must not be negative")
    if abs(number) > MAX_AMOUNT:
        raise InvalidInput(field, "is too large")
    if number.as_tuple().exponent < -4:  # type: ignore[operator]
        # Trailing zeros are not precision: an e-invoice may write 30.00000000000 (KoSIT's test
        # files do); what is exact at four decimals is taken at four, only real extra digits refused.
        exact = number.quantize(_FOUR_PLACES)
        if exact != number:
            raise InvalidInput(field, "has more than 4 decimal places")
        number = exact
    return number


def integer(field: str, value: int, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """An integer that fits its column (and Python's date arithmetic, for day counts)."""
    if not minimum <= value <= maximum:
        raise InvalidInput(field, f"must be between {minimum} and {maximum}")
    return value


def email(field: str, value: str | None, *, required: bool = False) -> str | None:
    result = text(field, value, required=required)
    if result is not None and not _EMAIL.match(result):
        raise InvalidInput(field, f"'{result}' is not an e-mail address")
    return result.lower() if result else None


def date_order(
    start_field: str, start: date | datetime | None, end_field: str, end: date | datetime | None
) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(end_field, f"must not be before {start_field}")


def aware(field: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(field, "must carry a time zone")
    return value
