"""860 Purchase Order Change Request - Buyer Initiated <-> :class:`OrderChange`.

BCH01 is 04 (change) or 01 (cancellation), BCH03 the order number, BCH05 the change's sequence
number, BCH06 the order's date, BCH07 the change's own number (request reference), BCH11 the date
of the change. Each POC is a line: POC02 says what happens to it (AI add item, DI delete item; CA
and the other change codes of 670 read as changed), POC03 is its new ordered quantity, POC05 the
unit, POC06 the price, POC08 on the product identifiers; PID and DTM*002 follow it.
"""

from __future__ import annotations

from datetime import date

from edi._roles import split_parties
from edi.documents import ChangeAction, OrderChange, OrderChangeLine, Party
from edi.errors import EncodeError
from edi.x12._map850 import BUYER_ROLES, SELLER_ROLES
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

__all__ = ["decode_860", "encode_860"]

PURPOSES = frozenset(("01", "04", "05"))  # 353: cancellation, change, replace
# 670 change or response type codes: AI add, DI delete, the rest change a line's values.
CHANGE_CODES = {
    "AI": ChangeAction.ADDED,
    "DI": ChangeAction.CANCELLED,
    **dict.fromkeys(
        ("CA", "CB", "CT", "MU", "NC", "OC", "PC", "PQ", "PR", "PS", "QD", "QI", "RA", "RC", "RE", "RM",
         "RQ", "RS", "RZ", "SC", "TI", "UC"),
        ChangeAction.CHANGED,
    ),
}  # fmt: skip
_WRITE_CODES = {ChangeAction.ADDED: "AI", ChangeAction.CHANGED: "CA", ChangeAction.CANCELLED: "DI"}
EMPTY_PARTY = Party()
_NAMED = (BUYER_ROLES, SELLER_ROLES)


def decode_860(segs: list[Segment]) -> tuple[OrderChange, list[str]]:
    """Map an 860 (ST..SE) to an OrderChange; raises MappingError with 720/723 codes."""
    bch: Segment | None = None
    bch_index = 0
    currency = note = None
    parties: list[tuple[str, Party]] = []
    party: PartyReader | None = None
    rows: list[list[object]] = []  # OrderChangeLine arguments
    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if party is not None:
            if party.take(seg):
                continue
            parties.append((party.code, party.party()))
            party = None
        if tag == "POC":
            code = el(seg, 2)
            action = CHANGE_CODES.get(code)
            if action is None:
                raise fail(f"POC02 change type {code!r} is not a 670 change code", i, seg, "7", 2)
            qty, price = el(seg, 3), el(seg, 6)
            if not qty and action is not ChangeAction.CANCELLED:
                raise fail("POC03 quantity ordered is missing", i, seg, "1", 3)
            gtin, supplier_article, buyer_article = product_ids(seg, 8)
            rows.append(
                [
                    el(seg, 1) or str(len(rows) + 1),
                    action,
                    dec(qty, i, seg, 3) if qty else None,
                    unit_from_x12(el(seg, 5)),
                    gtin,
                    supplier_article,
                    buyer_article,
                    None,
                    dec(price, i, seg, 6) if price else None,
                    None,
                ]
            )
        elif tag == "PID":
            if rows and rows[-1][7] is None and el(seg, 5):
                rows[-1][7] = el(seg, 5)
        elif tag == "DTM":
            if rows and el(seg, 1) == "002" and el(seg, 2):
                rows[-1][9] = parse_date(el(seg, 2), i, seg, 2)
        elif tag == "N1":
            party = PartyReader(seg)
        elif tag == "BCH":
            bch, bch_index = seg, i
            if el(seg, 1) not in PURPOSES:
                raise fail(f"BCH01 purpose code {el(seg, 1)!r} is not 01, 04 or 05", i, seg, "7", 1)
        elif tag == "CUR":
            currency = el(seg, 2) or None
        elif tag == "NTE" and note is None:
            note = el(seg, 2) or None
    if party is not None:
        parties.append((party.code, party.party()))
    if bch is None:
        raise fail("mandatory segment BCH (beginning of change) is missing", 2, "BCH", "3")
    if not el(bch, 3):
        raise fail("BCH03 purchase order number is missing", bch_index, bch, "1", 3)
    if not el(bch, 6):
        raise fail("BCH06 purchase order date is missing", bch_index, bch, "1", 6)
    order_date = parse_date(el(bch, 6), bch_index, bch, 6)
    issue: date = parse_date(el(bch, 11), bch_index, bch, 11) if el(bch, 11) else order_date
    if not rows:
        raise fail("the change has no POC line item", len(segs), "POC", "3")
    if el(bch, 1) == "01":  # a cancellation: every line it names is cancelled
        rows = [[row[0], ChangeAction.CANCELLED, *row[2:]] for row in rows]
    (buyer, seller), others = split_parties(parties, _NAMED, ROLES)
    sequence = el(bch, 5) or None
    return OrderChange(
        number=el(bch, 7) or (f"{bch[3]}-{sequence}" if sequence else bch[3]),
        order_number=bch[3],
        issue_date=issue,
        buyer=buyer or EMPTY_PARTY,
        seller=seller or EMPTY_PARTY,
        lines=tuple(OrderChangeLine(*row) for row in rows),  # type: ignore[arg-type]
        sequence=sequence,
        order_date=order_date,
        currency=currency,
        note=note,
        other_parties=others,
    ), ctt_warnings(segs, len(rows), "POC line items")


def encode_860(doc: OrderChange, w: Writer) -> None:
    """Write the body (BCH..CTT) of an 860."""
    if doc.order_date is None:
        raise EncodeError("order_date: an 860 names the order's date (BCH06); the change has none")
    w.add(
        "BCH",
        "04",
        "SA",
        w.text(doc.order_number, "order_number"),
        "",
        w.text(doc.sequence, "sequence") if doc.sequence else "",
        fmt_date(doc.order_date),
        w.text(doc.number, "number"),
        "",
        "",
        "",
        fmt_date(doc.issue_date),
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
        w.add(
            "POC",
            w.text(line.line_id, f"{field}.line_id"),
            _WRITE_CODES[line.action],
            fmt_dec(line.quantity) if line.quantity is not None else "",
            "",
            w.unit(line.unit, f"{field}.unit") if line.quantity is not None else "",
            fmt_dec(line.unit_price) if line.unit_price is not None else "",
            "",
            *w.product_ids(line.gtin, line.supplier_article, line.buyer_article, field),
        )
        if line.description:
            w.add("PID", "F", "", "", "", w.text(line.description, f"{field}.description"))
        if line.requested_date:
            w.add("DTM", "002", fmt_date(line.requested_date))
    w.add("CTT", str(len(doc.lines)))
