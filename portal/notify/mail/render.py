"""Mail templates: one jinja2 file per template and language, ``templates/<locale>/<name>.j2``,
with the blocks ``subject``, ``text`` and ``html`` (the HTML block escapes what it prints)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    # No autoescape for subject and text; the html block of every template is wrapped in
    # {% autoescape true %} (a test checks that names with markup arrive escaped).
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - text parts; the html blocks turn escaping on themselves
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def pick_locale(locale: str | None) -> str:
    short = (locale or "").split("-")[0].split("_")[0].lower()
    return short if short in LOCALES else DEFAULT_LOCALE


def render(template: str, locale: str, context: dict[str, Any]) -> Rendered:
    """Subject, text and HTML of ``template`` in ``locale`` (English when the language is unknown)."""
    tmpl = _environment().get_template(f"{pick_locale(locale)}/{template}.j2")

    def block(name: str) -> str:
        return "".join(tmpl.blocks[name](tmpl.new_context(dict(context))))

    subject = " ".join(block("subject").split())  # one line, whatever the template's layout
    return Rendered(subject=subject, text=block("text").strip() + "\n", html=block("html").strip() + "\n")
