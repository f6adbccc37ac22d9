"""One German word per thing: a case is a "Fall" on the menu, the pages, the inbox, the mails and
the webhook kinds alike (the catalogue said "Vorgang" in some of them)."""

from __future__ import annotations

import re
from pathlib import Path

from portal.notify.language import gettext_for
from portal.notify.rules import RULES, Kind, title
from portal.web import i18n

MAIL_TEMPLATES = Path(i18n.__file__).parent.parent / "notify" / "mail" / "templates" / "de"


def test_a_case_is_a_fall_in_every_german_text() -> None:
    catalogue = (i18n.TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    # msgids are English: any "Vorgang" is in a translation, on one line or continued
    assert re.findall(r"^.*Vorg[aä]ng.*$", catalogue, re.M) == []
    for path in MAIL_TEMPLATES.glob("*.j2"):
        assert "Vorgang" not in path.read_text(encoding="utf-8"), path.name
    german = gettext_for("de")
    case_rules = [r for r in RULES if r.kind.value.startswith("case_")]
    assert case_rules
    for rule in case_rules:
        assert "Fall" in german(rule.label) or "Falls" in german(rule.label), rule.kind
    assert title(Kind.CASE_ROUTED.value, {"number": "C-1"}, german).startswith("Fall C-1")
