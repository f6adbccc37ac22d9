"""Encoded invoices pass the official EN 16931 rules, and XRechnung's when they carry a Leitweg-ID."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edi.documents import (
    Address,
    Contact,
    Invoice,
    InvoiceLine,
    MonetaryTotals,
    Party,
    PaymentTerms,
    TaxSubtotal,
)
from edi.errors import Finding
from edi.xml import codec
from edi.xml.schematron import check_en16931, check_xrechnung
from tests.edi.xml._strategies import text
from tests.edi.xml._support import XML

CENT = Decimal("0.01")


def consistent_invoice(
    lines: list[tuple[Decimal, Decimal, Decimal]],
    *,
    buyer_reference: str | None = None,
    name: str = "Seller & Söhne <GmbH>",
    prepaid: Decimal | None = None,
    type_code: str = "380",
) -> Invoice:
    """An invoice whose sums hold: ``lines`` are (quantity, net price, VAT rate) with category S."""
    invoice_lines = tuple(
        InvoiceLine(
            line_id=str(n),
            quantity=q,
            net_price=p,
            net_amount=(q * p).quantize(CENT, ROUND_HALF_UP),
            description=f'Artikel {n} "groß"',
            vat_category="S",
            vat_rate=r,
            gtin="4012345000016",
        )
        for n, (q, p, r) in enumerate(lines, start=1)
    )
    subtotals = []
    for rate in sorted({r for _, _, r in lines}):
        taxable = sum((line.net_amount for line in invoice_lines if line.vat_rate == rate), Decimal(0))
        subtotals.append(
            TaxSubtotal(
                category="S",
                rate=rate,
                taxable_amount=taxable,
                tax_amount=(taxable * rate / 100).quantize(CENT, ROUND_HALF_UP),
            )
        )
    line_total = sum((line.net_amount for line in invoice_lines), Decimal(0))
    tax_total = sum((sub.tax_amount for sub in subtotals), Decimal(0))
    payable = line_total + tax_total - (prepaid or 0)
    address = Address(street="Hauptstraße 1", city="Köln", postal_code="50667", country_code="DE")
    return Invoice(
        number="RE-2026-001",
        issue_date=date(2026, 3, 1),
        currency="EUR",
        seller=Party(
            name=name,
            gln="4000001000005",
            vat_id="DE123456789",
            address=address,
            contact=Contact(name="Erika Muster", phone="+49 221 12345", email="rechnung@seller.example"),
        ),
        buyer=Party(name="Stadt Köln", gln="4000001000012", address=address),
        lines=invoice_lines,
        tax_subtotals=tuple(subtotals),
        totals=MonetaryTotals(
            line_total=line_total,
            tax_exclusive=line_total,
            tax_total=tax_total,
            tax_inclusive=line_total + tax_total,
            payable=payable,
            prepaid=prepaid,
        ),
        type_code=type_code,
        buyer_reference=buyer_reference,
        order_number="PO-77",
        payment_terms=PaymentTerms(
            description="Zahlbar in 30 Tagen",
            due_date=date(2026, 3, 31),
            iban="DE02120300000000202051",
            payment_means_code="58",
        ),
    )


LINES = [(Decimal("3"), Decimal("19.99"), Decimal("19")), (Decimal("1.5"), Decimal("4.10"), Decimal("7"))]


def _errors(findings: tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.flag in ("fatal", "error")]


@pytest.mark.parametrize("syntax", ["ubl", "cii"])
@pytest.mark.parametrize("type_code", ["380", "381"])
def test_encoded_invoice_passes_en16931(syntax: str, type_code: str) -> None:
    data = codec.encode(consistent_invoice(LINES, type_code=type_code), syntax=syntax)
    assert _errors(check_en16931(data, syntax=syntax, rules_root=XML, raise_on_error=False)) == []


@pytest.mark.parametrize("syntax", ["ubl", "cii"])
def test_encoded_xrechnung_passes_en16931_and_xrechnung(syntax: str) -> None:
    data = codec.encode(
        consistent_invoice(LINES, buyer_reference="04011000-12345-03"), syntax=syntax, profile="xrechnung"
    )
    findings = check_en16931(data, syntax=syntax, rules_root=XML) + check_xrechnung(
        data, syntax=syntax, rules_root=XML
    )
    assert _errors(findings) == []
    assert b"urn:xeinkauf.de:kosit:xrechnung_3.0" in data


def test_xrechnung_without_leitweg_id_fires_br_de_15() -> None:
    data = codec.encode(consistent_invoice(LINES), profile="xrechnung")
    rules = {
        f.rule for f in _errors(check_xrechnung(data, syntax="ubl", rules_root=XML, raise_on_error=False))
    }
    assert rules == {"BR-DE-15"}


def test_inconsistent_totals_fire_br_co_15() -> None:
    invoice = consistent_invoice(LINES)
    broken = Invoice(
        **{
            **{f: getattr(invoice, f) for f in invoice.__dataclass_fields__},
            "totals": MonetaryTotals(
                **{
                    **{f: getattr(invoice.totals, f) for f in invoice.totals.__dataclass_fields__},
                    "tax_inclusive": Decimal("1.00"),
                }
            ),
        }
    )
    rules = {
        f.rule for f in _errors(check_en16931(codec.encode(broken), rules_root=XML, raise_on_error=False))
    }
    assert "BR-CO-15" in rules


line_specs = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
        st.decimals(min_value=Decimal("0"), max_value=Decimal("9999"), places=2),
        st.sampled_from([Decimal("19"), Decimal("7"), Decimal("5.5")]),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=line_specs, name=text, syntax=st.sampled_from(["ubl", "cii"]))
def test_generated_consistent_invoices_pass_en16931_and_xrechnung(
    lines: list[tuple[Decimal, Decimal, Decimal]], name: str, syntax: str
) -> None:
    invoice = consistent_invoice(lines, buyer_reference="991-12345-67", name=name)
    data = codec.encode(invoice, syntax=syntax, profile="xrechnung")
    findings = check_en16931(data, syntax=syntax, rules_root=XML) + check_xrechnung(
        data, syntax=syntax, rules_root=XML
    )
    assert _errors(findings) == []
    assert codec.decode(data).document == invoice
