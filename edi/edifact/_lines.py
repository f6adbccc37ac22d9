"""The item-level segments shared by ORDERS, ORDRSP, DESADV and INVOIC (LIN, PIA, IMD, QTY, PRI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from edi.edifact._allowances import GROUP, Pending, read_allowance_segment, start_allowance
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, elem, fmt_decimal, parts, text, trim

__all__ = ["ItemState", "item_segments", "read_item_segment", "start_item"]

_GTIN_TYPES = ("EN", "SRV")
_BUYER_TYPES = ("IN", "BP")


@dataclass(slots=True)
class ItemState:
    """What the segments of one LIN group said; each message type picks what it needs."""

    k: int
    line_id: str
    action: str = ""
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    batch_number: str | None = None
    description: str | None = None
    qty: dict[str, tuple[Decimal, str, int]] = field(default_factory=dict)  # 6063 -> (value, unit, k)
    prices: dict[str, Decimal] = field(default_factory=dict)  # 5125 -> unit price (basis applied)
    amounts: dict[str, Decimal] = field(default_factory=dict)  # MOA 5025 -> amount
    dates: dict[str, int] = field(default_factory=dict)  # DTM 2005 -> k (see Ctx.note_date)
    refs: dict[str, str] = field(default_factory=dict)
    tax_category: str | None = None
    tax_rate: Decimal | None = None
    allowances: list[Pending] | None = None  # the line's ALC groups (rare: made on the first)
    alc: Pending | None = None  # the ALC group being read
    # SCC groups (a line's deliveries): [QTY (value, unit, k) or None, DTM 2005 -> k] each; the QTY
    # and DTM after an SCC belong to its delivery, not to the line.
    schedule: list[tuple[list[tuple[Decimal, str, int] | None], dict[str, int]]] | None = None
    in_scc: bool = False
    schedule_unit: str | None = None


def _article(state: ItemState, ident: str, kind: str) -> None:
    if not ident:
        return
    if kind in _GTIN_TYPES:
        state.gtin = state.gtin or ident
    elif kind == "SA":
        state.supplier_article = state.supplier_article or ident
    elif kind in _BUYER_TYPES:
        state.buyer_article = state.buyer_article or ident
    elif kind == "NB":
        state.batch_number = state.batch_number or ident


def start_item(ctx: Ctx, k: int, counter: int) -> ItemState:
    seg = ctx.segments[k]
    line_id = comp(elem(seg, 1))
    if not line_id:
        line_id = str(counter)
        ctx.warnings.append(f"LIN at segment {ctx.start_index + k} has no line number; numbered {line_id}")
    state = ItemState(k, line_id, comp(elem(seg, 2)))
    c212 = parts(elem(seg, 3), 2)
    _article(state, c212[0], c212[1])
    return state


def read_item_segment(ctx: Ctx, state: ItemState, k: int, tag: object) -> None:
    """Fold one segment of a LIN group into ``state`` (unknown tags are ignored). The segments of an
    ALC group belong to its allowance or charge, not to the line."""
    if state.alc is not None:
        if tag in GROUP:
            read_allowance_segment(ctx, state.alc, k, tag)
            return
        state.alc = None
    seg = ctx.segments[k]
    if state.in_scc:
        if _read_delivery_segment(ctx, state, k, tag):
            return
        state.in_scc = False
    if tag == "SCC":
        if state.schedule is None:
            state.schedule = []
        state.schedule.append(([None], {}))
        state.in_scc = True
    elif tag == "PIA":
        for i in range(2, min(len(seg), 7)):
            c212 = parts(seg[i], 2)
            _article(state, c212[0], c212[1])
    elif tag == "IMD":
        c273 = elem(seg, 3)
        desc = " ".join(x for x in (comp(c273, 3), comp(c273, 4)) if x)
        if desc and state.description is None:
            state.description = desc
    elif tag == "QTY":
        c186 = parts(elem(seg, 1), 3)
        qual = c186[0]
        if qual not in state.qty:
            value = ctx.dec(c186[1], k, 1, f"QTY {qual} quantity")
            state.qty[qual] = (value, c186[2] or "C62", k)
    elif tag == "PRI":
        c509 = parts(elem(seg, 1), 5)
        qual = c509[0]
        if c509[1] and qual not in state.prices:
            price = ctx.dec(c509[1], k, 1, f"PRI {qual} price")
            basis = c509[4]
            if basis:
                base = ctx.dec(basis, k, 1, "PRI unit price basis")
                if base:
                    price = price / base
            state.prices[qual] = price
    elif tag == "MOA":
        c516 = parts(elem(seg, 1), 2)
        qual = c516[0]
        if qual not in state.amounts and c516[1]:
            state.amounts[qual] = ctx.dec(c516[1], k, 1, f"MOA {qual} amount")
    elif tag == "DTM":
        ctx.note_date(state.dates, k)
    elif tag == "RFF":
        c506 = elem(seg, 1)
        state.refs.setdefault(comp(c506), comp(c506, 1))
    elif tag == "TAX" and state.tax_category is None:
        state.tax_category = comp(elem(seg, 6)) or "S"
        rate = comp(elem(seg, 5), 3)
        state.tax_rate = ctx.dec(rate, k, 5, "TAX rate") if rate else None
    elif tag == "ALC":
        state.alc = start_allowance(ctx, k)
        if state.allowances is None:
            state.allowances = []
        state.allowances.append(state.alc)


def _read_delivery_segment(ctx: Ctx, state: ItemState, k: int, tag: object) -> bool:
    """A segment of the SCC group being read (QTY, DTM, FTX, RFF): False when the group ended."""
    assert state.schedule
    quantity, dates = state.schedule[-1]
    if tag == "QTY":
        if quantity[0] is None:
            c186 = parts(elem(ctx.segments[k], 1), 3)
            quantity[0] = (ctx.dec(c186[1], k, 1, f"QTY {c186[0]} quantity"), c186[2] or "C62", k)
        return True
    if tag == "DTM":
        ctx.note_date(dates, k)
        return True
    return tag in ("FTX", "RFF")


def item_segments(
    line_id: str,
    *,
    action: str = "",
    gtin: str | None,
    supplier_article: str | None,
    buyer_article: str | None,
    description: str | None,
    version: str,
) -> list[Segment]:
    """LIN, PIA and IMD for one item. GTIN goes in LIN as EN (D96A) or SRV (D01B)."""
    gtin_type = "SRV" if version[1:3] < "90" else "EN"  # D01B and later use SRV
    out: list[Segment] = [trim(("LIN", line_id, action, (gtin, gtin_type) if gtin else ""))]
    pia: list[str | tuple[str, ...]] = []
    if supplier_article:
        pia.append((text(supplier_article), "SA"))
    if buyer_article:
        pia.append((text(buyer_article), "IN"))
    if pia:
        out.append(("PIA", "5", *pia))
    if description:
        out.append(("IMD", "F", "", ("", "", "", text(description))))
    return out


def qty(qual: str, value: Decimal, unit: str) -> Segment:
    return ("QTY", (qual, fmt_decimal(value), unit)) if unit != "C62" else ("QTY", (qual, fmt_decimal(value)))
