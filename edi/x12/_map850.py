"""850 Purchase Order <-> :class:`PurchaseOrder`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi._construct import new_order_line, new_purchase_order
from edi._roles import split_parties
from edi.documents import OrderLine, OrderPurpose, Party, PurchaseOrder
from edi.x12._syntax import Segment
from edi.x12._values import (
    DECIMALS,
    ID_SLOTS,
    PARTY_LOOP,
    ROLES,
    UNITS,
    Writer,
    dec,
    el,
    fail,
    fmt_date,
    fmt_dec,
    parse_date,
    read_party,
)

__all__ = ["decode_850", "encode_850"]

# X12 353 transaction set purpose codes an order can carry.
PURPOSES = frozenset(("00", "01", "04", "05", "06", "07", "13", "15", "18", "22", "24", "25", "44"))
BUYER_ROLES = ("BY", "OB")
SELLER_ROLES = ("SE", "VN", "SU")
EMPTY_PARTY = Party()
# The named fields of a PurchaseOrder and the N101 codes that fill them, most preferred first.
_NAMED = (BUYER_ROLES, SELLER_ROLES, ("ST",), ("BT",))


def decode_850(segs: list[Segment]) -> tuple[PurchaseOrder, list[str]]:
    """Map an 850 (ST..SE) to a PurchaseOrder; raises MappingError with 720/723 codes."""
    # The hot path of X12 decoding: one pass, element access by index, cached values and the fast
    # document constructors (see edi._construct); the checks are those of the plain mapping.
    beg: Segment | None = None
    beg_index = 0
    currency = None
    delivery: date | None = None
    note = None
    parties: list[tuple[str, Party]] = []
    party_at = -1  # index in segs of the N1 whose loop is being read
    lines: list[OrderLine] = []
    ctt = None
    warnings: list[str] = []
    decimals = DECIMALS
    units = UNITS
    new_line = new_order_line
    pending = False
    line_id = unit = ""
    quantity = Decimal(0)
    gtin = supplier = buyer = description = None
    unit_price: Decimal | None = None
    line_date: date | None = None
    slots = ID_SLOTS  # inlined product_ids(seg, 6)
    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if party_at >= 0:
            if tag in PARTY_LOOP:
                continue
            parties.append(read_party(tuple(segs[party_at : i - 1])))
            party_at = -1
        if tag == "PO1":
            if pending:
                lines.append(
                    new_line(
                        line_id, quantity, unit, gtin, supplier, buyer, description, unit_price, line_date
                    )
                )
            n = len(seg)
            if n < 3 or not seg[2]:
                raise fail("PO102 quantity ordered is missing", i, seg, "1", 2)
            line_id = seg[1] or str(len(lines) + 1)
            quantity = decimals.get(seg[2]) or dec(seg[2], i, seg, 2)
            price = seg[4] if n > 4 else ""
            unit_price = (decimals.get(price) or dec(price, i, seg, 4)) if price else None
            unit = seg[3] if n > 3 else ""
            unit = units.get(unit, unit) if unit else "C62"
            gtin = supplier = buyer = description = line_date = None
            for k in range(6, n - 1, 2):
                value = seg[k + 1]
                if value:
                    slot = slots.get(seg[k])
                    if slot == 0:
                        gtin = gtin or value
                    elif slot == 1:
                        supplier = supplier or value
                    elif slot == 2:
                        buyer = buyer or value
            pending = True
        elif tag == "PID":
            if pending and description is None and len(seg) > 5:
                description = seg[5] or None
        elif tag == "DTM":
            if el(seg, 1) == "002" and el(seg, 2):
                when = parse_date(el(seg, 2), i, seg, 2)
                if pending:
                    line_date = when
                else:
                    delivery = when
        elif tag == "N1":
            party_at = i - 1
        elif tag == "BEG":
            beg, beg_index = seg, i
            if el(seg, 1) not in PURPOSES:
                raise fail(f"BEG01 purpose code {el(seg, 1)!r} is not a valid 353 code", i, seg, "7", 1)
        elif tag == "CUR":
            currency = el(seg, 2) or None
        elif tag == "NTE" and note is None:
            note = el(seg, 2) or None
        elif tag == "CTT":
            ctt = el(seg, 1)
    if pending:
        lines.append(
            new_line(line_id, quantity, unit, gtin, supplier, buyer, description, unit_price, line_date)
        )
    if party_at >= 0:
        parties.append(read_party(tuple(segs[party_at:])))
    if beg is None:
        raise fail("mandatory segment BEG (beginning of purchase order) is missing", 2, "BEG", "3")
    if not el(beg, 3):
        raise fail("BEG03 purchase order number is missing", beg_index, beg, "1", 3)
    if not lines:
        raise fail("the order has no PO1 line item", len(segs), "PO1", "3")
    if ctt and ctt != str(len(lines)):
        warnings.append(f"CTT01 says {ctt} line items but the order has {len(lines)} PO1 segments")
    (buyer_party, seller_party, ship_to, bill_to), others = split_parties(parties, _NAMED, ROLES)
    return new_purchase_order(
        beg[3],
        parse_date(el(beg, 5), beg_index, beg, 5),
        buyer_party or EMPTY_PARTY,
        seller_party or EMPTY_PARTY,
        tuple(lines),
        currency,
        ship_to,
        bill_to,
        delivery,
        note,
        OrderPurpose.CANCELLATION if el(beg, 1) == "01" else OrderPurpose.ORIGINAL,
        others,
    ), warnings


def encode_850(doc: PurchaseOrder, w: Writer) -> None:
    """Write the body (BEG..CTT) of an 850."""
    purpose = "01" if doc.purpose is OrderPurpose.CANCELLATION else "00"
    w.add("BEG", purpose, "SA", w.text(doc.number, "number"), "", fmt_date(doc.issue_date))
    if doc.currency:
        w.add("CUR", "BY", w.text(doc.currency, "currency"))
    if doc.note:
        w.add("NTE", "GEN", w.text(doc.note, "note"))
    if doc.requested_delivery_date:
        w.add("DTM", "002", fmt_date(doc.requested_delivery_date))
    w.party("BY", doc.buyer, "buyer")
    w.party("SE", doc.seller, "seller")
    w.party("ST", doc.delivery_party, "delivery_party")
    w.party("BT", doc.invoicee, "invoicee")
    w.others(doc.other_parties)
    for n, line in enumerate(doc.lines):
        field = f"lines[{n}]"
        w.add(
            "PO1",
            w.text(line.line_id, f"{field}.line_id"),
            fmt_dec(line.quantity),
            w.unit(line.unit, f"{field}.unit"),
            fmt_dec(line.unit_price) if line.unit_price is not None else "",
            "",
            *w.product_ids(line.gtin, line.supplier_article, line.buyer_article, field),
        )
        if line.description:
            w.add("PID", "F", "", "", "", w.text(line.description, f"{field}.description"))
        if line.requested_date:
            w.add("DTM", "002", fmt_date(line.requested_date))
    w.add("CTT", str(len(doc.lines)))
