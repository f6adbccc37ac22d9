"""ALC groups (ALC, PCD, MOA, TAX) <-> :class:`~edi.documents.AllowanceCharge`, on the invoice (INVOIC
SG15) and on a line (SG38).

ALC 5463 A (and D, F, G, H) is an allowance, C (and E, K, L, M) a charge; other qualifiers (N: none)
are read past. The reason code is C214 7161 or else C552 5189, the reason text C214 7160 (both
repeats) or else C552 1230. PCD 1/2/3 is the percentage; MOA 204, 23 or 8 the amount, MOA 25 the
base amount; TAX the VAT category and rate. An ALC that states none of these (``ALC+A`` beside an
item price discount MOA+509) is not an allowance and is not kept. Writing: ALC+A/C with C214
(7161 code, 7160 text), PCD+1/2, MOA+204/23, MOA+25, TAX+7+VAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from edi.documents import AllowanceCharge
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, elem, fmt_decimal, text

__all__ = ["GROUP", "Pending", "allowance_segments", "read_allowance_segment", "start_allowance"]

_ALLOWANCE = frozenset(("A", "D", "F", "G", "H"))
_CHARGE = frozenset(("C", "E", "K", "L", "M"))
GROUP = frozenset(("ALI", "DTM", "QTY", "PCD", "MOA", "RTE", "TAX"))
"""The segments of an ALC group after the ALC itself."""


@dataclass(slots=True)
class Pending:
    """One ALC group being read; ``charge`` is None for an ALC that is neither allowance nor charge."""

    charge: bool | None
    reason_code: str | None
    reason: str | None
    amount: Decimal | None = None
    base_amount: Decimal | None = None
    percentage: Decimal | None = None
    vat_category: str | None = None
    vat_rate: Decimal | None = None

    def done(self) -> AllowanceCharge | None:
        if self.charge is None:
            return None
        ac = AllowanceCharge(
            self.charge,
            self.amount,
            self.base_amount,
            self.percentage,
            self.reason_code,
            self.reason,
            self.vat_category,
            self.vat_rate,
        )
        return None if ac == AllowanceCharge(self.charge, None) else ac


def start_allowance(ctx: Ctx, k: int) -> Pending:
    seg = ctx.segments[k]
    kind = comp(elem(seg, 1))
    c552, c214 = elem(seg, 2), elem(seg, 5)
    words = " ".join(x for x in (comp(c214, 3), comp(c214, 4)) if x)
    return Pending(
        True if kind in _CHARGE else False if kind in _ALLOWANCE else None,
        comp(c214) or comp(c552, 1) or None,
        words or comp(c552) or None,
    )


def read_allowance_segment(ctx: Ctx, ac: Pending, k: int, tag: object) -> None:
    """Fold one segment of an ALC group into ``ac`` (only the first amount of each kind counts)."""
    seg = ctx.segments[k]
    if tag == "PCD":
        c501 = elem(seg, 1)
        if comp(c501) in ("1", "2", "3") and comp(c501, 1) and ac.percentage is None:
            ac.percentage = ctx.dec(comp(c501, 1), k, 1, "PCD percentage")
    elif tag == "MOA":
        c516 = elem(seg, 1)
        qual, raw = comp(c516), comp(c516, 1)
        if raw and qual in ("204", "23", "8") and ac.amount is None:
            ac.amount = ctx.dec(raw, k, 1, f"MOA {qual} amount")
        elif raw and qual == "25" and ac.base_amount is None:
            ac.base_amount = ctx.dec(raw, k, 1, "MOA 25 amount")
    elif tag == "TAX" and ac.vat_category is None and ac.vat_rate is None:
        rate = comp(elem(seg, 5), 3)
        ac.vat_category = comp(elem(seg, 6)) or None
        ac.vat_rate = ctx.dec(rate, k, 5, "TAX rate") if rate else None


def allowance_segments(ac: AllowanceCharge) -> list[Segment]:
    out: list[Segment] = [
        (
            "ALC",
            "C" if ac.charge else "A",
            "",
            "",
            "",
            (ac.reason_code or "", "", "", text(ac.reason or "")),
        )
    ]
    if ac.percentage is not None:
        out.append(("PCD", ("2" if ac.charge else "1", fmt_decimal(ac.percentage))))
    if ac.amount is not None:
        out.append(("MOA", ("23" if ac.charge else "204", fmt_decimal(ac.amount))))
    if ac.base_amount is not None:
        out.append(("MOA", ("25", fmt_decimal(ac.base_amount))))
    if ac.vat_category is not None or ac.vat_rate is not None:
        rate = ("", "", "", fmt_decimal(ac.vat_rate)) if ac.vat_rate is not None else ""
        out.append(("TAX", "7", "VAT", "", "", rate, ac.vat_category or ""))
    return out
