"""Our own content rules for ZUGFeRD 1.0 (FeRD's Schematron is not installable)."""

from __future__ import annotations

import pytest

from edi.xml.safe import parse_xml
from edi.xml.zugferd1_rules import check
from tests.edi.corpus import CONFORMANCE, CORPUS, corpus_files

VALID = [
    *corpus_files("xml/zugferd-facturx/samples/akretion", "zugferd-*.xml"),
    CONFORMANCE / "mustang/validV1.xml",
]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_zugferd1_invoices_break_no_rule(path: object) -> None:
    from pathlib import Path

    assert isinstance(path, Path)
    if not path.is_file():
        pytest.skip(f"{path} not present")
    assert check(parse_xml(path.read_bytes())) == ()


def _mutated(old: bytes, new: bytes) -> set[str]:
    data = (CORPUS / "xml/zugferd-facturx/samples/akretion/zugferd-comfort.xml").read_bytes()
    assert old in data
    return {f.rule for f in check(parse_xml(data.replace(old, new, 1)))}


def test_each_rule_fires_on_its_own_fault() -> None:
    data = (CORPUS / "xml/zugferd-facturx/samples/akretion/zugferd-comfort.xml").read_bytes()
    root = parse_xml(data)
    ns = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"}
    summation = root.find(
        ".//ram:ApplicableSupplyChainTradeSettlement/ram:SpecifiedTradeSettlementMonetarySummation", ns
    )
    assert summation is not None
    line_total = summation.findtext("ram:LineTotalAmount", namespaces=ns)
    grand = summation.findtext("ram:GrandTotalAmount", namespaces=ns)
    assert line_total and grand
    assert _mutated(f">{line_total}<".encode(), b">1.00<") >= {"ZF1-2"}
    assert _mutated(f">{grand}<".encode(), b">0.50<") >= {"ZF1-3"}
    calculated = root.findtext(".//ram:ApplicableTradeTax/ram:CalculatedAmount", namespaces=ns)
    assert calculated
    assert "ZF1-4" in _mutated(f">{calculated}<".encode(), b">0.01<")
    agreement_end = b"</ram:ApplicableSupplyChainTradeAgreement>"
    empty_ref = b"<ram:AdditionalReferencedDocument></ram:AdditionalReferencedDocument>" + agreement_end
    assert "ZF1-1" in _mutated(agreement_end, empty_ref)
