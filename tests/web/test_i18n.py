"""German and English: negotiation, the switch, Babel formatting, complete and compiled catalogs,
and no untranslated text in the templates."""

from __future__ import annotations

import ast
import os
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.lexer import TOKEN_BLOCK_BEGIN, TOKEN_DATA, TOKEN_NAME

from portal.web import i18n, mo_files
from portal.web.catalog import extract
from tests.web.conftest import WebWorld

TEMPLATES = Path(i18n.__file__).parent / "templates"


def test_accept_language_chooses_german(world: WebWorld) -> None:
    page = world.client().get("/login", headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in page.text and "Anmelden" in page.text


def test_accept_language_falls_back_to_english(world: WebWorld) -> None:
    page = world.client().get("/login", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert '<html lang="en">' in page.text and "Log in" in page.text


def test_language_switch_is_remembered_over_the_browser_language(world: WebWorld) -> None:
    client = world.client("dealer-group")
    switched = client.get("/orders", params={"lang": "de"}, headers={"accept-language": "en"})
    assert "Aufträge" in switched.text
    assert "portal_lang=de" in switched.headers["set-cookie"]
    later = client.get("/", headers={"accept-language": "en"})
    assert "Aufträge pro Woche" in later.text


@pytest.mark.parametrize(
    ("locale", "money", "when"),
    [("de", "1.234,50\xa0€", "02.03.2026, 10:30"), ("en", "€1,234.50", "Mar 2, 2026, 10:30\u202fAM")],
)
def test_money_and_time_are_formatted_per_locale_in_berlin_time(locale: str, money: str, when: str) -> None:
    fmt = i18n.Formatter(locale)
    assert fmt.money(Decimal("1234.5"), "EUR") == money
    # 09:30 UTC in March is 10:30 in Berlin (CET).
    assert fmt.short_datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)) == when


def test_every_message_has_a_german_translation() -> None:
    with (i18n.TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="de")
    # By context too: pgettext("mail", "To") is "An", not the "Bis" of a date range.
    translated = {(m.context, m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m.id) for m in extract() if m.id and (m.context, m.id) not in translated)
    assert missing == []


def test_the_german_catalogue_holds_each_message_once() -> None:
    """Branches append their entries at the end; two of the same msgid would leave the German text
    to whichever babel reads last, and a reviewer would correct the other one in vain."""
    source = (i18n.TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    keys = re.findall(r'^(?:msgctxt ("(?:[^"\\]|\\.)*")\n)?msgid ((?:"(?:[^"\\]|\\.)*"\n?)+)', source, re.M)
    seen = Counter((context, "".join(ident.split('"\n"'))) for context, ident in keys)
    assert len(seen) > 1000
    assert [key for key, times in seen.items() if times > 1] == []


def test_german_pages_show_german_words(world: WebWorld) -> None:
    page = world.client("supplier-a").get("/", params={"lang": "de"})
    assert "Aufträge warten auf Bestätigung" in page.text and "Orders waiting" not in page.text


def test_catalogs_compile_when_the_mo_file_is_missing_or_older(tmp_path: Path) -> None:
    source = i18n.TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po"
    target = tmp_path / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "messages.po").write_bytes(source.read_bytes())
    assert i18n.compile_catalogs(tmp_path) == [target / "messages.mo"]
    assert i18n.compile_catalogs(tmp_path) == []  # up to date: nothing to do
    os.utime(target / "messages.mo", (0, 0))
    assert i18n.compile_catalogs(tmp_path) == [target / "messages.mo"]


_TEXT_ATTRIBUTES = re.compile(r'\b(?:title|placeholder|aria-label|alt)="([^"{]*[A-Za-z][^"{]*)"')
_ALLOWED_LITERALS = {"Deutsch", "English"}  # language names are written in their own language


def _untranslated(source: str) -> list[str]:
    """Text outside tags, expressions and {% trans %} blocks that contains letters, and literal text
    in title/placeholder/aria-label/alt attributes."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    parts: list[str] = []
    in_trans = False
    after_block_begin = False
    for _lineno, token, value in env.lex(source):
        if after_block_begin and token == TOKEN_NAME:
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        after_block_begin = token == TOKEN_BLOCK_BEGIN
        parts.append(value if token == TOKEN_DATA and not in_trans else "\x00")
    text = "".join(parts)
    found = _TEXT_ATTRIBUTES.findall(text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&[a-z#0-9]+;", " ", text)
    for word in text.replace("\x00", " ").split():
        if re.search(r"[A-Za-zÄÖÜäöüß]{2,}", word) and word not in _ALLOWED_LITERALS:
            found.append(word)
    return found


def test_templates_have_no_untranslated_text() -> None:
    problems = {
        path.name: words
        for path in sorted(TEMPLATES.glob("*.html"))
        if (words := _untranslated(path.read_text()))
    }
    assert problems == {}


def test_the_untranslated_text_check_finds_literal_text() -> None:
    assert _untranslated('<p>Hello {{ _("World") }}</p>') == ["Hello"]
    assert _untranslated('<input placeholder="Search here">') == ["Search here"]
    assert _untranslated('<p>{{ _("Fine") }} · {{ x }}</p>') == []


def test_the_build_hook_can_load_the_catalog_compiler_without_the_portal() -> None:
    """hatch_build.py loads portal/web/mo_files.py by path while the package builds, when only
    hatchling and Babel are installed: the module may import nothing else."""
    tree = ast.parse(Path(mo_files.__file__).read_text(encoding="utf-8"))
    roots = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if isinstance(node, ast.Import) or node.module
    }
    assert roots <= {"babel", "__future__"} | set(sys.stdlib_module_names), roots


def test_a_page_writes_every_date_in_one_format(world: WebWorld) -> None:
    from portal.cases import service as cases

    with world.scene.uow() as uow:
        case = cases.open_case(uow=uow, principal=world.scene.p("dealer-group"), subject="Datum")
    client = world.client("dealer-group")
    page = client.get(f"/cases/{case.id}", params={"lang": "de"}).text
    assert re.findall(r"\b\d{2}\.\d{2}\.\d{4}\b", page)  # 06.12.2026
    assert not re.findall(r"\b\d{2}\.\d{2}\.\d{2}\b(?!\d)", page)  # never 06.12.26 beside it
    english = client.get(f"/cases/{case.id}", params={"lang": "en"}).text
    assert not re.findall(r"\b\d{1,2}/\d{1,2}/\d{2}\b", english)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_orders_status_filter_offers_no_two_options_with_the_same_label(
    world: WebWorld, lang: str
) -> None:
    page = world.client("owner").get("/orders", params={"lang": lang}).text
    select = re.search(r'<select[^>]*name="status".*?</select>', page, re.S)
    assert select, "no status filter"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    values = {value for value, _label in options}
    assert {"open", "waiting", "awaiting_confirmation"} <= values
    labels = [label.strip() for value, label in options if value]
    assert len(labels) == len(set(labels)), labels


def test_the_near_sla_tile_says_what_its_list_filter_says(world: WebWorld) -> None:
    """The tile counts cases due soon *and* overdue ones, as the cases list's ``sla=near`` filter does."""
    client = world.client("owner")
    dashboard = client.get("/", params={"lang": "de"}).text
    tile = re.search(
        r'href="/cases\?sla=near[^"]*">\s*<span class="num">[^<]*</span><span>([^<]*)</span>', dashboard
    )
    assert tile, "no near-SLA tile"
    assert "überschritten" in tile.group(1)
    english = client.get("/", params={"lang": "en"}).text
    assert "<span>Cases near or past their SLA</span>" in english
    cases = client.get("/cases", params={"lang": "de", "sla": "near"}).text
    assert "SLA bald oder schon überschritten" in cases
