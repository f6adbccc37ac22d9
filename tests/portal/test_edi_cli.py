from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import edi
import edi.documents as doc
from portal.cli import main
from tests.edi.corpus import CORPUS

ORDERS = CORPUS / "edi/edifact/orders/orders_d96a_ean008_multi_message_bots.edi"
X12_850 = CORPUS / "edi/x12/850/850_4010_nodex12.edi"
BROKEN = CORPUS / "edi/edifact/edge/broken_missing_unz.edi"
UBL_INVOICE = CORPUS / "xml/en16931/ubl/samples/ubl-tc434-example1.xml"


def test_inspect_json_lists_messages_with_their_outcome() -> None:
    result = CliRunner().invoke(main, ["edi", "inspect", str(ORDERS), "--json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1  # two of the messages are rejected
    assert report["format"] == "edifact"
    assert len(report["messages"]) == 24
    assert sum(m["ok"] for m in report["messages"]) == 22
    bad = [m for m in report["messages"] if not m["ok"]]
    assert {m["error"]["code"] for m in bad} == {"13", "12"}


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
