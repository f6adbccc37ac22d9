"""An invoice's totals (portal.invoicing.totals): VAT per rate rounded once and half up; a document's
stated totals taken as stated, each rule of EN 16931 checked with its one-cent tolerance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.errors import InvalidInput
from portal.invoicing import totals


def test_vat_is_rounded_once_per_rate_not_per_line() -> None:
    # per line: 901.3125 -> 901.31 and 1147.125 -> 1147.13 (or .12 half-even): 2,048.44 / 2,048.43
    figures = totals.computed([(Decimal("4743.75"), Decimal(19)), (Decimal("6037.50"), Decimal(19))])
    assert (figures.net, figures.tax, figures.gross) == (
        Decimal("10781.25"),
        Decimal("2048.44"),
        Decimal("12829.69"),
    )


def test_each_rate_is_its_own_category_and_rounds_half_up() -> None:
    figures = totals.computed(
        [(Decimal("0.50"), Decimal(7)), (Decimal("0.50"), Decimal(19)), (Decimal("0.30"), Decimal(7))]
    )
    # 7 %: 0.80 x 0.07 = 0.056 -> 0.06; 19 %: 0.095 -> 0.10 (half up, not half even 0.10 either way)
    assert figures.tax == Decimal("0.16")
    assert totals.cents(Decimal("0.125")) == Decimal("0.13")


def _kosit(**changes: object) -> totals.StatedTotals:
    base: dict[str, object] = {
        "line_total": Decimal("10781.25"),
        "tax_exclusive": Decimal("10781.25"),
        "tax_total": Decimal("2048.44"),
        "tax_inclusive": Decimal("12829.69"),
        "payable": Decimal("12829.69"),
        "categories": (
            totals.Category(Decimal(19), Decimal("10781.25"), Decimal("2048.44")),
            totals.Category(Decimal(0), Decimal(0), Decimal(0)),
        ),
    }
    base.update(changes)
    return totals.StatedTotals(**base)  # type: ignore[arg-type]


def test_the_stated_totals_are_taken_as_stated() -> None:
    figures = totals.checked(_kosit(), Decimal("10781.25"))
    assert (figures.net, figures.tax, figures.gross, figures.prepaid) == (
        Decimal("10781.25"),
        Decimal("2048.44"),
        Decimal("12829.69"),
        Decimal(0),
    )


def test_what_was_paid_in_advance_is_paid_so_the_amount_due_is_owed() -> None:
    figures = totals.checked(
        _kosit(prepaid=Decimal("1000.00"), payable=Decimal("11829.69")), Decimal("10781.25")
    )
    assert figures.gross - figures.prepaid == Decimal("11829.69")


def test_a_cent_of_rounding_is_within_tolerance() -> None:
    categories = (totals.Category(Decimal(19), Decimal("10781.25"), Decimal("2048.43")),)
    figures = totals.checked(
        _kosit(
            tax_total=Decimal("2048.43"),
            tax_inclusive=Decimal("12829.68"),
            payable=Decimal("12829.68"),
            categories=categories,
        ),
        Decimal("10781.25"),
    )
    assert figures.tax == Decimal("2048.43")


@pytest.mark.parametrize(
    ("changes", "line_sum", "field", "rule"),
    [
        ({}, Decimal("10781.35"), "totals.line_total", "BR-CO-10"),
        (
            {"categories": (totals.Category(Decimal(19), Decimal("10781.25"), Decimal("2000.00")),)},
            Decimal("10781.25"),
            "totals.tax_total",
            "BR-CO-17",
        ),
        ({"tax_total": Decimal("2050.00")}, Decimal("10781.25"), "totals.tax_total", "BR-CO-14"),
        (
            {"tax_inclusive": Decimal("12900.00"), "payable": Decimal("12900.00")},
            Decimal("10781.25"),
            "totals.tax_inclusive",
            "BR-CO-15",
        ),
        ({"payable": Decimal("100.00")}, Decimal("10781.25"), "totals.payable", "BR-CO-16"),
    ],
)
def test_totals_that_disagree_are_refused_naming_the_rule(
    changes: dict[str, object], line_sum: Decimal, field: str, rule: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        totals.checked(_kosit(**changes), line_sum)
    assert refused.value.field == field and rule in refused.value.detail


def test_computed_totals_are_amounts_in_cents_whatever_the_lines_carry() -> None:
    """A line of 2 x 1,368.5 is 2737 in Decimal arithmetic; the invoice's net, VAT and gross are
    cents (the CSV export and the pages show two decimals: "2.737,00")."""
    from portal.invoicing.totals import computed

    totals = computed([(Decimal("2") * Decimal("1368.5"), Decimal("0")), (Decimal("0"), Decimal("19"))])
    assert [str(totals.net), str(totals.tax), str(totals.gross)] == ["2737.00", "0.00", "2737.00"]
