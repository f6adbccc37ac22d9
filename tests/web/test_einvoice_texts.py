"""The texts of a refused e-invoice in the reader's language (portal.web.einvoices)."""

from __future__ import annotations

from portal.web import einvoices
from portal.web.i18n import cached_gettext, load_translations


def test_every_translated_rule_is_worded_as_the_rule_set_words_it() -> None:
    # a rule text changed in edi.xml.xrechnung_rules must change here too, or lose its German
    assert einvoices.RULE_TEXTS == einvoices._RULE_TEXTS


def test_a_refusal_is_german_and_what_came_from_the_file_stays_escaped() -> None:
    german = cached_gettext(load_translations("de"))
    said = einvoices.refusal_text(
        "message 1: the invoice names order <b>X</b>, which is not one of your orders: not applied", german
    )
    assert str(said) == (
        "Nachricht 1: die Rechnung nennt den Auftrag &lt;b&gt;X&lt;/b&gt;, der keiner Ihrer Aufträge ist: "
        "nicht übernommen"
    )
    broken = einvoices.refusal_text(
        "message 1: the e-invoice breaks the rules of its scenario XRechnung 3.0 (CII): "
        "BR-DE-3: Seller city (BT-37) must be given.; BR-CO-10: Sum of Invoice line net amount (and 6 more)",
        german,
    )
    assert "verletzt die Regeln ihres Prüfszenarios XRechnung 3.0 (CII)" in broken
    assert "BR-DE-3: Der Ort des Verkäufers (BT-37) muss angegeben sein." in broken
    assert "BR-CO-10: Sum of Invoice line net amount" in broken and "(und 6 weitere)" in broken
    # anything else is shown as written, escaped
    assert str(einvoices.refusal_text("<i>odd</i>", german)) == "&lt;i&gt;odd&lt;/i&gt;"


def test_every_note_loses_its_subject_code_not_only_the_first() -> None:
    from portal.web.einvoices import note_text

    joined = "#ADU#Invoice Note Description\n#AAC#Invoice Note Description 2\nno code #AAI# inside"
    assert note_text(joined) == "Invoice Note Description\nInvoice Note Description 2\nno code #AAI# inside"
