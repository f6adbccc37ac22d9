"""An invoice's totals: VAT per category, rounded once (EN 16931 BR-CO-17), and the totals an
e-invoice states, taken as stated once they agree with its lines and VAT breakdown.

A portal invoice (typed on the order page, or through the API) has no totals of its own: its VAT is
computed here per VAT rate over the lines' net amounts and rounded once per rate, commercially
(half up), never per line (per line, 4,743.75 and 6,037.50 at 19 % came to 2,048.43 instead of
the 2,048.44 the supplier billed).

An e-invoice or EDI invoice states its totals (BG-22) and VAT breakdown (BG-23). Those are what
the supplier bills and what the buyer owes: they are recorded as stated, after these checks (each
with the tolerance of one cent, as the official validators allow for rounding):

- BR-CO-10: the lines' net amounts add up to the sum of line net amounts (BT-106);
- BR-CO-17: each category's VAT is its taxable amount times its rate, rounded once;
- BR-CO-14: the categories' VAT adds up to the invoice's VAT total (BT-110);
- BR-CO-15: the total with VAT (BT-112) is the total without VAT (BT-109) plus the VAT;
- BR-CO-16: the amount due (BT-115) is the total with VAT less what was paid in advance (BT-113).

What was paid in advance counts as paid on the recorded invoice, so that "still owed" is the
document's amount due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.errors import InvalidInput

CENT = Decimal("0.01")
TOLERANCE = CENT


def cents(value: Decimal) -> Decimal:
    """``value`` rounded to cents, commercially (half up: 0.125 -> 0.13)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Category:
    """One line of the VAT breakdown (BG-23): rate (BT-119), taxable amount (BT-116), VAT (BT-117)."""

    rate: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True, slots=True)
class StatedTotals:
    """The totals an invoice document states (EN 16931 BG-22, BG-23)."""

    line_total: Decimal  # BT-106
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    payable: Decimal  # BT-115
    prepaid: Decimal = Decimal(0)  # BT-113
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True, slots=True)
class Totals:
    """What the invoice records: net, VAT, gross and what was paid in advance."""

    net: Decimal
    tax: Decimal
    gross: Decimal
    prepaid: Decimal = Decimal(0)


def vat_by_rate(net_by_rate: Mapping[Decimal, Decimal]) -> Decimal:
    """The VAT of net amounts per rate: per rate the sum times the rate, rounded once."""
    return sum((cents(net * rate / 100) for rate, net in net_by_rate.items()), Decimal(0))


def computed(line_amounts: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """The totals of an invoice without stated ones, from its lines' (net amount, VAT rate)."""
    by_rate: dict[Decimal, Decimal] = {}
    for amount, rate in line_amounts:
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + amount
    net = cents(sum(by_rate.values(), Decimal(0)))  # an amount of the invoice: in cents (EN 16931)
    tax = vat_by_rate(by_rate)
    return Totals(net, tax, net + tax)


def _off(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) > TOLERANCE


def checked(stated: StatedTotals, line_net_total: Decimal) -> Totals:
    """The stated totals once they agree with the lines and with each other (module docstring);
    a disagreement is InvalidInput naming the total and the rule."""
    if _off(line_net_total, stated.line_total):
        raise InvalidInput(
            "totals.line_total",
            f"the lines add up to {line_net_total:.2f}, "
            f"the invoice states {stated.line_total:.2f} (BR-CO-10)",
        )
    for category in stated.categories:
        expected = cents(category.taxable * category.rate / 100)
        if _off(category.tax, expected):
            raise InvalidInput(
                "totals.tax_total",
                f"the VAT at {category.rate.normalize():f} % of {category.taxable:.2f} is {expected:.2f}, "
                f"the invoice states {category.tax:.2f} (BR-CO-17)",
            )
    if stated.categories:
        categories_tax = sum((c.tax for c in stated.categories), Decimal(0))
        if _off(categories_tax, stated.tax_total):
            raise InvalidInput(
                "totals.tax_total",
                f"the VAT breakdown adds up to {categories_tax:.2f}, the invoice states "
                f"{stated.tax_total:.2f} (BR-CO-14)",
            )
    if _off(stated.tax_exclusive + stated.tax_total, stated.tax_inclusive):
        raise InvalidInput(
            "totals.tax_inclusive",
            f"{stated.tax_exclusive:.2f} plus VAT {stated.tax_total:.2f} is not the stated total "
            f"{stated.tax_inclusive:.2f} (BR-CO-15)",
        )
    if _off(stated.tax_inclusive - stated.prepaid, stated.payable):
        raise InvalidInput(
            "totals.payable",
            f"{stated.tax_inclusive:.2f} less {stated.prepaid:.2f} paid in advance is not the stated "
            f"amount due {stated.payable:.2f} (BR-CO-16)",
        )
    return Totals(
        cents(stated.tax_exclusive),
        cents(stated.tax_total),
        cents(stated.tax_inclusive),
        cents(stated.prepaid),
    )
