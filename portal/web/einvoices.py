"""E-invoices for people: the code lists a readable view names in words (invoice type, payment
means, VAT category, unit of measure), and the texts of a refused upload in the reader's language.

The code tables hold the codes suppliers send in practice (UNTDID 1001, 4461, 5305, UN/ECE Rec. 20
and 21); any other code is shown as it stands, with its code list's name, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from edi.xml.xrechnung_rules import RULES
from portal.web import messages
from portal.web.labels import N_

Gettext = Callable[..., Markup]  # the templates' gettext (portal.web.i18n.cached_gettext)

# UNTDID 1001 (BT-3): the invoice types XRechnung allows, and the credit notes.
INVOICE_TYPES = {
    "326": N_("Partial invoice"),
    "380": N_("Commercial invoice"),
    "381": N_("Credit note"),
    "384": N_("Corrected invoice"),
    "389": N_("Self-billed invoice"),
    "396": N_("Factored credit note"),
    "875": N_("Partial construction invoice"),
    "876": N_("Partial final construction invoice"),
    "877": N_("Final construction invoice"),
}
# UNTDID 4461 (BT-81)
PAYMENT_MEANS = {
    "1": N_("Not defined"),
    "10": N_("Cash"),
    "20": N_("Cheque"),
    "30": N_("Credit transfer"),
    "31": N_("Debit transfer"),
    "42": N_("Payment to bank account"),
    "48": N_("Bank card"),
    "49": N_("Direct debit"),
    "57": N_("Standing agreement"),
    "58": N_("SEPA credit transfer"),
    "59": N_("SEPA direct debit"),
    "97": N_("Clearing between partners"),
}
# UNTDID 5305 (BT-151, BT-118)
VAT_CATEGORIES = {
    "S": N_("Standard rate"),
    "Z": N_("Zero rated"),
    "E": N_("Exempt from VAT"),
    "AE": N_("Reverse charge"),
    "K": N_("Intra-community supply"),
    "G": N_("Export outside the EU"),
    "O": N_("Not subject to VAT"),
    "L": N_("Canary Islands tax"),
    "M": N_("Ceuta and Melilla tax"),
}
# UN/ECE Recommendation 20 and 21 (BT-130): the units an order portal meets (symbols read the same
# in German and English; words go through the catalogue).
UNITS = {
    "C62": N_("pc"),
    "H87": N_("pc"),
    "EA": N_("pc"),
    "XPP": N_("pc"),
    "PR": N_("pair"),
    "SET": N_("set"),
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "MTR": "m",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "HUR": "h",
    "MIN": "min",
    "DAY": N_("day"),
    "WEE": N_("week"),
    "MON": N_("month"),
    "ANN": N_("year"),
    "LS": N_("lump sum"),
    "KWH": "kWh",
    "XBX": N_("box"),
    "XPK": N_("package"),
    "XPX": N_("pallet"),
}
# A note's subject code (UNTDID 4451) as XRechnung writes it at the start of the text: "#ADU#...";
# a document's notes come joined by line breaks, each with its own code.
_SUBJECT = re.compile(r"^[ \t]*#([A-Z]{3})#", re.M)


def code_label(table: dict[str, str], code: str | None, gettext: Gettext) -> str:
    """``code`` in words where the table knows it, else the code itself ("" for none)."""
    if not code:
        return ""
    known = table.get(code.strip().upper())
    return gettext(known) if known else code


def note_text(note: str | None) -> str:
    """The notes without their subject codes (the words only), each on its line."""
    return _SUBJECT.sub("", (note or "").strip()).strip()


# -- the texts of a refused upload ---------------------------------------------------------------
# The built-in XRechnung rules (edi.xml.xrechnung_rules) are our English summaries of the German
# specification: here they are in German again, through the catalogue. The EN 16931 rules of
# CEN's artefacts are published in English only and are shown as published.
_RULE_TEXTS = {
    "BR-DE-1": N_("An invoice must contain PAYMENT INSTRUCTIONS (BG-16)."),
    "BR-DE-2": N_("The SELLER CONTACT (BG-6) must be given."),
    "BR-DE-3": N_("Seller city (BT-37) must be given."),
    "BR-DE-4": N_("Seller post code (BT-38) must be given."),
    "BR-DE-5": N_("Seller contact point (BT-41) must be given."),
    "BR-DE-6": N_("Seller contact telephone number (BT-42) must be given."),
    "BR-DE-7": N_("Seller contact email address (BT-43) must be given."),
    "BR-DE-8": N_("Buyer city (BT-52) must be given."),
    "BR-DE-9": N_("Buyer post code (BT-53) must be given."),
    "BR-DE-10": N_("Deliver to city (BT-77) must be given with a DELIVER TO ADDRESS (BG-15)."),
    "BR-DE-11": N_("Deliver to post code (BT-78) must be given with a DELIVER TO ADDRESS (BG-15)."),
    "BR-DE-14": N_("The VAT category rate (BT-119) must be given."),
    "BR-DE-15": N_("Buyer reference (BT-10) must be given."),
    "BR-DE-26": N_("A corrected invoice (384) should name the preceding invoice (BG-3)."),
    "BR-DE-27": N_("The seller contact telephone number (BT-42) should contain at least three digits."),
    "BR-DE-30": N_("With DIRECT DEBIT (BG-19) the bank assigned creditor identifier (BT-90) must be given."),
    "BR-DE-31": N_("With DIRECT DEBIT (BG-19) the debited account identifier (BT-91) must be given."),
}
# The catalogue's English must be the rule's own words: a test holds the two together.
RULE_TEXTS = {rule: text for rule, text in _RULE_TEXTS.items() if RULES.get(rule, ("", ""))[1] == text}

# (pattern over the portal's own words, message id; named groups are the parameters, said as they stand)
_REFUSALS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in [
        (
            r"^the invoice names order (?P<order>.+), which is not one of your orders: not applied$",
            N_("the invoice names order %(order)s, which is not one of your orders: not applied"),
        ),
        (
            r"^the invoice names no order \(the purchase order reference, BT-13\): not applied$",
            N_("the invoice names no order (the purchase order reference, BT-13): not applied"),
        ),
        (
            r"^the invoice names (?P<named>.+), not order (?P<order>\S+): not applied$",
            N_("the invoice names %(named)s, not order %(order)s: not applied"),
        ),
        (
            r"^the file is a (?P<kind>.+) message, not an e-invoice \(XRechnung UBL or CII, "
            r"ZUGFeRD / Factur-X\): not applied$",
            N_(
                "the file is a %(kind)s message, not an e-invoice (XRechnung UBL or CII, "
                "ZUGFeRD / Factur-X): not applied"
            ),
        ),
        (r"^order (?P<order>\S+) not found$", N_("order %(order)s not found")),
        (
            r"^was received before \(EDI message (?P<record>\d+)\); process that one again instead$",
            N_("was received before (EDI message %(record)s); process that one again instead"),
        ),
    ]
]
_BROKEN = re.compile(
    r"^the e-invoice breaks the rules of its scenario (?P<scenario>.+?): "
    r"(?P<rules>.*?)(?P<more> \(and (?P<count>\d+) more\))?$",
    re.S,
)
_PER_MESSAGE = re.compile(r"^message (?P<reference>[^:]+): (?P<rest>.*)$", re.S)
_RULE_PREFIX = re.compile(r"^(?P<rule>[A-Z][A-Z0-9-]*[0-9a-z]): (?P<text>.*)$", re.S)


def finding_text(message: str, gettext: Gettext) -> Markup:
    """One finding ("BR-DE-3: Seller city (BT-37) must be given.") in the reader's language, where
    the rule is one of ours; the rule's name stays as it is. Markup: what came from the file is
    escaped, the catalogue's words are not escaped twice."""
    found = _RULE_PREFIX.match(message)
    if found is not None and RULE_TEXTS.get(found.group("rule")) == found.group("text"):
        return Markup("{}: {}").format(found.group("rule"), gettext(found.group("text")))
    return escape(message)


def refusal_text(text: str | None, gettext: Gettext, locale: str = "en") -> Markup:
    """Why a file was refused (the record's or a message's ``error``) in the reader's language:
    the portal's own words through the catalogue, each listed rule as `finding_text` says it, a
    service's "field: message" with the field named as a label ("Line 1: Quantity") and the message
    as forms say it; any other text as written (escaped)."""
    if not text:
        return Markup()
    return Markup("\n").join(_one(line, gettext, locale) for line in text.split("\n"))


# a service's error as the exchange keeps it: "lines[1].quantity: has more than 4 decimal places"
_FIELD_ERROR = re.compile(r"^(?P<field>[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (?P<detail>.+)$", re.S)


def _one(text: str, gettext: Gettext, locale: str = "en") -> Markup:
    per_message = _PER_MESSAGE.match(text)
    if per_message is not None:
        inner = _one(per_message.group("rest"), gettext, locale)
        return gettext(
            N_("message %(reference)s: %(text)s"), reference=per_message.group("reference"), text=inner
        )
    broken = _BROKEN.match(text)
    if broken is not None:
        rules = Markup("; ").join(finding_text(part, gettext) for part in broken.group("rules").split("; "))
        said = gettext(
            N_("the e-invoice breaks the rules of its scenario %(scenario)s: %(rules)s"),
            scenario=broken.group("scenario"),
            rules=rules,
        )
        if broken.group("count"):
            said += Markup(" ") + gettext(N_("(and %(count)s more)"), count=broken.group("count"))
        return said
    for pattern, message in _REFUSALS:
        match = pattern.match(text)
        if match is not None:
            params: dict[str, Any] = match.groupdict()
            return gettext(message, **params)
    field_error = _FIELD_ERROR.match(text)
    if field_error is not None:
        known = messages.translate_known(field_error.group("detail"), gettext, locale)
        if known is not None:
            label = messages.field_label(field_error.group("field"), gettext)
            return Markup("{}: {}").format(label, known)
    return escape(text)
