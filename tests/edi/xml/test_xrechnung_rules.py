"""The built-in XRechnung rules find what KoSIT's XRechnung Schematron finds: on every invoice of the
corpus and the conformance files, on seeded random mutations of the XRechnung test suite that still
conform to their XSD (the rules only ever run on those), and on mutations aimed at each rule."""

from __future__ import annotations

import copy
import random
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from edi.xml import xrechnung_rules
from edi.xml.safe import parse_xml
from edi.xml.zugferd import extract_xml, is_pdf
from tests.edi.corpus import CONFORMANCE, conformance_files, corpus_files
from tests.edi.xml._support import RULES, STORE, XML

_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def _invoice(path: Path) -> tuple[etree._Element, str] | None:
    data = path.read_bytes()
    try:
        root = parse_xml(extract_xml(data)[1] if is_pdf(data) else data)
    except Exception:
        return None
    local = etree.QName(root).localname
    if local in ("Invoice", "CreditNote"):
        return root, "ubl"
    return (root, "cii") if local == "CrossIndustryInvoice" else None


def _both(root: etree._Element, syntax: str) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    official = Counter((f.rule, f.flag) for f in RULES.findings("xrechnung", syntax, root))
    built_in = Counter((f.rule, f.flag) for f in xrechnung_rules.check(root, syntax=syntax))
    return official, built_in


INVOICES = [
    p
    for p in corpus_files("xml", "*.xml") + conformance_files("", "*")
    if p.suffix.lower() in (".xml", ".pdf") and _invoice(p) is not None
]


@pytest.mark.parametrize("path", INVOICES, ids=lambda p: str(p.relative_to(XML.parent.parent)))
def test_built_in_rules_find_what_the_official_schematron_finds(path: Path) -> None:
    found = _invoice(path)
    assert found is not None
    official, built_in = _both(*found)
    assert built_in == official


def test_the_corpus_comparison_covers_both_syntaxes_and_failing_documents() -> None:
    syntaxes = Counter(syntax for p in INVOICES if (found := _invoice(p)) for syntax in [found[1]])
    assert syntaxes["ubl"] > 50 and syntaxes["cii"] > 50
    instance = parse_xml((XML / "xrechnung/validator-config-instances/cii001.xml").read_bytes())
    assert {"BR-DE-15", "BR-DE-2"} <= {f.rule for f in xrechnung_rules.check(instance, syntax="cii")}


_TEXTS = ["", "58", "59", "30", "48", "384", "VA", "S", "#SKONTO#TAGE=7#PROZENT=2.00#\n", "x", "DE02"]
_SUITE = [
    p
    for p in corpus_files("xml/xrechnung", "*.xml") + conformance_files("kosit-xrechnung-testsuite", "*.xml")
    if _invoice(p) is not None and "schematron-tests" not in p.parts
]


def _mutants(seed: int, per_file: int) -> list[tuple[str, etree._Element, str]]:
    """Seeded random edits (remove, blank or retype an element, duplicate it) that keep the document
    valid against its XSD."""
    rnd = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    mutants = []
    for path in _SUITE:
        found = _invoice(path)
        assert found is not None
        base, syntax = found
        made = 0
        for attempt in range(per_file * 4):
            if made == per_file:
                break
            root = copy.deepcopy(base)
            elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
            target = rnd.choice(elements)
            action = rnd.random()
            parent = target.getparent()
            assert parent is not None
            if action < 0.5:
                parent.remove(target)
            elif action < 0.8:
                target.text = rnd.choice(_TEXTS)
            else:
                parent.insert(parent.index(target), copy.deepcopy(target))
            if not STORE.findings(root):
                mutants.append((f"{path.name}#{attempt}", root, syntax))
                made += 1
    return mutants


MUTANTS = _mutants(seed=13, per_file=6)


@pytest.mark.parametrize(("case", "root", "syntax"), MUTANTS, ids=[m[0] for m in MUTANTS])
def test_built_in_rules_agree_on_schema_valid_mutants(case: str, root: etree._Element, syntax: str) -> None:
    official, built_in = _both(root, syntax)
    assert built_in == official, case


def test_the_mutants_make_rules_fire() -> None:
    fired = {rule for _, root, syntax in MUTANTS for rule, _ in _both(root, syntax)[1]}
    assert len(MUTANTS) > 200
    assert {"BR-DE-1", "BR-DE-2", "BR-DE-3", "BR-DE-15", "BR-DE-16"} <= fired


def _edit(root: etree._Element, path: str, action: str, value: str = "") -> None:
    for element in root.xpath(path, namespaces=_NS):
        if action == "remove":
            element.getparent().remove(element)
        elif action == "text":
            element.text = value
        elif action.startswith("@"):
            element.set(action[1:], value)
        else:  # append a child written as "prefix:Name" with text
            child = etree.SubElement(element, f"{{{_NS[action.split(':')[0]]}}}{action.split(':')[1]}")
            child.text = value


_TS = "kosit-xrechnung-testsuite"
TARGETED = [
    ("BR-DE-23-b", f"{_TS}/01.15a-INVOICE_ubl.xml", "//cac:PaymentMeans", "cac:PaymentMandate", "x"),
    ("BR-DE-24-a", f"{_TS}/01.15a-INVOICE_ubl.xml", "//cbc:PaymentMeansCode", "text", "48"),
    ("BR-DE-24-b", f"{_TS}/01.15a-INVOICE_ubl.xml", "//cbc:PaymentMeansCode", "text", "54"),
    ("BR-DE-25-a", f"{_TS}/01.15a-INVOICE_ubl.xml", "//cbc:PaymentMeansCode", "text", "59"),
    (
        "BR-DE-25-b",
        f"{_TS}/01.15a-INVOICE_uncefact.xml",
        "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode",
        "text",
        "59",
    ),
    (
        "BR-DE-24-a",
        f"{_TS}/01.15a-INVOICE_uncefact.xml",
        "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode",
        "text",
        "55",
    ),
    (
        "BR-DE-19",
        f"{_TS}/01.15a-INVOICE_uncefact.xml",
        "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID",
        "text",
        "DE02120300000000202052",
    ),
    (
        "BR-DE-CVD-04",
        f"{_TS}/02.01a-cvd_INVOICE_ubl.xml",
        "//cbc:ItemClassificationCode[@listID='CVD']",
        "text",
        "X9",
    ),
    ("BR-DE-CVD-02", f"{_TS}/02.01a-cvd_INVOICE_ubl.xml", "//cac:OriginatorDocumentReference", "remove", ""),
    (
        "BR-DE-CVD-05",
        f"{_TS}/02.01a-cvd_INVOICE_uncefact.xml",
        "//ram:ApplicableProductCharacteristic[ram:Description='cva']/ram:Value",
        "text",
        "dirty",
    ),
    ("BR-TMP-CVD-01", f"{_TS}/02.01a-cvd_INVOICE_uncefact.xml", "//ram:ClassCode", "@listID", "QQ"),
    ("BR-DEX-01", f"{_TS}/04.02a-INVOICE_ubl.xml", "/*", "cbc:EmbeddedDocumentBinaryObject", "eA=="),
    ("BR-DEX-04", f"{_TS}/04.02a-INVOICE_ubl.xml", "//cac:PartyIdentification/cbc:ID", "@schemeID", "9999"),
    ("BR-DEX-07", f"{_TS}/04.02a-INVOICE_ubl.xml", "//cbc:EndpointID", "@schemeID", "ZZ"),
    (
        "BR-DEX-02",
        f"{_TS}/04.02a-INVOICE_ubl.xml",
        "//cac:SubInvoiceLine[1]/cbc:LineExtensionAmount",
        "text",
        "1.01",
    ),
    (
        "BR-DEX-03",
        f"{_TS}/04.02a-INVOICE_ubl.xml",
        "//cac:SubInvoiceLine//cac:ClassifiedTaxCategory",
        "remove",
        "",
    ),
]


@pytest.mark.parametrize(
    ("rule", "name", "path", "action", "value"),
    TARGETED,
    ids=[f"{t[0]}-{t[1].split('/')[1]}" for t in TARGETED],
)
def test_each_rule_fires_in_both_implementations(
    rule: str, name: str, path: str, action: str, value: str
) -> None:
    found = _invoice(CONFORMANCE / name)
    assert found is not None
    root, syntax = found
    _edit(root, path, action, value)
    official, built_in = _both(root, syntax)
    assert rule in {r for r, _ in official}, "the mutation must break the rule"
    assert built_in == official


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("DE02120300000000202051", True),
        ("DE02 1203 0000 0000 2020 51", True),
        ("DE02120300000000202052", False),
        ("12345", False),
    ],
)
def test_iban_check_digits(iban: str, ok: bool) -> None:
    assert xrechnung_rules._iban(iban) is ok


@pytest.mark.parametrize(
    ("terms", "ok"),
    [
        ("#SKONTO#TAGE=7#PROZENT=2.00#\n", True),
        ("#SKONTO#TAGE=7#PROZENT=2.00#BASISBETRAG=100.00#\nZahlbar sofort", True),
        ("#SKONTO#TAGE=7#PROZENT=2#\n", False),
        ("#SKONTO#TAGE=7#PROZENT=2.00#", False),  # no line break after the last entry
        ("Zahlbar innerhalb 30 Tagen", True),
    ],
)
def test_cash_discount_lines(terms: str, ok: bool) -> None:
    assert xrechnung_rules._skonto(terms) is ok


def test_unknown_syntax_is_refused() -> None:
    with pytest.raises(Exception, match="'ubl' and 'cii'"):
        xrechnung_rules.check(etree.Element("x"), syntax="edifact")
