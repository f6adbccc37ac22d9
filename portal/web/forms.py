"""Reading form values, and turning domain errors into messages next to form fields (one place)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from starlette.datastructures import FormData, UploadFile

from portal import validation
from portal.errors import Conflict, InvalidFields, InvalidInput, InvalidState, PermissionDenied, PortalError
from portal.web import labels
from portal.web.i18n import TIMEZONE
from portal.web.messages import field_label, translate

# Digits with at most the separators and a leading minus: no exponents, NaN or infinity.
_PLAIN_NUMBER = re.compile(r"^-?[0-9][0-9.,]*$|^-?[.,][0-9]+$")
_NOT_A_NUMBER = labels.NOT_A_NUMBER
_AMBIGUOUS = labels.AMBIGUOUS_NUMBER

# Service field names that differ from the form's field names. Line fields follow one rule:
# "lines[3].quantity" -> "line-3-quantity" (see form_field).
FIELD_ALIASES = {
    "current_password": "current_password",
    "new_password": "new_password",
    "routed_to": "routed_to_id",
    "organization": "organization_id",
    "supplier": "supplier_id",
    "contact": "contact_id",
    "customer": "customer_id",
    "assignee": "assignee_id",
    "dealer": "dealer_id",
    "order": "order_id",
    "expires": "expires_in_days",
    "lines": "lines",
    "filename": "file",
}
_LINE = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")


def form_field(service_field: str) -> str:
    match = _LINE.match(service_field)
    if match:
        return f"line-{match.group(1)}-{match.group(2) or 'quantity'}"
    return FIELD_ALIASES.get(service_field, service_field)


@dataclass
class FormErrors:
    """Messages by form field, and one message for the whole form (conflicts, wrong state).
    ``labels`` names each field with an error as the user knows it (for the list of errors at the
    top of the form, which also reports an error of a field the form does not show)."""

    fields: dict[str, str] = field(default_factory=dict)
    general: str | None = None
    stale: bool = False
    labels: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def summary(self) -> list[tuple[str, str, str]]:
        """(form field, label, message) of every field error, in the order they were found."""
        return [(name, self.labels.get(name, ""), message) for name, message in self.fields.items()]


# Several fields of one form are wrong: every error is reported, each at its field (the services
# raise the same error when they check every field of an input at once).
FormInvalid = InvalidFields


def errors_from(exc: PortalError, gettext: Any, locale: str = "en") -> FormErrors:
    if isinstance(exc, InvalidInput):
        found = FormErrors()
        for error in exc.errors if isinstance(exc, FormInvalid) else [exc]:
            name = form_field(error.field)
            message = translate(error.detail, gettext, locale)
            if name in found.fields:  # a field with several problems (lines of a box) names each once
                if message not in found.fields[name].split("; "):
                    found.fields[name] += "; " + message
                continue
            found.fields[name] = message
            found.labels[name] = field_label(error.field, gettext)
        return found
    if isinstance(exc, Conflict):
        return FormErrors(
            general=gettext("Someone changed this record meanwhile. Reload the page and try again."),
            stale=True,
        )
    if isinstance(exc, InvalidState):
        return FormErrors(general=gettext("This action is not possible in the current state."))
    if isinstance(exc, PermissionDenied):
        return FormErrors(general=gettext("Your role does not allow this action."))
    return FormErrors(general=exc.message)


class Form:
    """Typed access to submitted values; each bad value raises InvalidInput naming its field."""

    def __init__(self, data: FormData | None) -> None:
        self.data = data

    def validate(self, *checks: Callable[[], object]) -> None:
        """Run every check (each raises InvalidInput naming its field) and raise them all together
        as FormInvalid, so that a form reports every wrong field at once, not only the first."""
        validation.every(*checks)

    def values(self) -> dict[str, str]:
        if self.data is None:
            return {}
        return {k: v for k, v in self.data.multi_items() if isinstance(v, str) and k != "csrf"}

    def __contains__(self, name: str) -> bool:
        """Whether the form sent the field at all (a page shows only the fields a role may change)."""
        return self.data is not None and name in self.data

    def text(self, name: str) -> str:
        value = self.data.get(name) if self.data is not None else None
        return value.strip() if isinstance(value, str) else ""

    def optional(self, name: str) -> str | None:
        return self.text(name) or None

    def integer(self, name: str, *, required: bool = False) -> int | None:
        raw = self.text(name)
        if not raw:
            if required:
                raise InvalidInput(name, "must not be empty")
            return None
        try:
            return int(raw)
        except ValueError:
            raise InvalidInput(name, "is not a whole number") from None

    def decimal(self, name: str, *, locale: str, required: bool = False) -> Decimal | None:
        """A number as the user writes it in ``locale`` (German ``1.234,5``, English ``1,234.5``).

        Read with Babel, strictly: a number in the other language's form (``1,5`` on an English
        page) is refused, and so is ``1,000`` on a German page (``1.000`` on an English one): it
        reads as 1 here but is a thousand in the other language, so nothing is stored that the
        user may not have meant."""
        raw = self.text(name).replace("\u202f", "").replace("\xa0", "")
        if not raw:
            if required:
                raise InvalidInput(name, "must not be empty")
            return None
        symbols = Locale.parse(locale).number_symbols.get("latn", {})
        decimal_mark = symbols.get("decimal", ".")
        group_mark = symbols.get("group", ",")
        if not _PLAIN_NUMBER.match(raw):
            raise InvalidInput(name, _NOT_A_NUMBER[decimal_mark])
        whole, _, fraction = raw.partition(decimal_mark)
        if group_mark not in raw and len(fraction) == 3 and whole.lstrip("-").lstrip("0"):
            raise InvalidInput(name, _AMBIGUOUS[decimal_mark])
        try:
            value = parse_decimal(raw, locale=locale, strict=True)
        except NumberFormatError:
            raise InvalidInput(name, _NOT_A_NUMBER[decimal_mark]) from None
        if not value.is_finite():
            raise InvalidInput(name, _NOT_A_NUMBER[decimal_mark])
        return value

    def date(self, name: str, *, required: bool = False) -> date | None:
        raw = self.text(name)
        if not raw:
            if required:
                raise InvalidInput(name, "must not be empty")
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(name, "is not a date") from None

    def local_datetime(self, name: str, *, required: bool = False) -> datetime | None:
        """A ``datetime-local`` value, read as Europe/Berlin time, returned in UTC-aware form."""
        raw = self.text(name)
        if not raw:
            if required:
                raise InvalidInput(name, "must not be empty")
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(name, "is not a date and time") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=TIMEZONE)
        return value

    def checkbox(self, name: str) -> bool:
        return self.text(name) in {"1", "on", "true", "yes"}

    def upload(self, name: str) -> UploadFile | None:
        value = self.data.get(name) if self.data is not None else None
        return value if isinstance(value, UploadFile) and value.filename else None


def number_input(value: Decimal | None, locale: str) -> str:
    """A number as an input's value that :meth:`Form.decimal` reads back as the same number: in
    the locale's form, and with a fourth decimal where exactly three would be ambiguous."""
    if value is None:
        return ""
    text = format_decimal(value, format="#,##0.####", locale=locale)
    mark = Locale.parse(locale).number_symbols.get("latn", {}).get("decimal", ".")
    whole, found, fraction = text.partition(mark)
    if found and len(fraction) == 3 and whole.lstrip("-").lstrip("0"):
        text += "0"
    return text


def local_input(value: datetime | None) -> str:
    """A UTC datetime as a ``datetime-local`` input value in Berlin time."""
    if value is None:
        return ""
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TIMEZONE)
