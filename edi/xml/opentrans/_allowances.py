"""ALLOW_OR_CHARGES_FIX <-> :class:`~edi.documents.AllowanceCharge`: in INVOICE_SUMMARY the invoice's,
in an INVOICE_ITEM's PRODUCT_PRICE_FIX the line's.

ALLOW_OR_CHARGE type allowance / surcharge; ALLOW_OR_CHARGE_NAME (else the first DESCR) is the
reason, ALLOW_OR_CHARGE_TYPE (``freight``, ``rebate``, ... or any code) the reason code,
AOC_MONETARY_AMOUNT the amount, AOC_PERCENTAGE_FACTOR the percentage as a BMEcat factor (0.05 is
5 %), ALLOW_OR_CHARGE_BASE the base amount. ALLOW_OR_CHARGE_VALUE holds one value: of an allowance
with both, the amount is written. openTRANS has no VAT on an allowance. A summary whose
entries state no amount gives its total in ALLOW_OR_CHARGES_TOTAL_AMOUNT; that is written back
when all entries are of one kind.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from edi.documents import AllowanceCharge
from edi.errors import EncodeError
from edi.xml.opentrans._read import children, decimal_of, find, text_of
from edi.xml.opentrans._write import decimal_text, put, put_decimal, sub

__all__ = ["read_allowances", "write_allowances"]

_HUNDRED = Decimal(100)
_TYPE = re.compile(r"[\w\-.]{1,30}")


def read_allowances(block: etree._Element | None) -> tuple[AllowanceCharge, ...]:
    """Every ALLOW_OR_CHARGE of an ALLOW_OR_CHARGES_FIX."""
    if block is None:
        return ()
    out = []
    for entry in children(block, "ALLOW_OR_CHARGE"):
        factor = decimal_of(find(entry, "ALLOW_OR_CHARGE_VALUE", "AOC_PERCENTAGE_FACTOR"))
        out.append(
            AllowanceCharge(
                charge=(entry.get("type") or "surcharge") != "allowance",
                amount=decimal_of(find(entry, "ALLOW_OR_CHARGE_VALUE", "AOC_MONETARY_AMOUNT")),
                base_amount=decimal_of(find(entry, "ALLOW_OR_CHARGE_BASE")),
                percentage=None if factor is None else factor * _HUNDRED,
                reason_code=text_of(find(entry, "ALLOW_OR_CHARGE_TYPE")),
                reason=text_of(find(entry, "ALLOW_OR_CHARGE_NAME"))
                or text_of(find(entry, "ALLOW_OR_CHARGE_DESCR")),
            )
        )
    return tuple(out)


def write_allowances(
    parent: etree._Element, acs: tuple[AllowanceCharge, ...], total: Decimal | None = None
) -> None:
    """An ALLOW_OR_CHARGES_FIX below ``parent`` (nothing without entries); ``total`` is written as
    ALLOW_OR_CHARGES_TOTAL_AMOUNT when an entry has no amount and all are of one kind."""
    if not acs:
        return
    block = sub(parent, "ALLOW_OR_CHARGES_FIX")
    for n, ac in enumerate(acs):
        if ac.reason_code is not None and not _TYPE.fullmatch(ac.reason_code):
            raise EncodeError(
                f"allowance/charge {n + 1} reason code {ac.reason_code!r} cannot be an openTRANS "
                "ALLOW_OR_CHARGE_TYPE (letters, digits, '_', '-' and '.', at most 30)"
            )
        entry = sub(block, "ALLOW_OR_CHARGE", type="surcharge" if ac.charge else "allowance")
        put(entry, "ALLOW_OR_CHARGE_NAME", ac.reason)
        put(entry, "ALLOW_OR_CHARGE_TYPE", ac.reason_code)
        if ac.amount is not None:
            put_decimal(sub(entry, "ALLOW_OR_CHARGE_VALUE"), "AOC_MONETARY_AMOUNT", ac.amount)
        elif ac.percentage is not None:
            value = sub(entry, "ALLOW_OR_CHARGE_VALUE")
            sub(value, "AOC_PERCENTAGE_FACTOR", decimal_text(ac.percentage / _HUNDRED))
        put_decimal(entry, "ALLOW_OR_CHARGE_BASE", ac.base_amount)
    if total is not None and any(ac.amount is None for ac in acs) and len({ac.charge for ac in acs}) == 1:
        put_decimal(block, "ALLOW_OR_CHARGES_TOTAL_AMOUNT", total)
