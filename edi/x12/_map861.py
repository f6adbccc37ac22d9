"""861 Receiving Advice/Acceptance Certificate <-> :class:`~edi.documents.ReceivingAdvice`.

BRA: 01 the receipt's reference, 02 the advice's date, 03 ``00`` (original), 04 ``1`` (receipt of
goods). DTM 050 the day the goods were received; PRF 01 the buyer's order; REF PK the packing list
(ship notice) it answers; N1 BY buyer, SU supplier. One RCD loop per line: RCD 01 the line id, 02/03
quantity received in all and its unit, 04/05 of it damaged (returned), 08 the reason of a difference;
LIN with the product ids and the order line (``PL``), PID F the description, NTE LIN a note. CTT 01
the number of lines.

In 004010 (as in 003030 to 006050) RCD08 is data element 412, Receiving Condition Code, the
condition of the quantity in question (RCD06/07, which we do not write: RCD06 is optional, and the
rule C060708 binds only when it is sent). The reasons travel as 412 codes (`CONDITION_CODES`):
``damaged`` 01 (damaged product or container), ``short`` 02 (quantity short), ``over`` 03 (quantity
over), ``wrong_item`` 05 (incorrect product); 412 has no code for "other": ``other`` stays the
mutually defined ZZ. The mutually defined codes written before (SH, DA, WI) are still read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi.documents import Party, ReceivingAdvice, ReceivingLine
from edi.x12._syntax import Segment
from edi.x12._values import (
    PARTY_LOOP,
    PartyReader,
    Writer,
    ctt_warnings,
    dec,
    el,
    fail,
    fmt_date,
    fmt_dec,
    parse_date,
    product_ids,
    unit_from_x12,
)

__all__ = ["CONDITION_CODES", "decode_861", "encode_861"]

CONDITION_CODES = {"short": "02", "damaged": "01", "wrong_item": "05", "over": "03", "other": "ZZ"}
_REASON_OF = {
    **{code: reason for reason, code in CONDITION_CODES.items()},
    "12": "over",  # quantity over - returned to supplier
    # the mutually defined codes of earlier releases of this codec
    "SH": "short",
    "DA": "damaged",
    "WI": "wrong_item",
}


def _line(seg: Segment, i: int, warnings: list[str]) -> dict[str, object]:
    if not el(seg, 1):
        raise fail("RCD01 assigned identification (the line id) is missing", i, seg, "1", 1)
    if not el(seg, 2):
        raise fail("RCD02 quantity received is missing", i, seg, "1", 2)
    reason: str | None = None
    if el(seg, 8):
        reason = _REASON_OF.get(el(seg, 8))
        if reason is None:
            warnings.append(f"RCD08 code {el(seg, 8)!r} of line {el(seg, 1)} is not agreed: read as other")
            reason = "other"
    return {
        "line_id": el(seg, 1),
        "quantity": dec(el(seg, 2), i, seg, 2),
        "unit": unit_from_x12(el(seg, 3)) if el(seg, 3) else "C62",
        "quantity_damaged": dec(el(seg, 4), i, seg, 4) if el(seg, 4) else Decimal(0),
        "reason": reason,
    }


def decode_861(segs: list[Segment]) -> tuple[ReceivingAdvice, list[str]]:
    """Map an 861 to a ReceivingAdvice."""
    bra: Segment | None = None
    bra_index = 0
    received: date | None = None
    order_number: str | None = None
    despatch: str | None = None
    parties: dict[str, Party] = {}
    party: PartyReader | None = None
    lines: list[dict[str, object]] = []
    warnings: list[str] = []
    for i, seg in enumerate(segs):
        tag = seg[0]
        if party is not None:
            if tag in PARTY_LOOP and party.take(seg):
                continue
            parties.setdefault(party.code, party.party())
            party = None
        line = lines[-1] if lines else None
        if tag == "RCD":
            lines.append(_line(seg, i, warnings))
        elif tag == "LIN" and line is not None:
            gtin, supplier, buyer = product_ids(seg, 2)
            line.update(gtin=gtin, supplier_article=supplier, buyer_article=buyer)
            for n in range(2, len(seg) - 1, 2):
                if seg[n] == "PL" and seg[n + 1]:
                    line.setdefault("order_line_id", seg[n + 1])
        elif tag == "PID" and line is not None:
            line.setdefault("description", el(seg, 5) or None)
        elif tag == "NTE" and line is not None:
            line.setdefault("note", el(seg, 2) or None)
        elif tag == "N1":
            party = PartyReader(seg)
        elif tag == "BRA":
            bra, bra_index = seg, i
        elif tag == "DTM" and el(seg, 1) == "050" and received is None and el(seg, 2):
            received = parse_date(el(seg, 2), i, seg, 2)
        elif tag == "PRF" and order_number is None:
            order_number = el(seg, 1) or None
        elif tag == "REF" and el(seg, 1) == "PK" and despatch is None:
            despatch = el(seg, 2) or None
    if party is not None:
        parties.setdefault(party.code, party.party())
    if bra is None:
        raise fail("mandatory segment BRA (beginning segment for receiving advice) is missing", 1, "BRA", "3")
    if not el(bra, 1):
        raise fail("BRA01 reference identification is missing", bra_index, bra, "1", 1)
    if order_number is None:
        raise fail("no PRF segment names the purchase order of this receipt", bra_index, "PRF", "3")
    if not lines:
        raise fail("no RCD segment names a received line", len(segs), "RCD", "3")
    issued = parse_date(el(bra, 2), bra_index, bra, 2)
    return ReceivingAdvice(
        number=el(bra, 1),
        issue_date=issued,
        receipt_date=received or issued,
        order_number=order_number,
        buyer=parties.get("BY", Party()),
        seller=parties.get("SU", parties.get("SE", Party())),
        lines=tuple(ReceivingLine(**line) for line in lines),  # type: ignore[arg-type]
        despatch_number=despatch,
    ), warnings + ctt_warnings(segs, len(lines), "lines")


def encode_861(doc: ReceivingAdvice, w: Writer) -> None:
    """Write the body (BRA..CTT) of an 861."""
    w.add("BRA", w.text(doc.number, "number"), fmt_date(doc.issue_date), "00", "1")
    w.add("DTM", "050", fmt_date(doc.receipt_date))
    w.add("PRF", w.text(doc.order_number, "order_number"))
    if doc.despatch_number:
        w.add("REF", "PK", w.text(doc.despatch_number, "despatch_number"))
    w.party("BY", doc.buyer, "buyer")
    w.party("SU", doc.seller, "seller")
    for n, line in enumerate(doc.lines):
        field = f"lines[{n}]"
        unit = w.unit(line.unit, f"{field}.unit")
        damaged = ["", ""] if not line.quantity_damaged else [fmt_dec(line.quantity_damaged), unit]
        reason = CONDITION_CODES[line.reason] if line.reason else ""
        w.add(
            "RCD",
            w.text(line.line_id, f"{field}.line_id"),
            fmt_dec(line.quantity),
            unit,
            *damaged,
            "",
            "",
            reason,
        )
        pairs = w.product_ids(line.gtin, line.supplier_article, line.buyer_article, field)
        if line.order_line_id:
            pairs += ["PL", w.text(line.order_line_id, f"{field}.order_line_id")]
        if pairs:
            w.add("LIN", "", *pairs)
        if line.description:
            w.add("PID", "F", "", "", "", w.text(line.description, f"{field}.description"))
        if line.note:
            w.add("NTE", "LIN", w.text(line.note, f"{field}.note"))
    w.add("CTT", str(len(doc.lines)))
