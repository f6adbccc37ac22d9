"""855 Purchase Order Acknowledgment <-> :class:`OrderResponse`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi._roles import split_parties
from edi.documents import LineStatus, OrderResponse, OrderResponseLine, Party, ResponseStatus, schedule_of
from edi.x12._map850 import BUYER_ROLES, PURPOSES, SELLER_ROLES
from edi.x12._syntax import Segment
from edi.x12._values import (
    ROLES,
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

__all__ = ["decode_855", "encode_855"]

# X12 587 acknowledgment type -> whole-order status.
HEADER_STATUS = {
    "AC": ResponseStatus.CHANGED,
    "AE": ResponseStatus.CHANGED,
    "RO": ResponseStatus.CHANGED,
    "AD": ResponseStatus.ACCEPTED,
    "AK": ResponseStatus.ACCEPTED,
    "AP": ResponseStatus.ACCEPTED,
    "AT": ResponseStatus.ACCEPTED,
    "NA": ResponseStatus.ACCEPTED,
    "RD": ResponseStatus.REJECTED,
    "RF": ResponseStatus.REJECTED,
    "RJ": ResponseStatus.REJECTED,
}
# X12 668 line item status -> line status.
LINE_STATUS = {
    "IA": LineStatus.ACCEPTED,
    "AR": LineStatus.ACCEPTED,
    "IE": LineStatus.ACCEPTED,
    "IC": LineStatus.CHANGED,
    "IQ": LineStatus.CHANGED,
    "IP": LineStatus.CHANGED,
    "DR": LineStatus.CHANGED,
    "IS": LineStatus.CHANGED,
    "IB": LineStatus.CHANGED,
    "BP": LineStatus.CHANGED,
    "IF": LineStatus.CHANGED,
    "IH": LineStatus.CHANGED,
    "IW": LineStatus.CHANGED,
    "SP": LineStatus.CHANGED,
    "IR": LineStatus.REJECTED,
    "ID": LineStatus.REJECTED,
    "R1": LineStatus.REJECTED,
    "R2": LineStatus.REJECTED,
    "R3": LineStatus.REJECTED,
    "R4": LineStatus.REJECTED,
    "R5": LineStatus.REJECTED,
    "R6": LineStatus.REJECTED,
    "R7": LineStatus.REJECTED,
    "R8": LineStatus.REJECTED,
}
_WRITE_HEADER = {ResponseStatus.ACCEPTED: "AD", ResponseStatus.CHANGED: "AC", ResponseStatus.REJECTED: "RD"}
_WRITE_LINE = {LineStatus.ACCEPTED: "IA", LineStatus.CHANGED: "IC", LineStatus.REJECTED: "IR"}


def decode_855(segs: list[Segment]) -> tuple[OrderResponse, list[str]]:
    """Map an 855 to an OrderResponse. Lines without ACK take the whole-order status."""
    bak: Segment | None = None
    bak_index = 0
    status = ResponseStatus.ACCEPTED
    currency = note = None
    parties: list[tuple[str, Party]] = []
    party: PartyReader | None = None
    rows: list[list[object]] = []  # OrderResponseLine arguments, status None until ACK
    # Per row: the deliveries its ACKs name (quantity and date each) and those its SCHs name.
    acks: list[list[tuple[Decimal, date]]] = []
    schs: list[list[tuple[Decimal, date]]] = []
    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if party is not None:
            if party.take(seg):
                continue
            parties.append((party.code, party.party()))
            party = None
        if tag == "PO1":
            qty, price = el(seg, 2), el(seg, 4)
            gtin, supplier, buyer = product_ids(seg, 6)
            rows.append(
                [
                    el(seg, 1) or str(len(rows) + 1),
                    None,
                    dec(qty, i, seg, 2) if qty else None,
                    unit_from_x12(el(seg, 3)),
                    gtin,
                    supplier,
                    buyer,
                    dec(price, i, seg, 4) if price else None,
                    None,
                    (),
                ]
            )
            acks.append([])
            schs.append([])
        elif tag == "SCH":
            if not rows:
                raise fail("SCH before any PO1 line item", i, seg, "7")
            if not el(seg, 1) or not el(seg, 6):
                raise fail("SCH needs a quantity (SCH01) and a date (SCH06)", i, seg, "7", 1)
            schs[-1].append((dec(el(seg, 1), i, seg, 1), parse_date(el(seg, 6), i, seg, 6)))
        elif tag == "ACK":
            if not rows:
                raise fail("ACK before any PO1 line item", i, seg, "7")
            row = rows[-1]
            code = el(seg, 1)
            line_status = LINE_STATUS.get(code)
            if line_status is None:
                raise fail(f"ACK01 line item status {code!r} is not a valid 668 code", i, seg, "7", 1)
            if el(seg, 2) and el(seg, 5):
                acks[-1].append((dec(el(seg, 2), i, seg, 2), parse_date(el(seg, 5), i, seg, 5)))
            if row[1] is None:
                row[1] = line_status
                if el(seg, 2):
                    row[2] = dec(el(seg, 2), i, seg, 2)
                    row[3] = unit_from_x12(el(seg, 3))
                if el(seg, 5):
                    row[8] = parse_date(el(seg, 5), i, seg, 5)
        elif tag == "N1":
            party = PartyReader(seg)
        elif tag == "BAK":
            bak, bak_index = seg, i
            if el(seg, 1) not in PURPOSES:
                raise fail(f"BAK01 purpose code {el(seg, 1)!r} is not a valid 353 code", i, seg, "7", 1)
            header = HEADER_STATUS.get(el(seg, 2))
            if header is None:
                raise fail(
                    f"BAK02 acknowledgment type {el(seg, 2)!r} is not a valid 587 code", i, seg, "7", 2
                )
            status = header
        elif tag == "CUR":
            currency = el(seg, 2) or None
        elif tag == "NTE" and note is None:
            note = el(seg, 2) or None
    if party is not None:
        parties.append((party.code, party.party()))
    if bak is None:
        raise fail("mandatory segment BAK (beginning of acknowledgment) is missing", 2, "BAK", "3")
    if not el(bak, 3):
        raise fail("BAK03 purchase order number is missing", bak_index, bak, "1", 3)
    default = LineStatus.REJECTED if status is ResponseStatus.REJECTED else LineStatus.ACCEPTED
    lines = []
    for row, by_ack, by_sch in zip(rows, acks, schs, strict=True):
        if row[1] is None:
            row[1] = default
        # A split line: one SCH per delivery, else one ACK per delivery (SCHs win where both are sent).
        schedule = schedule_of(by_sch) or schedule_of(by_ack)
        if schedule:
            row[2] = sum((part.quantity for part in schedule), Decimal(0))
            row[8] = schedule[-1].delivery_date
            row[9] = schedule
        lines.append(OrderResponseLine(*row))  # type: ignore[arg-type]
    issued = el(bak, 9) or el(bak, 4)
    if not issued:
        raise fail(
            "BAK04 purchase order date and BAK09 acknowledgment date are both missing", bak_index, bak, "1", 4
        )
    (buyer_party, seller_party), others = split_parties(parties, (BUYER_ROLES, SELLER_ROLES), ROLES)
    return OrderResponse(
        number=el(bak, 8) or bak[3],
        order_number=bak[3],
        issue_date=parse_date(issued, bak_index, bak, 9 if el(bak, 9) else 4),
        status=status,
        buyer=buyer_party or Party(),
        seller=seller_party or Party(),
        lines=tuple(lines),
        currency=currency,
        note=note,
        other_parties=others,
    ), ctt_warnings(segs, len(rows), "PO1 line items")


def encode_855(doc: OrderResponse, w: Writer) -> None:
    """Write the body (BAK..CTT) of an 855: one PO1 + ACK per line."""
    issued = fmt_date(doc.issue_date)
    w.add(
        "BAK",
        "00",
        _WRITE_HEADER[doc.status],
        w.text(doc.order_number, "order_number"),
        issued,
        "",
        "",
        "",
        w.text(doc.number, "number"),
        issued,
    )
    if doc.currency:
        w.add("CUR", "BY", w.text(doc.currency, "currency"))
    if doc.note:
        w.add("NTE", "GEN", w.text(doc.note, "note"))
    w.party("BY", doc.buyer, "buyer")
    w.party("SE", doc.seller, "seller")
    w.others(doc.other_parties)
    for n, line in enumerate(doc.lines):
        field = f"lines[{n}]"
        quantity = fmt_dec(line.quantity) if line.quantity is not None else ""
        unit = w.unit(line.unit, f"{field}.unit")
        w.add(
            "PO1",
            w.text(line.line_id, f"{field}.line_id"),
            quantity,
            unit if quantity else "",
            fmt_dec(line.unit_price) if line.unit_price is not None else "",
            "",
            *w.product_ids(line.gtin, line.supplier_article, line.buyer_article, field),
        )
        if line.schedule:  # a split line: one ACK per delivery, its quantity and date
            for part in line.schedule:
                w.add(
                    "ACK",
                    _WRITE_LINE[line.status],
                    fmt_dec(part.quantity),
                    unit,
                    "068",
                    fmt_date(part.delivery_date),
                )
            continue
        w.add(
            "ACK",
            _WRITE_LINE[line.status],
            quantity,
            unit if quantity else "",
            "068" if line.promised_date else "",
            fmt_date(line.promised_date) if line.promised_date else "",
        )
    w.add("CTT", str(len(doc.lines)))
