"""Message extraction for the de/en catalogs (used by `python -m portal.web.catalog` and the test
that keeps the German catalog complete)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

from portal.web.i18n import TRANSLATIONS_DIR

WEB_DIR = Path(__file__).parent
# Outside the web package, what people read: the entities' names (portal.entities) and the
# notifications' kinds and titles (portal.notify.rules), the calendar feed's words (portal.tasks.calendar).
SHARED_FILES = [
    WEB_DIR.parent / "entities.py",
    WEB_DIR.parent / "notify" / "rules.py",
    WEB_DIR.parent / "tasks" / "calendar.py",
]
METHOD_MAP = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {
    "templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"},
}
# pgettext("mail", "To"): a word that reads differently in German by its use ("An", not "Bis").
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ugettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}


def extract() -> Catalog:
    """Every translatable message of the web package (templates and Python) and of ``SHARED_FILES``."""
    catalog = Catalog(project="portal", domain="messages")
    for filename, lineno, message, comments, context in extract_from_dir(
        WEB_DIR, METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for path in SHARED_FILES:
        for lineno, message, comments, context in extract_from_file(
            "python", path, KEYWORDS, strip_comment_tags=True
        ):
            catalog.add(message, None, [(f"../{path.name}", lineno)], auto_comments=comments, context=context)
    return catalog


def update_catalog(locale: str = "de") -> tuple[int, int]:
    """Merge new messages into the locale's .po (keeping translations); returns (total, missing)."""
    path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    template = extract()
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, domain="messages", project="portal")
    catalog.update(template, no_fuzzy_matching=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True, sort_output=True)
    missing = sum(1 for message in catalog if message.id and not message.string)
    return len(catalog), missing


if __name__ == "__main__":
    total, missing = update_catalog(sys.argv[1] if len(sys.argv) > 1 else "de")
    print(f"{total} messages, {missing} without translation")
