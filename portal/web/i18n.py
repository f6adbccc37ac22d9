"""German and English: message catalogs, locale choice, and locale-aware formatting (Babel).

The ``.po`` sources live in ``portal/web/translations``; the ``.mo`` files are git-ignored, compiled
at install time (``hatch_build.py``) and again at application start when one is missing or older
than its ``.po`` (a translation edited in a checkout).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import date as Date  # noqa: N812 - the class has methods named date and datetime
from datetime import datetime as DateTime  # noqa: N812
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from babel.units import format_unit
from markupsafe import Markup

from portal.web.mo_files import DOMAIN, catalogs, compile_po

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
TIMEZONE = ZoneInfo("Europe/Berlin")
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

log = logging.getLogger(__name__)


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or older; returns the files written."""
    written: list[Path] = []
    for po_path in catalogs(directory):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        written.append(compile_po(po_path))
        log.info("compiled %s", mo_path)
    return written


def load_translations(locale: str) -> Translations:
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() and po_path.exists():
        # A read-only install where the .mo could not be written: compile in memory.
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, DOMAIN)
    translations = Translations.load(str(TRANSLATIONS_DIR), [locale], DOMAIN)
    if not isinstance(translations, Translations):  # English: the msgids are the text
        return Translations(None, DOMAIN)
    return translations


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header ("de-DE,de;q=0.9,en;q=0.8")."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            weighted.append((-quality, index, tag.replace("_", "-")))
    preferred = [tag for q, _, tag in sorted(weighted) if q < 0]
    chosen = Locale.negotiate(preferred, list(LOCALES), sep="-") if preferred else None
    return str(chosen) if chosen else DEFAULT_LOCALE


class Formatter:
    """Dates, times, numbers and money for one locale; times shown in Europe/Berlin. Dates and
    amounts repeat a lot on a list page: their formatted text is cached per process, keyed by the
    locale's name (hashing Babel's ``Locale`` costs more than formatting a cached value)."""

    def __init__(self, locale: str) -> None:
        self.name = locale
        # A parsed Locale, not its name: Babel would parse the name again on every call.
        self.locale = _parse(locale)

    def datetime(self, value: DateTime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(value, format=fmt, tzinfo=TIMEZONE, locale=self.locale)

    def short_datetime(self, value: DateTime | None) -> str:
        """The date as `date` writes it (one date format per locale on every page: 02.03.2026,
        Mar 2, 2026) and the time without seconds, joined the locale's way."""
        if value is None:
            return ""
        local = value.astimezone(TIMEZONE)
        day = self.date(local.date())
        clock = format_time(local.timetz(), format="short", locale=self.locale)
        pattern = str(self.locale.datetime_formats["short"])
        return pattern.replace("{1}", day).replace("{0}", clock)

    def minutes(self, value: int | None) -> str:
        """A span of minutes in words, in its largest fitting unit: "30 minutes", "2 hours",
        "1 day" ("2 Stunden", "1 Tag")."""
        if value is None:
            return ""
        return format_timedelta(timedelta(minutes=value), threshold=1, locale=self.locale)

    def time(self, value: DateTime | None) -> str:
        if value is None:
            return ""
        return format_datetime(value, format="HH:mm", tzinfo=TIMEZONE, locale=self.locale)

    def date(self, value: Date | DateTime | str | None, fmt: str = "medium") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):  # an ISO date as kept in a JSON record (an order's versions)
            value = Date.fromisoformat(value)
        if isinstance(value, DateTime):
            value = value.astimezone(TIMEZONE).date()
        key = (value, fmt, self.name)
        text = _DATES.get(key)
        if text is None:
            text = _remember(_DATES, key, format_date(value, format=fmt, locale=self.locale))
        return text

    def number(self, value: Decimal | int | float | None) -> str:
        if value is None:
            return ""
        key = (value, self.name)
        text = _NUMBERS.get(key)
        if text is None:
            text = _remember(_NUMBERS, key, format_decimal(value, locale=self.locale))
        return text

    def file_size(self, size: int | None) -> str:
        """``45 bytes``/``45 Byte`` below 1 KB (never "0 KB"), then kB and MB with one decimal."""
        if size is None:
            return ""
        if size < 1024:
            return format_unit(size, "digital-byte", length="long", locale=self.locale)
        if size < 1024 * 1024:
            return format_unit(
                _one_decimal(size / 1024), "digital-kilobyte", length="short", locale=self.locale
            )
        return format_unit(
            _one_decimal(size / (1024 * 1024)), "digital-megabyte", length="short", locale=self.locale
        )

    def money(self, value: Decimal | int | None, currency: str = "EUR") -> str:
        if value is None:
            return ""
        key = (value, currency, self.name)
        text = _MONEY.get(key)
        if text is None:
            text = _remember(_MONEY, key, format_currency(Decimal(value), currency, locale=self.locale))
        return text

    def price(self, value: Decimal | int | None, currency: str = "EUR") -> str:
        """A unit price as stated, with its third and fourth decimal where it has them (158,125 €:
        an e-invoice's price is not rounded to cents); at least the currency's two."""
        if value is None:
            return ""
        return format_currency(
            Decimal(value).normalize(), currency, locale=self.locale, decimal_quantization=False
        )


def _one_decimal(value: float) -> Decimal:
    rounded = Decimal(str(round(value, 1)))
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded


_CACHE_LIMIT = 20_000
_DATES: dict[tuple[Date, str, str], str] = {}
_NUMBERS: dict[tuple[Decimal | int | float, str], str] = {}
_MONEY: dict[tuple[Decimal | int, str, str], str] = {}


def _remember(cache: dict[Any, str], key: Any, text: str) -> str:
    if len(cache) >= _CACHE_LIMIT:  # bounded: drop everything rather than track recency
        cache.clear()
    cache[key] = text
    return text


@lru_cache(maxsize=8)
def _parse(locale: str) -> Locale:
    return Locale.parse(locale)


def cached_gettext(catalog: Translations) -> Callable[..., Markup]:
    """jinja2's "newstyle" ``gettext`` for autoescaped templates (the translation is markup, then
    ``% variables``, so ``%%`` reads ``%``), with the messages that take no variables cached: a
    page asks for the same few dozen labels on every request, and ``Markup.__mod__`` is slow."""
    cache: dict[str, Markup] = {}

    def gettext(message: str, **variables: Any) -> Markup:
        if variables:
            return Markup(catalog.ugettext(message)) % variables  # noqa: S704 - translations are ours
        hit = cache.get(message)
        if hit is None:
            hit = cache[message] = Markup(catalog.ugettext(message)) % {}  # noqa: S704
        return hit

    return gettext
