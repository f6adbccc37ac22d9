"""Notification titles in the reader's language outside the web portal (the API): the portal's own
German catalog, read from its ``.po`` source once per process (the API imports nothing of
``portal.web``, so the file is read here rather than through the portal's translations)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGS = Path(__file__).parent.parent / "web" / "translations"
LANGUAGES = ("en", "de")


@cache
def gettext_for(language: str) -> Callable[[str], str]:
    """``gettext`` of ``language`` ("en": the messages as written; unknown: English)."""
    po = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or language not in LANGUAGES or not po.exists():
        return lambda message: message
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    texts = {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.context
    }  # a message with a context (pgettext) is another message of the same words
    return lambda message: texts.get(message, message)
