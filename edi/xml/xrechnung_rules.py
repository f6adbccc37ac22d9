"""The XRechnung 3.0 business rules, built in: used when KoSIT's XRechnung Schematron is not installed.

KoSIT publishes the rules of the XRechnung specification (the BR-DE rules of the CIUS, the BR-DEX
rules of its extension, the rules of the Clean Vehicles Directive profile and a few temporary
BR-TMP rules) as Schematron under the Apache licence, but on no package registry this project can
install from. So that a fresh install still refuses an invoice a German public buyer refuses, the
rules are written here again, in Python, from their texts in the XRechnung specification (chapter
"Geschäftsregeln"); :data:`RULES` lists them with the business terms (BT/BG) they are about.
Identifiers, flags (``fatal``, ``warning``, ``information``) and the elements a rule applies to
are the specification's, so a finding reads the same whichever implementation produced it; the
messages are our English summaries of the German rule texts.

When ``EDI_SCHEMA_DIR`` holds KoSIT's Schematron, :mod:`edi.xml.einvoice` runs that instead: the
official artefact wins. The tests run both over KoSIT's test suite and rule-test instances and
compare what they find.

:func:`check` applies the rules of one syntax (``"ubl"`` Invoice/CreditNote or ``"cii"``) to a
parsed document. The extension rules apply only to documents with the extension's specification
identifier and the CVD rules only to CVD documents, as in the specification.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from lxml import etree

from edi.errors import Finding, UnsupportedError
from edi.xml._tree import CII_NS, UBL_CAC, UBL_CBC

__all__ = ["CIUS_ID", "CVD_ID", "EXTENSION_ID", "RULES", "check"]

CIUS_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
EXTENSION_ID = f"{CIUS_ID}#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"
CVD_ID = f"{CIUS_ID}#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_0.9"

_MEANS_TEXT = "Payment means code {code} (BT-81) is {kind}: "
#: rule id -> (flag, message); messages may name {placeholders} filled in where the rule fails
RULES: dict[str, tuple[str, str]] = {
    "BR-DE-1": ("fatal", "An invoice must contain PAYMENT INSTRUCTIONS (BG-16)."),
    "BR-DE-2": ("fatal", "The SELLER CONTACT (BG-6) must be given."),
    "BR-DE-3": ("fatal", "Seller city (BT-37) must be given."),
    "BR-DE-4": ("fatal", "Seller post code (BT-38) must be given."),
    "BR-DE-5": ("fatal", "Seller contact point (BT-41) must be given."),
    "BR-DE-6": ("fatal", "Seller contact telephone number (BT-42) must be given."),
    "BR-DE-7": ("fatal", "Seller contact email address (BT-43) must be given."),
    "BR-DE-8": ("fatal", "Buyer city (BT-52) must be given."),
    "BR-DE-9": ("fatal", "Buyer post code (BT-53) must be given."),
    "BR-DE-10": ("fatal", "Deliver to city (BT-77) must be given with a DELIVER TO ADDRESS (BG-15)."),
    "BR-DE-11": ("fatal", "Deliver to post code (BT-78) must be given with a DELIVER TO ADDRESS (BG-15)."),
    "BR-DE-14": ("fatal", "The VAT category rate (BT-119) must be given."),
    "BR-DE-15": ("fatal", "Buyer reference (BT-10) must be given."),
    "BR-DE-16": (
        "fatal",
        "With VAT category S, Z, E, AE, K, G, L or M the seller VAT identifier (BT-31), the seller tax "
        "registration identifier (BT-32) or the SELLER TAX REPRESENTATIVE PARTY (BG-11) must be given.",
    ),
    "BR-DE-17": (
        "warning",
        "The invoice type code (BT-3) should be 326, 380, 381, 384, 389, 875, 876 or 877.",
    ),
    "BR-DE-18": (
        "fatal",
        "Cash discount lines in the payment terms (BT-20) must read #SKONTO#TAGE=n#PROZENT=n.nn# "
        "(optionally #BASISBETRAG=n.nn# before the last #), in capitals, without extra whitespace, "
        "each followed by a line break.",
    ),
    "BR-DE-19": (
        "warning",
        "The payment account identifier (BT-84) should be a valid IBAN with code 58 (SEPA).",
    ),
    "BR-DE-20": (
        "warning",
        "The debited account identifier (BT-91) should be a valid IBAN with code 59 (SEPA).",
    ),
    "BR-DE-21": (
        "warning",
        f"The specification identifier (BT-24) should be that of XRechnung 3.0 ({CIUS_ID}, its extension "
        "or its CVD profile).",
    ),
    "BR-DE-22": ("fatal", "The filename attributes of the attached documents (BT-125) must be unique."),
    "BR-DE-23-a": ("fatal", _MEANS_TEXT + "CREDIT TRANSFER (BG-17) must be given."),
    "BR-DE-23-b": ("fatal", _MEANS_TEXT + "BG-18 and BG-19 must not be given."),
    "BR-DE-24-a": ("fatal", _MEANS_TEXT + "PAYMENT CARD INFORMATION (BG-18) must be given."),
    "BR-DE-24-b": ("fatal", _MEANS_TEXT + "BG-17 and BG-19 must not be given."),
    "BR-DE-25-a": ("fatal", _MEANS_TEXT + "DIRECT DEBIT (BG-19) must be given."),
    "BR-DE-25-b": ("fatal", _MEANS_TEXT + "BG-17 and BG-18 must not be given."),
    "BR-DE-26": ("warning", "A corrected invoice (384) should name the preceding invoice (BG-3)."),
    "BR-DE-27": (
        "warning",
        "The seller contact telephone number (BT-42) should contain at least three digits.",
    ),
    "BR-DE-28": (
        "warning",
        "The seller contact email address (BT-43) should have exactly one @ with at least two characters "
        "and no space or dot next to it on both sides, and no dot at its start or end.",
    ),
    "BR-DE-30": (
        "fatal",
        "With DIRECT DEBIT (BG-19) the bank assigned creditor identifier (BT-90) must be given.",
    ),
    "BR-DE-31": ("fatal", "With DIRECT DEBIT (BG-19) the debited account identifier (BT-91) must be given."),
    "BR-DE-TMP-32": (
        "information",
        "An invoice should give the actual delivery date (BT-72), an invoicing period (BG-14) or an "
        "invoice line period (BG-26) on every line.",
    ),
    "BR-TMP-2": ("warning", "The external document location (BT-124) must be an absolute URL with a scheme."),
    "BR-TMP-3": (
        "fatal",
        "A price base quantity (BT-149) given for both the gross and the net price must be the same in "
        "both, with the same unit of measure (BT-150).",
    ),
    "BR-DEX-01": (
        "fatal",
        "The attached document (BT-125) has the MIME code {mime!r}, which is not allowed (the extension "
        "allows application/xml besides the MIME codes of EN 16931).",
    ),
    "BR-DEX-02": (
        "warning",
        "The net amount (BT-131) of a line with sub invoice lines should be the sum of the net amounts "
        "of the sub invoice lines directly below it.",
    ),
    "BR-DEX-03": (
        "fatal",
        "A SUB INVOICE LINE (BG-DEX-01) must have exactly one VAT information (BG-DEX-06).",
    ),
    "BR-DEX-04": ("fatal", "The scheme identifier {scheme!r} of {name} must be from the ISO 6523 ICD list."),
    "BR-DEX-05": ("fatal", "The scheme identifier {scheme!r} of {name} must be from the ISO 6523 ICD list."),
    "BR-DEX-06": ("fatal", "The scheme identifier {scheme!r} of {name} must be from the ISO 6523 ICD list."),
    "BR-DEX-07": ("fatal", "The scheme identifier {scheme!r} of {name} must be from the CEF EAS list."),
    "BR-DEX-08": ("fatal", "The scheme identifier {scheme!r} of {name} must be from the ISO 6523 ICD list."),
    "BR-DEX-09": (
        "fatal",
        "Amount due for payment (BT-115) = invoice total with VAT (BT-112) - paid amount (BT-113) + "
        "rounding amount (BT-114) + the third party payment amounts (BT-DEX-002).",
    ),
    "BR-DEX-10": ("fatal", "A THIRD PARTY PAYMENT (BG-DEX-09) must give its type (BT-DEX-001)."),
    "BR-DEX-11": ("fatal", "A THIRD PARTY PAYMENT (BG-DEX-09) must give its amount (BT-DEX-002)."),
    "BR-DEX-12": ("fatal", "A THIRD PARTY PAYMENT (BG-DEX-09) must give its description (BT-DEX-003)."),
    "BR-DEX-13": ("fatal", "The third party payment amount (BT-DEX-002) has at most two decimals."),
    "BR-DEX-14": (
        "fatal",
        "The third party payment amount (BT-DEX-002) must be in the invoice currency (BT-5).",
    ),
    "BR-DEX-15": (
        "warning",
        "The document may use sub invoice lines (ParentLineID), which XRechnung CII lacks.",
    ),
    "BR-DE-CVD-01": ("fatal", "The contract reference (BT-12) must be given."),
    "BR-DE-CVD-02": ("fatal", "The tender or lot reference (BT-17) must be given."),
    "BR-DE-CVD-03": (
        "fatal",
        "At least one INVOICE LINE (BG-25) must have an item classification identifier (BT-158) of "
        "scheme 'CVD' and an item attribute (BT-160) named 'cva'.",
    ),
    "BR-DE-CVD-04": (
        "fatal",
        "An item classification (BT-158) of scheme 'CVD' must be M1, M2, M3, N1, N2 or N3.",
    ),
    "BR-DE-CVD-05": (
        "fatal",
        "The value (BT-161) of the item attribute 'cva' must be clean, zero-emission or other.",
    ),
    "BR-DE-CVD-06-a": (
        "fatal",
        "A line with an item classification (BT-158) of scheme 'CVD' must have exactly one item "
        "attribute (BT-160) named 'cva'.",
    ),
    "BR-DE-CVD-06-b": (
        "fatal",
        "A line with an item attribute (BT-160) named 'cva' must have exactly one item classification "
        "(BT-158) of scheme 'CVD'.",
    ),
    "BR-TMP-CVD-01": (
        "fatal",
        "The scheme {scheme!r} of the item classification (BT-158) must be from UNTDID 7143.",
    ),
}


def _codes(text: str) -> frozenset[str]:
    """A code list written as text, its codes separated by spaces."""
    return frozenset(text.split())


_VAT_CODES = frozenset({"S", "Z", "E", "AE", "K", "G", "L", "M"})  # BR-DE-16
_TYPE_CODES = frozenset({"326", "380", "384", "389", "381", "875", "876", "877"})  # BR-DE-17
_SKONTO = re.compile(
    r"(^|\r?\n)#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$"
)
_EMAIL = re.compile(r"^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$")
_URL = re.compile(r"^([a-zA-Z])([a-zA-Z0-9+.-])+:.*")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$")
_MIME = _codes(
    "application/pdf image/png image/jpeg text/csv application/xml "
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet "
    "application/vnd.oasis.opendocument.spreadsheet"
)
_DIGA = frozenset({"XR01", "XR02", "XR03"})  # the extension's additional scheme codes
# ISO/IEC 6523 ICD codes: 0002..0248 less the unassigned ones
_ICD = frozenset(f"{n:04d}" for n in range(2, 249) if n not in (92, 103, 181, 182)) | _DIGA
_EAS = _DIGA | _codes(  # CEF electronic address scheme (EAS) codes
    "0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170 0177 0183 "
    "0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204 0205 0208 0209 "
    "0210 0211 0212 0213 0215 0216 0217 0218 0219 0220 0221 0225 0230 0235 0240 0242 0244 0245 0246 "
    "0248 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 "
    "9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 "
    "9952 9953 9957 9959 AN AQ AS AU EM"
)
_UNTDID_7143 = _codes(  # item type identification codes, plus CVD of the Clean Vehicles profile
    "AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR AS AT AU AV AW AX AY AZ BA BB BC BD BE BF BG "
    "BH BI BJ BK BL BM BN BO BP BQ BR BS BT BU BV BW BX BY BZ CC CG CL CR CV DR DW EC EF EMD EN FS GB GN "
    "GMN GS HS IB IN IS IT IZ MA MF MN MP NB ON PD PL PO PPI PV QS RC RN RU RY SA SG SK SN SRS SRT SRU "
    "SRV SRW SRX SRY SRZ SS SSA SSB SSC SSD SSE SSF SSG SSH SSI SSJ SSK SSL SSM SSN SSO SSP SSQ SSR SSS "
    "SST SSU SSV SSW SSX SSY SSZ ST STA STB STC STD STE STF STG STH STI STJ STK STL STM STN STO STP STQ "
    "STR STS STT STU STV STW STX STY STZ SUA SUB SUC SUD SUE SUF SUG SUH SUI SUJ SUK SUL SUM TG TSN TSO "
    "TSP TSQ TSR TSS TST TSU UA UP VN VP VS VX ZZZ CVD"
)
_VEHICLE_CATEGORIES = frozenset({"M1", "M2", "M3", "N1", "N2", "N3"})  # BR-DE-CVD-04
_CVA_VALUES = frozenset({"clean", "zero-emission", "other"})  # BR-DE-CVD-05
_MEANS = {  # payment means code -> (rule, what it is)
    **dict.fromkeys(("30", "58"), ("BR-DE-23", "a credit transfer")),
    **dict.fromkeys(("48", "54", "55"), ("BR-DE-24", "a card payment")),
    "59": ("BR-DE-25", "a direct debit"),
}


class _Doc:
    """One document in one syntax: namespaced queries, and the findings collected so far."""

    def __init__(self, root: etree._Element, ns: dict[str, str], specs: list[str], attachment: str) -> None:
        self.root = root
        self.specs = set(specs)  # every specification identifier (BT-24) given
        self.spec = specs[0] if specs else ""
        self.attachment = attachment  # the attached document (BT-125) below a document reference
        self.ns = ns
        self.findings: list[Finding] = []

    def all(self, el: etree._Element, path: str) -> list[etree._Element]:
        found = el.xpath(path, namespaces=self.ns)
        assert isinstance(found, list)
        return [e for e in found if isinstance(e, etree._Element)]

    def has(self, el: etree._Element, path: str) -> bool:
        return bool(self.all(el, path))

    def texts(self, el: etree._Element, path: str) -> list[str]:
        return [" ".join("".join(e.itertext()).split()) for e in self.all(el, path)]

    def text(self, el: etree._Element, path: str) -> str:
        found = self.texts(el, path)
        return found[0] if found else ""

    def filled(self, el: etree._Element, path: str) -> bool:
        return any(self.texts(el, path))

    def rule(self, ok: bool, rule: str, where: etree._Element, **values: object) -> None:
        if not ok:
            flag, text = RULES[rule]
            message = f"[{rule}] {text.format(**values)}"
            self.findings.append(Finding(rule=rule, flag=flag, message=message, location=_path(where)))


def _path(element: etree._Element) -> str:
    """``/Invoice[1]/AccountingSupplierParty[1]/Party[1]``: local names and positions, the way the
    official validators print locations."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        index = 1 if parent is None else [c for c in parent if c.tag == node.tag].index(node) + 1
        steps.append(f"{etree.QName(node).localname}[{index}]")
        node = parent
    return "/" + "/".join(reversed(steps))


def _iban(value: str) -> bool:
    """ISO 13616: two letters, two check digits, the account; the rearranged number mod 97 is 1."""
    value = re.sub(r"\s", "", value)
    if not _IBAN.match(value):
        return False
    rearranged = (value[4:] + value[:4]).upper()
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _skonto(terms: str) -> bool:
    """BR-DE-18: every line of the payment terms (BT-20) that starts with ``#`` is a well-formed cash
    discount line, and the last one is followed by a line break."""
    lines = [line for line in re.split(r"\r?\n", terms) if line.strip().startswith("#")]
    if not lines:
        return True
    if not all(_SKONTO.search(" ".join(line.split())) for line in lines):
        return False
    return re.match(r"^\s*\n", re.split(r"#.+#", terms)[-1]) is not None


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return None


def _in(codes: frozenset[str], value: str | None) -> bool:
    """``value`` (whitespace normalised) is one of ``codes``. An empty value passes: the published rules
    look the value up, with blanks around it, in the code lists written as one text, and where two
    lists are joined that text has two blanks in a row, which an empty value matches."""
    value = " ".join((value or "").split())
    return not value or (" " not in value and value in codes)


# -- rules written once for both syntaxes ------------------------------------------------------------


def _common(d: _Doc, type_code: str, terms: list[etree._Element], references: list[etree._Element]) -> None:
    r = d.root
    d.rule(type_code in _TYPE_CODES, "BR-DE-17", r)
    d.rule(not terms or _skonto("".join(terms[0].itertext())), "BR-DE-18", r)
    d.rule(_unique_names(d, references), "BR-DE-22", r)


def _unique_names(d: _Doc, references: list[etree._Element]) -> bool:
    """BR-DE-22: no additional document reference (BG-24) has an attachment file name (BT-125
    ``filename``) that one of its preceding siblings has."""
    seen: dict[str, set[str]] = {}
    for reference in references:
        parent = reference.getroottree().getpath(reference.getparent())
        names = {name for e in d.all(reference, d.attachment) if (name := e.get("filename")) is not None}
        if names & seen.get(parent, set()):
            return False
        seen.setdefault(parent, set()).update(names)
    return True


def _address(d: _Doc, address: etree._Element, city: str, postcode: str, rules: tuple[str, str]) -> None:
    d.rule(d.filled(address, city), rules[0], address)
    d.rule(d.filled(address, postcode), rules[1], address)


def _contact(d: _Doc, contact: etree._Element, name: str, phone: str, email: str) -> None:
    d.rule(d.filled(contact, name), "BR-DE-5", contact)
    d.rule(d.filled(contact, phone), "BR-DE-6", contact)
    d.rule(d.filled(contact, email), "BR-DE-7", contact)
    d.rule(len(re.findall(r"[0-9]", d.text(contact, phone))) >= 3, "BR-DE-27", contact)
    d.rule(_EMAIL.match(d.text(contact, email)) is not None, "BR-DE-28", contact)


def _payment_means(
    d: _Doc, means: etree._Element, code: str, groups: dict[str, bool], iban: str | None
) -> None:
    """BR-DE-19/20 and 23..25: ``groups`` says which of credit transfer (30, 58), card (48, 54, 55) and
    direct debit (59) information the payment means carries; ``iban`` the account to check."""
    if code not in _MEANS:
        return
    rule, kind = _MEANS[code]
    needed = {"BR-DE-23": "30", "BR-DE-24": "48", "BR-DE-25": "59"}[rule]
    d.rule(groups[needed], f"{rule}-a", means, code=code, kind=kind)
    d.rule(not any(v for k, v in groups.items() if k != needed), f"{rule}-b", means, code=code, kind=kind)
    if code in ("58", "59"):
        d.rule(_iban(iban or ""), "BR-DE-19" if code == "58" else "BR-DE-20", means)


def _schemes(d: _Doc, path: str, rule: str, codes: frozenset[str], *, sepa: str | None = None) -> None:
    """BR-DEX-04..08: scheme identifiers of the extension's code lists (``sepa``: where SEPA is allowed)."""
    for ident in d.all(d.root, path):
        ok = _in(codes, ident.get("schemeID"))
        if not ok and sepa and (ident.get("schemeID") or "").strip() == "SEPA":
            ok = d.has(ident, sepa)
        d.rule(ok, rule, ident, scheme=ident.get("schemeID"), name=etree.QName(ident).localname)


def _cvd_lines(
    d: _Doc, where: etree._Element, items: list[tuple[etree._Element, list[etree._Element], list[str]]]
) -> None:
    """The CVD rules on items: (item, its classification codes, the values of its 'cva' attributes)."""
    d.rule(
        any(any(c.get("listID") == "CVD" for c in codes) and cva for _, codes, cva in items),
        "BR-DE-CVD-03",
        where,
    )
    for item, codes, cva in items:
        cvd = [c for c in codes if (c.get("listID") or "").strip() == "CVD"]
        d.rule(not cvd or len(cva) == 1, "BR-DE-CVD-06-a", item)
        d.rule(not cva or len(cvd) == 1, "BR-DE-CVD-06-b", item)
        for code in codes:
            d.rule(_in(_UNTDID_7143, code.get("listID")), "BR-TMP-CVD-01", code, scheme=code.get("listID"))
        for code in cvd:
            d.rule(d.text(code, ".") in _VEHICLE_CATEGORIES, "BR-DE-CVD-04", code)
        for value in cva:
            d.rule(value in _CVA_VALUES, "BR-DE-CVD-05", item)


def _mime(d: _Doc, path: str) -> None:
    for attached in d.all(d.root, path):
        d.rule(attached.get("mimeCode") in _MIME, "BR-DEX-01", attached, mime=attached.get("mimeCode"))


# -- UBL ---------------------------------------------------------------------------------------------


def _ubl(d: _Doc) -> None:
    r = d.root
    lines = d.all(r, "cac:InvoiceLine | cac:CreditNoteLine")
    d.rule(d.has(r, "cac:PaymentMeans"), "BR-DE-1", r)
    d.rule(d.filled(r, "cbc:BuyerReference"), "BR-DE-15", r)
    used = set(d.texts(r, "cac:AllowanceCharge/cac:TaxCategory/cbc:ID"))  # BT-95, BT-102
    used |= set(
        d.texts(r, "(cac:InvoiceLine | cac:CreditNoteLine)/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
    )
    registered = d.filled(r, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
    d.rule(not used & _VAT_CODES or registered or d.has(r, "cac:TaxRepresentativeParty"), "BR-DE-16", r)
    type_code = d.text(r, "cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode")
    _common(d, type_code, d.all(r, "cac:PaymentTerms/cbc:Note"), d.all(r, "cac:AdditionalDocumentReference"))
    d.rule(bool(d.specs & {CIUS_ID, EXTENSION_ID, CVD_ID}), "BR-DE-21", r)
    d.rule(type_code != "384" or d.has(r, "cac:BillingReference/cac:InvoiceDocumentReference"), "BR-DE-26", r)
    mandate = d.has(r, "cac:PaymentMeans/cac:PaymentMandate")
    parties = "(cac:AccountingSupplierParty/cac:Party | cac:PayeeParty)"
    creditor = f"{parties}/cac:PartyIdentification/cbc:ID[@schemeID='SEPA']"
    d.rule(not mandate or d.has(r, creditor), "BR-DE-30", r)
    d.rule(
        not mandate or d.has(r, "cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"),
        "BR-DE-31",
        r,
    )
    delivered = d.has(r, "cac:Delivery/cbc:ActualDeliveryDate | cac:InvoicePeriod")
    d.rule(delivered or all(d.has(line, "cac:InvoicePeriod") for line in lines), "BR-DE-TMP-32", r)
    for ref in d.all(r, "cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference"):
        d.rule(_URL.match(d.text(ref, "cbc:URI")) is not None, "BR-TMP-2", ref)
    for supplier in d.all(r, "cac:AccountingSupplierParty"):
        d.rule(d.has(supplier, "cac:Party/cac:Contact"), "BR-DE-2", supplier)
    for address in d.all(r, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress"):
        _address(d, address, "cbc:CityName", "cbc:PostalZone", ("BR-DE-3", "BR-DE-4"))
    for contact in d.all(r, "cac:AccountingSupplierParty/cac:Party/cac:Contact"):
        _contact(d, contact, "cbc:Name", "cbc:Telephone", "cbc:ElectronicMail")
    for address in d.all(r, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress"):
        _address(d, address, "cbc:CityName", "cbc:PostalZone", ("BR-DE-8", "BR-DE-9"))
    for address in d.all(r, "cac:Delivery/cac:DeliveryLocation/cac:Address"):
        _address(d, address, "cbc:CityName", "cbc:PostalZone", ("BR-DE-10", "BR-DE-11"))
    for means in d.all(r, "cac:PaymentMeans"):
        code = d.text(means, "cbc:PaymentMeansCode")
        groups = {
            "30": d.has(means, "cac:PayeeFinancialAccount"),
            "48": d.has(means, "cac:CardAccount"),
            "59": d.has(means, "cac:PaymentMandate"),
        }
        account = (
            "cac:PayeeFinancialAccount/cbc:ID"
            if code == "58"
            else "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"
        )
        _payment_means(d, means, code, groups, d.text(means, account))
    for subtotal in d.all(r, "cac:TaxTotal/cac:TaxSubtotal"):
        d.rule(d.filled(subtotal, "cac:TaxCategory/cbc:Percent"), "BR-DE-14", subtotal)
    if d.spec == EXTENSION_ID:
        _ubl_extension(d)
    if d.spec == CVD_ID:
        d.rule(d.filled(r, "cac:ContractDocumentReference/cbc:ID"), "BR-DE-CVD-01", r)
        d.rule(d.filled(r, "cac:OriginatorDocumentReference/cbc:ID"), "BR-DE-CVD-02", r)
        items = [
            (
                item,
                d.all(item, "cac:CommodityClassification/cbc:ItemClassificationCode"),
                [d.text(e, "cbc:Value") for e in d.all(item, "cac:AdditionalItemProperty[cbc:Name = 'cva']")],
            )
            for line in lines
            for item in d.all(line, "cac:Item")
        ]
        _cvd_lines(d, r, items)


def _adds_up(d: _Doc, line: etree._Element) -> bool:
    """BR-DEX-02 for one line: its net amount is the sum of those of the sub invoice lines below it."""
    total = _decimal(d.text(line, "cbc:LineExtensionAmount"))
    parts = [_decimal(v) for v in d.texts(line, "cac:SubInvoiceLine/cbc:LineExtensionAmount")]
    return None not in parts and total == sum(p for p in parts if p is not None)


def _ubl_extension(d: _Doc) -> None:
    r = d.root
    _mime(d, "//cbc:EmbeddedDocumentBinaryObject")
    if etree.QName(r).localname == "Invoice":
        parents = d.all(r, "cac:InvoiceLine[cac:SubInvoiceLine] | //cac:SubInvoiceLine[cac:SubInvoiceLine]")
        d.rule(all(_adds_up(d, line) for line in parents), "BR-DEX-02", r)
        items = d.all(r, "//cac:SubInvoiceLine/cac:Item")
        d.rule(all(len(d.all(item, "cac:ClassifiedTaxCategory")) == 1 for item in items), "BR-DEX-03", r)
        for paid in d.all(r, "cac:PrepaidPayment"):
            d.rule(d.filled(paid, "cbc:ID"), "BR-DEX-10", paid)
            d.rule(d.filled(paid, "cbc:PaidAmount"), "BR-DEX-11", paid)
            d.rule(d.filled(paid, "cbc:InstructionID"), "BR-DEX-12", paid)
            d.rule(len(d.text(paid, "cbc:PaidAmount").partition(".")[2]) <= 2, "BR-DEX-13", paid)
            currency = [e.get("currencyID") for e in d.all(paid, "cbc:PaidAmount")]
            d.rule(bool(set(currency) & set(d.texts(r, "cbc:DocumentCurrencyCode"))), "BR-DEX-14", paid)
    third = sum(
        (_decimal(v) or Decimal(0) for v in d.texts(r, "cac:PrepaidPayment/cbc:PaidAmount")), Decimal(0)
    )
    for total in d.all(r, "cac:LegalMonetaryTotal"):
        names = ("PayableAmount", "PayableRoundingAmount", "TaxInclusiveAmount", "PrepaidAmount")
        amount = {n: _decimal(d.text(total, f"cbc:{n}")) or Decimal(0) for n in names}
        due = round(amount["PayableAmount"] - amount["PayableRoundingAmount"], 2)
        d.rule(
            due == round(amount["TaxInclusiveAmount"] - amount["PrepaidAmount"] + third, 2),
            "BR-DEX-09",
            total,
        )
    supplier_or_payee = "ancestor::cac:AccountingSupplierParty | ancestor::cac:PayeeParty"
    _schemes(d, "//cac:PartyIdentification/cbc:ID[@schemeID]", "BR-DEX-04", _ICD, sepa=supplier_or_payee)
    _schemes(d, "//cac:PartyLegalEntity/cbc:CompanyID[@schemeID]", "BR-DEX-05", _ICD)
    _schemes(d, "//cac:StandardItemIdentification/cbc:ID[@schemeID]", "BR-DEX-06", _ICD)
    _schemes(d, "//cbc:EndpointID[@schemeID]", "BR-DEX-07", _EAS)
    _schemes(d, "//cac:DeliveryLocation/cbc:ID[@schemeID]", "BR-DEX-08", _ICD)


# -- CII ---------------------------------------------------------------------------------------------

_T = "rsm:SupplyChainTradeTransaction"
_AGREEMENT = f"{_T}/ram:ApplicableHeaderTradeAgreement"
_SETTLEMENT = f"{_T}/ram:ApplicableHeaderTradeSettlement"
_LINES = f"{_T}/ram:IncludedSupplyChainTradeLineItem"


def _cii(d: _Doc) -> None:
    r = d.root
    lines = d.all(r, _LINES)
    # CII has no element for DIRECT DEBIT (BG-19): it is there when one of its mandatory terms is
    mandate = d.has(r, f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID")
    creditor = d.has(r, f"{_SETTLEMENT}/ram:CreditorReferenceID")
    debited = d.has(
        r,
        f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID",
    )
    debit = mandate or creditor or debited
    d.rule(not debit or ((mandate or debited) and creditor), "BR-DE-30", r)
    d.rule(not debit or ((mandate or creditor) and debited), "BR-DE-31", r)
    d.rule(d.has(r, f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"), "BR-DE-1", r)
    d.rule(d.filled(r, f"{_AGREEMENT}/ram:BuyerReference"), "BR-DE-15", r)
    line_taxes = d.all(r, f"{_LINES}/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax")
    used = {d.text(t, "ram:CategoryCode") for t in line_taxes if d.text(t, "ram:TypeCode") == "VAT"}
    used |= set(
        d.texts(r, f"{_SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax/ram:CategoryCode")
    )
    registrations = d.all(r, f"{_AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID")
    registered = any(
        d.text(e, ".") and (e.get("schemeID") or "").strip() in ("VA", "FC") for e in registrations
    )
    d.rule(
        not used & _VAT_CODES
        or registered
        or d.has(r, f"{_AGREEMENT}/ram:SellerTaxRepresentativeTradeParty"),
        "BR-DE-16",
        r,
    )
    type_code = d.text(r, "rsm:ExchangedDocument/ram:TypeCode")
    terms = d.all(r, f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:Description")
    _common(d, type_code, terms, d.all(r, "//ram:AdditionalReferencedDocument"))
    d.rule(type_code != "384" or d.has(r, f"{_SETTLEMENT}/ram:InvoiceReferencedDocument"), "BR-DE-26", r)
    for context in d.all(r, "rsm:ExchangedDocumentContext"):
        d.rule(bool(d.specs & {CIUS_ID, EXTENSION_ID, CVD_ID}), "BR-DE-21", context)
    for seller in d.all(r, f"{_AGREEMENT}/ram:SellerTradeParty"):
        d.rule(d.has(seller, "ram:DefinedTradeContact"), "BR-DE-2", seller)
    for address in d.all(r, f"{_AGREEMENT}/ram:SellerTradeParty/ram:PostalTradeAddress"):
        _address(d, address, "ram:CityName", "ram:PostcodeCode", ("BR-DE-3", "BR-DE-4"))
    for contact in d.all(r, f"{_AGREEMENT}/ram:SellerTradeParty/ram:DefinedTradeContact"):
        phone, email = (
            "ram:TelephoneUniversalCommunication/ram:CompleteNumber",
            "ram:EmailURIUniversalCommunication/ram:URIID",
        )
        _contact(d, contact, "ram:PersonName | ram:DepartmentName", phone, email)
    for address in d.all(r, f"{_AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress"):
        _address(d, address, "ram:CityName", "ram:PostcodeCode", ("BR-DE-8", "BR-DE-9"))
    for document in d.all(r, f"{_AGREEMENT}/ram:AdditionalReferencedDocument[ram:TypeCode = '916']"):
        d.rule(
            not d.has(document, "ram:URIID") or _URL.match(d.text(document, "ram:URIID")) is not None,
            "BR-TMP-2",
            document,
        )
    for address in d.all(
        r, f"{_T}/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:PostalTradeAddress"
    ):
        _address(d, address, "ram:CityName", "ram:PostcodeCode", ("BR-DE-10", "BR-DE-11"))
    for means in d.all(r, f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"):
        code = d.text(means, "ram:TypeCode")
        own_debit = d.has(means, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
        groups = {
            "30": d.has(means, "ram:PayeePartyCreditorFinancialAccount"),
            "48": d.has(means, "ram:ApplicableTradeSettlementFinancialCard"),
            "59": mandate or creditor or own_debit,
        }
        if code == "59":  # with a direct debit the creditor's and debtor's banks must not be named either
            banks = "ram:PayeeSpecifiedCreditorFinancialInstitution"
            banks += " | ram:PayerSpecifiedDebtorFinancialInstitution"
            groups["30"] = groups["30"] or d.has(means, banks)
        account = (
            "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"
            if code == "58"
            else "ram:PayerPartyDebtorFinancialAccount/ram:IBANID"
        )
        _payment_means(d, means, code, groups, d.text(means, account))
    for tax in d.all(r, f"{_SETTLEMENT}/ram:ApplicableTradeTax"):
        d.rule(d.filled(tax, "ram:RateApplicablePercent"), "BR-DE-14", tax)
    for transaction in d.all(r, _T):
        delivered = d.has(
            transaction,
            "ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime"
            " | ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod",
        )
        period = "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod"
        d.rule(delivered or all(d.has(line, period) for line in lines), "BR-DE-TMP-32", transaction)
    for line in lines:
        _base_quantities(d, line)
    if d.spec == EXTENSION_ID:
        _cii_extension(d, lines)
    if d.spec == CVD_ID:
        _cii_cvd(d, lines)


def _base_quantities(d: _Doc, line: etree._Element) -> None:
    """BR-TMP-3: a price base quantity (BT-149) given for both prices is the same, unit (BT-150) too."""
    gross = d.all(line, "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:BasisQuantity")
    net = d.all(line, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity")
    if not gross or not net:
        return
    quantities = _decimal(gross[0].text or ""), _decimal(net[0].text or "")
    same = quantities[0] is not None and quantities[0] == quantities[1]
    units = gross[0].get("unitCode"), net[0].get("unitCode")
    d.rule(same and (None in units or units[0] == units[1]), "BR-TMP-3", line)


def _cii_extension(d: _Doc, lines: list[etree._Element]) -> None:
    r = d.root
    if d.has(r, "//ram:ParentLineID"):
        for document in [doc for line in lines for doc in d.all(line, "ram:AssociatedDocumentLineDocument")]:
            d.rule(False, "BR-DEX-15", document)
    party_ids = "//ram:GlobalID[@schemeID][not(ancestor::ram:SpecifiedTradeProduct)]"
    party_ids += "[not(ancestor::ram:ShipToTradeParty)]"
    _schemes(d, party_ids, "BR-DEX-04", _ICD)
    _schemes(d, "//ram:ID[@schemeID][not(ancestor::ram:SpecifiedTaxRegistration)]", "BR-DEX-05", _ICD)
    _schemes(d, "//ram:SpecifiedTradeProduct/ram:GlobalID[@schemeID]", "BR-DEX-06", _ICD)
    _schemes(d, "//ram:URIUniversalCommunication/ram:URIID[@schemeID]", "BR-DEX-07", _EAS)
    _schemes(
        d,
        "//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty/ram:GlobalID[@schemeID]",
        "BR-DEX-08",
        _ICD,
    )
    _mime(d, "//ram:AttachmentBinaryObject")


def _cii_cvd(d: _Doc, lines: list[etree._Element]) -> None:
    for agreement in d.all(d.root, _AGREEMENT):
        d.rule(
            d.filled(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
            "BR-DE-CVD-01",
            agreement,
        )
        tender = "ram:AdditionalReferencedDocument[normalize-space(ram:TypeCode) = '50']/ram:IssuerAssignedID"
        d.rule(d.filled(agreement, tender), "BR-DE-CVD-02", agreement)
    products = [
        (
            product,
            d.all(product, "ram:DesignatedProductClassification/ram:ClassCode"),
            [
                d.text(e, "ram:Value")
                for e in d.all(product, "ram:ApplicableProductCharacteristic[ram:Description = 'cva']")
            ],
        )
        for line in lines
        for product in d.all(line, "ram:SpecifiedTradeProduct")
    ]
    for transaction in d.all(d.root, _T):
        _cvd_lines(d, transaction, products)


_UBL_ATTACHMENT = "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"
_CII_SPEC = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
# syntax -> (prefixes, specification identifier, attachment below a document reference, rules)
_SYNTAXES: dict[str, tuple[dict[str, str], str, str, Callable[[_Doc], None]]] = {
    "ubl": ({"cbc": UBL_CBC, "cac": UBL_CAC}, "cbc:CustomizationID", _UBL_ATTACHMENT, _ubl),
    "cii": (CII_NS, _CII_SPEC, "ram:AttachmentBinaryObject", _cii),
}


def check(root: etree._Element, *, syntax: str) -> tuple[Finding, ...]:
    """Every XRechnung 3.0 rule ``root`` (a UBL Invoice/CreditNote or a CII CrossIndustryInvoice)
    fails, warnings and information included."""
    if syntax not in _SYNTAXES:
        raise UnsupportedError(f"the XRechnung rules are defined for 'ubl' and 'cii', not {syntax!r}")
    ns, spec_path, attachment, run = _SYNTAXES[syntax]
    specs = root.xpath(spec_path, namespaces=ns)
    assert isinstance(specs, list)
    d = _Doc(root, ns, [" ".join("".join(e.itertext()).split()) for e in specs], attachment)
    run(d)
    return tuple(d.findings)
