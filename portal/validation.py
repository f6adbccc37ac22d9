"""Small checks shared by the services; each raises InvalidInput naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel import Locale

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
        """Raise what was found, each problem once (two checks may find the same one)."""
        unique = list({(e.field, e.detail): e for e in self.errors}.values())
        if unique:
            raise InvalidFields(unique)


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


# ISO 3166-1 alpha-2: the territories CLDR (Babel) names with two letters, without CLDR's own and
# the reserved codes (EU, UN, ZZ, XK, the Canary Islands' IC, ...): the 249 officially assigned.
_NOT_ISO_3166 = frozenset(
    ("AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ")
)
COUNTRY_CODES = frozenset(
    str(code)
    for code in Locale("en").territories
    if len(str(code)) == 2 and str(code).isalpha() and code not in _NOT_ISO_3166
)
_POSTAL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]*$")
_GERMAN_POSTAL_CODE = re.compile(r"^[0-9]{5}$")
MAX_POSTAL_CODE = 10


def country_code(value: str | None, field: str = "country_code") -> str:
    """A known ISO 3166 alpha-2 country code (any case; stored in capitals)."""
    country = (no_nul(field, value) or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidInput(field, "use a two-letter ISO 3166 code")
    if country not in COUNTRY_CODES:
        raise InvalidInput(field, f"'{country}' is not an ISO 3166 country code")
    return country


def postal_code(value: str | None, field: str = "postal_code") -> str | None:
    """A postal code of any country: letters, digits, spaces and hyphens, 10 characters at most
    (:func:`postal_code_in` checks it against its country)."""
    code = text(field, value, max_length=MAX_POSTAL_CODE, required=False)
    if code is not None and not _POSTAL_CODE.match(code):
        raise InvalidInput(field, "use letters, digits, spaces and hyphens only")
    return code


def postal_code_in(value: str | None, country: str | None, field: str = "postal_code") -> str | None:
    """The postal code as its country writes it: a German one has five digits. An unknown country is
    the country field's error, not this one's."""
    code = postal_code(value, field)
    if code is not None and (country or "").strip().upper() == "DE" and not _GERMAN_POSTAL_CODE.match(code):
        raise InvalidInput(field, "a German postal code has five digits")
    return code


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
