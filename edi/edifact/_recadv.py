"""RECADV <-> ReceivingAdvice (EANCOM RECADV, D96A / D01B).

Header: BGM 632 (goods receipt) with the receipt's reference, DTM 137 (document date) and 50 (goods
receipt date), RFF ON (the buyer's order) and AAK (the despatch advice it answers), NAD BY and SU.
Each line: LIN (PIA, IMD as elsewhere), QTY 48 received in all, QTY 124 of it damaged, QVR with the
reason of a difference in 4221 (UNTDID "Discrepancy nature identification code", see `REASON_CODES`),
RFF LI the order line, FTX AAO a note.

The reasons travel as UNTDID 4221 codes where one fits: ``damaged`` AF (goods delivered damaged),
``over`` AC (over-shipped), ``short`` BP (shipment partial - back order to follow: a shortfall the
receiver records stays owed, the receipt does not close the line; CP, "considered complete, no
backorder", would waive it, and is read as short too). 4221 has no code for a wrong article:
``wrong_item`` stays the mutually defined WI; ``other`` is ZZZ, the directory's "mutually defined".
The mutually defined codes written before (SH, DA, WI, ZZ) are still read.
"""

from __future__ import annotations

from decimal import Decimal

from edi.documents import Party, ReceivingAdvice, ReceivingLine
from edi.edifact._lines import ItemState, item_segments, qty, read_item_segment, start_item
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, dtm, elem, party_segments, text

__all__ = ["REASON_CODES", "decode_recadv", "encode_recadv"]

REASON_CODES = {"short": "BP", "damaged": "AF", "wrong_item": "WI", "over": "AC", "other": "ZZZ"}
_REASON_OF = {
    **{code: reason for reason, code in REASON_CODES.items()},
    "CP": "short",
    # the mutually defined codes of earlier releases of this codec
    "SH": "short",
    "DA": "damaged",
    "ZZ": "other",
}


def decode_recadv(ctx: Ctx) -> ReceivingAdvice:
    segs = ctx.segments
    number, number_k = "", 0
    dates: dict[str, int] = {}
    parties: dict[str, Party] = {}
    refs: dict[str, str] = {}
    items: list[ItemState] = []
    reasons: dict[int, str] = {}
    notes: dict[int, str] = {}
    item: ItemState | None = None
    k, end = 1, len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
        if tag == "LIN":
            item = start_item(ctx, k, len(items) + 1)
            items.append(item)
        elif item is not None and tag == "QVR":
            code = comp(elem(seg, 2))
            reason = _REASON_OF.get(code)
            if reason is None:
                ctx.warnings.append(
                    f"QVR 4221 code {code!r} of line {item.line_id} is not agreed: read as other"
                )
                reason = "other"
            reasons.setdefault(len(items) - 1, reason)
        elif item is not None and tag == "FTX":
            notes.setdefault(
                len(items) - 1, " ".join(x for x in (comp(elem(seg, 4), i) for i in range(5)) if x)
            )
        elif item is not None:
            read_item_segment(ctx, item, k, tag)
        elif tag == "BGM":
            number, number_k = comp(elem(seg, 2)), k
        elif tag == "DTM":
            ctx.note_date(dates, k)
        elif tag == "RFF":
            c506 = elem(seg, 1)
            refs.setdefault(comp(c506), comp(c506, 1))
        elif tag == "NAD":
            qual, party, nxt = ctx.party(k)
            parties.setdefault(qual, party)
            k = nxt
            continue
        k += 1
    if not number:
        raise ctx.missing("BGM receiving advice number (C106 1004)", number_k)
    issue = ctx.date_of(dates, "137")
    if issue is None:
        raise ctx.missing("DTM+137 document date")
    received = ctx.date_of(dates, "50") or issue
    if "ON" not in refs:
        raise ctx.missing("RFF+ON order number")
    if "BY" not in parties:
        raise ctx.missing("NAD+BY party")
    if "SU" not in parties:
        raise ctx.missing("NAD+SU party")
    lines: list[ReceivingLine] = []
    for n, it in enumerate(items):
        q = it.qty.get("48")
        if q is None:
            raise ctx.error(
                f"receiving line {it.line_id!r} has no QTY+48 received quantity", it.k, None, "13"
            )
        damaged = it.qty.get("124")
        lines.append(
            ReceivingLine(
                it.line_id,
                q[0],
                q[1],
                damaged[0] if damaged else Decimal(0),
                it.refs.get("LI"),
                it.gtin,
                it.supplier_article,
                it.buyer_article,
                it.description,
                reasons.get(n),
                notes.get(n) or None,
            )
        )
    if not lines:
        raise ctx.missing("LIN receiving line")
    return ReceivingAdvice(
        number=number,
        issue_date=issue,
        receipt_date=received,
        order_number=refs["ON"],
        buyer=parties["BY"],
        seller=parties["SU"],
        lines=tuple(lines),
        despatch_number=refs.get("AAK"),
    )


def encode_recadv(doc: ReceivingAdvice, version: str) -> list[Segment]:
    out: list[Segment] = [
        ("BGM", "632", text(doc.number), "9"),
        dtm("137", doc.issue_date),
        dtm("50", doc.receipt_date),
        ("RFF", ("ON", text(doc.order_number))),
    ]
    if doc.despatch_number:
        out.append(("RFF", ("AAK", text(doc.despatch_number))))
    out.extend(party_segments("BY", doc.buyer, version))
    out.extend(party_segments("SU", doc.seller, version))
    out.append(("CPS", "1"))
    for line in doc.lines:
        out.extend(
            item_segments(
                text(line.line_id),
                gtin=line.gtin,
                supplier_article=line.supplier_article,
                buyer_article=line.buyer_article,
                description=line.description,
                version=version,
            )
        )
        out.append(qty("48", line.quantity, line.unit))
        if line.quantity_damaged:
            out.append(qty("124", line.quantity_damaged, line.unit))
        if line.reason:
            out.append(("QVR", "", REASON_CODES[line.reason]))
        if line.order_line_id:
            out.append(("RFF", ("LI", text(line.order_line_id))))
        if line.note:
            out.append(("FTX", "AAO", "", "", text(line.note)))
    out.append(("CNT", ("2", str(len(doc.lines)))))
    return out
