"""Content rules for ZUGFeRD 1.0 invoices, written here: FeRD's ZUGFeRD 1.0 Schematron is not
installable from a package registry, and its XSD lets wrong totals and empty references through.

Each rule is named ``ZF1-n``; every finding is an error:

- ZF1-1: an ``AdditionalReferencedDocument`` names the document (an ``ID``); an empty one is refused,
  as FeRD's Schematron refuses it.
- ZF1-2: the line total (``LineTotalAmount`` of the summation) is the sum of the lines' totals.
- ZF1-3: the grand total is the tax basis plus the tax total.
- ZF1-4: each tax breakdown's calculated amount is its basis times its rate (to the cent, with one
  cent of rounding per breakdown).

Amounts are compared as decimals; a rule whose amounts are absent does not apply.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from edi.errors import Finding
from edi.xml._tree import ZF1_NS

__all__ = ["check"]

_SUM = "ram:SpecifiedTradeSettlementMonetarySummation"
_SETTLEMENT = "rsm:SpecifiedSupplyChainTradeTransaction/ram:ApplicableSupplyChainTradeSettlement"
_CENT = Decimal("0.01")


def _amount(node: etree._Element | None) -> Decimal | None:
    if node is None or not (node.text or "").strip():
        return None
    try:
        return Decimal((node.text or "").strip())
    except InvalidOperation:
        return None


def _path(node: etree._Element) -> str:
    return str(node.getroottree().getpath(node))


def _error(rule: str, message: str, node: etree._Element) -> Finding:
    return Finding(rule=rule, flag="error", message=f"[{rule}]-{message}", location=_path(node))


def check(root: etree._Element) -> tuple[Finding, ...]:
    """Every ZF1 finding on a ZUGFeRD 1.0 ``CrossIndustryDocument``."""
    findings: list[Finding] = []
    for ref in root.iterfind(".//ram:AdditionalReferencedDocument", ZF1_NS):
        if not (ref.findtext("ram:ID", default="", namespaces=ZF1_NS) or "").strip():
            findings.append(_error("ZF1-1", "An additional referenced document must name its ID.", ref))
    settlement = root.find(_SETTLEMENT, ZF1_NS)
    if settlement is None:
        return tuple(findings)
    summation = settlement.find(_SUM, ZF1_NS)
    if summation is not None:
        line_total = _amount(summation.find("ram:LineTotalAmount", ZF1_NS))
        lines = [
            _amount(n)
            for n in root.iterfind(
                "rsm:SpecifiedSupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/"
                f"ram:SpecifiedSupplyChainTradeSettlement/{_SUM}/ram:LineTotalAmount",
                ZF1_NS,
            )
        ]
        if line_total is not None and lines and None not in lines:
            expected = sum((a for a in lines if a is not None), Decimal(0))
            if abs(expected - line_total) >= _CENT:
                findings.append(
                    _error(
                        "ZF1-2",
                        f"The line total {line_total} is not the sum of the lines ({expected}).",
                        summation,
                    )
                )
        basis = _amount(summation.find("ram:TaxBasisTotalAmount", ZF1_NS))
        tax = _amount(summation.find("ram:TaxTotalAmount", ZF1_NS))
        grand = _amount(summation.find("ram:GrandTotalAmount", ZF1_NS))
        if basis is not None and tax is not None and grand is not None and abs(basis + tax - grand) >= _CENT:
            findings.append(
                _error(
                    "ZF1-3", f"The grand total {grand} is not tax basis {basis} plus tax {tax}.", summation
                )
            )
    for breakdown in settlement.iterfind("ram:ApplicableTradeTax", ZF1_NS):
        calculated = _amount(breakdown.find("ram:CalculatedAmount", ZF1_NS))
        taxable = _amount(breakdown.find("ram:BasisAmount", ZF1_NS))
        rate = _amount(breakdown.find("ram:ApplicablePercent", ZF1_NS))
        if calculated is None or taxable is None or rate is None:
            continue
        expected = (taxable * rate / 100).quantize(_CENT)
        if abs(expected - calculated) > _CENT:
            findings.append(
                _error(
                    "ZF1-4",
                    f"The tax {calculated} is not {rate} % of its basis {taxable} ({expected}).",
                    breakdown,
                )
            )
    return tuple(findings)
