"""ORDERS <-> PurchaseOrder and ORDRSP <-> OrderResponse (EANCOM EAN008/EAN010 and EAN005/EAN007)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi._construct import new_order_line, new_purchase_order
from edi._roles import split_parties
from edi.documents import (
    LineStatus,
    OrderLine,
    OrderPurpose,
    OrderResponse,
    OrderResponseLine,
    Party,
    PurchaseOrder,
    ResponseStatus,
    ScheduleLine,
    schedule_of,
)
from edi.edifact._lines import ItemState, item_segments, qty, read_item_segment, start_item
from edi.edifact._syntax import Segment
from edi.edifact._values import (
    ROLES,
    Ctx,
    comp,
    dtm,
    elem,
    fmt_decimal,
    other_party_segments,
    party_segments,
    text,
)

__all__ = ["decode_orders", "decode_ordrsp", "encode_orders", "encode_ordrsp"]

# BGM 1225 in ORDRSP (D96A): 29 accepted without amendment, 27 not accepted, 4 change
RESPONSE_CODES = {"29": ResponseStatus.ACCEPTED, "27": ResponseStatus.REJECTED, "4": ResponseStatus.CHANGED}
_RESPONSE_OUT = {v: k for k, v in RESPONSE_CODES.items()}
# LIN 1229 in ORDRSP (D96A): 5 accepted without amendment, 4 no action, 3 changed, 6 accepted with
# amendment, 7 not accepted, 2 deleted, 10 not found
LINE_CODES = {
    "5": LineStatus.ACCEPTED,
    "4": LineStatus.ACCEPTED,
    "3": LineStatus.CHANGED,
    "6": LineStatus.CHANGED,
    "7": LineStatus.REJECTED,
    "2": LineStatus.REJECTED,  # deleted
    "10": LineStatus.REJECTED,  # not found
}
_LINE_OUT = {LineStatus.ACCEPTED: "5", LineStatus.CHANGED: "3", LineStatus.REJECTED: "7"}
_FROM_HEADER = {
    ResponseStatus.ACCEPTED: LineStatus.ACCEPTED,
    ResponseStatus.REJECTED: LineStatus.REJECTED,
    ResponseStatus.CHANGED: LineStatus.CHANGED,
}


class _Header:
    __slots__ = ("currency", "dates", "note", "number", "number_k", "parties", "refs", "status_code")

    def __init__(self) -> None:
        self.number = ""
        self.number_k = 0
        self.status_code = ""
        self.dates: dict[str, int] = {}  # DTM 2005 -> k (see Ctx.note_date)
        self.parties: list[tuple[str, Party]] = []
        self.refs: dict[str, str] = {}
        self.currency: str | None = None
        self.note: str | None = None


def read_message(ctx: Ctx) -> tuple[_Header, list[ItemState]]:
    """Walk UNH..UNT once: header segments into ``_Header``, each LIN group into an ItemState."""
    segs = ctx.segments
    head = _Header()
    items: list[ItemState] = []
    item: ItemState | None = None
    summary = False
    k = 1
    end = len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
        if tag == "LIN":
            item = start_item(ctx, k, len(items) + 1)
            items.append(item)
        elif tag == "UNS":
            item = None
            summary = True
        elif item is not None:
            read_item_segment(ctx, item, k, tag)
        elif summary:
            pass
        elif tag == "BGM":
            head.number = comp(elem(seg, 2))
            head.number_k = k
            head.status_code = comp(elem(seg, 3))
        elif tag == "DTM":
            ctx.note_date(head.dates, k)
        elif tag == "NAD":
            qual, party, nxt = ctx.party(k)
            head.parties.append((qual, party))
            k = nxt
            continue
        elif tag == "RFF":
            c506 = elem(seg, 1)
            head.refs.setdefault(comp(c506), comp(c506, 1))
        elif tag == "CUX":
            head.currency = head.currency or comp(elem(seg, 1), 1) or None
        elif tag == "FTX" and head.note is None:
            head.note = " ".join(x for x in (comp(elem(seg, 4), i) for i in range(5)) if x) or None
        k += 1
    return head, items


def _require(ctx: Ctx, head: _Header, items: list[ItemState], *, parties: tuple[str, ...]) -> date:
    """Check the mandatory header; returns the document date."""
    if not head.number:
        raise ctx.missing("BGM document number (C106 1004)", head.number_k)
    issue = ctx.date_of(head.dates, "137")
    if issue is None:
        raise ctx.missing("DTM+137 document date")
    present = {qual for qual, _ in head.parties}
    for qual in parties:
        if qual not in present:
            raise ctx.missing(f"NAD+{qual} party")
    return issue


def decode_orders(ctx: Ctx) -> PurchaseOrder:
    head, items = read_message(ctx)
    issue = _require(ctx, head, items, parties=("BY", "SU"))
    if not items:
        raise ctx.missing("LIN order line")
    lines: list[OrderLine] = []
    for it in items:
        q = it.qty.get("21")
        if q is None:
            raise ctx.error(f"order line {it.line_id!r} has no QTY+21 ordered quantity", it.k, None, "13")
        price = it.prices.get("AAA", it.prices.get("AAB"))
        lines.append(
            new_order_line(
                it.line_id,
                q[0],
                q[1],
                it.gtin,
                it.supplier_article,
                it.buyer_article,
                it.description,
                price,
                ctx.date_of(it.dates, "2"),
            )
        )
    (buyer, seller, delivery, invoicee), others = split_parties(
        head.parties, (("BY",), ("SU",), ("DP", "ST"), ("IV",)), ROLES
    )
    assert buyer is not None and seller is not None  # _require
    return new_purchase_order(
        number=head.number,
        issue_date=issue,
        buyer=buyer,
        seller=seller,
        lines=tuple(lines),
        currency=head.currency,
        delivery_party=delivery,
        invoicee=invoicee,
        requested_delivery_date=ctx.date_of(head.dates, "2"),
        note=head.note,
        purpose=OrderPurpose.CANCELLATION if head.status_code == "1" else OrderPurpose.ORIGINAL,
        other_parties=others,
    )


def decode_ordrsp(ctx: Ctx) -> OrderResponse:
    head, items = read_message(ctx)
    issue = _require(ctx, head, items, parties=("BY", "SU"))
    status = RESPONSE_CODES.get(head.status_code)
    if status is None:
        raise ctx.error(
            f"BGM 1225 {head.status_code!r} is not an order response code (29 accepted, 27 not accepted, "
            "4 changed)",
            head.number_k,
            3,
            "12",
        )
    order_number = head.refs.get("ON")
    if not order_number:
        raise ctx.missing("RFF+ON order number")
    lines: list[OrderResponseLine] = []
    for it in items:
        if it.action:
            line_status = LINE_CODES.get(it.action)
            if line_status is None:
                raise ctx.error(
                    f"LIN 1229 {it.action!r} is not a line response code (5 accepted, 3 changed, "
                    "7 not accepted)",
                    it.k,
                    2,
                    "12",
                )
        else:
            line_status = _FROM_HEADER[status]
        q = it.qty.get("113") or it.qty.get("21")
        schedule = _schedule(ctx, it)
        if schedule and q is None:
            q = (sum((part.quantity for part in schedule), Decimal(0)), it.schedule_unit or "C62", it.k)
        lines.append(
            OrderResponseLine(
                it.line_id,
                line_status,
                sum((part.quantity for part in schedule), Decimal(0)) if schedule else q[0] if q else None,
                q[1] if q else "C62",
                it.gtin,
                it.supplier_article,
                it.buyer_article,
                it.prices.get("AAA", it.prices.get("AAB")),
                schedule[-1].delivery_date if schedule else ctx.date_of(it.dates, "69", "2"),
                schedule,
            )
        )
    (buyer, seller), others = split_parties(head.parties, (("BY",), ("SU",)), ROLES)
    assert buyer is not None and seller is not None  # _require
    return OrderResponse(
        number=head.number,
        order_number=order_number,
        issue_date=issue,
        status=status,
        buyer=buyer,
        seller=seller,
        lines=tuple(lines),
        currency=head.currency,
        note=head.note,
        other_parties=others,
    )


def _schedule(ctx: Ctx, it: ItemState) -> tuple[ScheduleLine, ...]:
    """The line's deliveries from its SCC groups (QTY+113 or 21 with DTM+69, 2, 10 or 11 each)."""
    parts: list[tuple[Decimal, date]] = []
    for quantity, dates in it.schedule or ():
        day = ctx.date_of(dates, "69", "2", "10", "11")
        if quantity[0] is None or day is None:
            raise ctx.error(
                f"line {it.line_id!r}: a delivery (SCC group) needs a QTY and a DTM+69 date", it.k, None, "13"
            )
        parts.append((quantity[0][0], day))
        it.schedule_unit = it.schedule_unit or quantity[0][1]
    return schedule_of(parts)


def _head(doc_code: str, number: str, function: str, issue: date) -> list[Segment]:
    return [("BGM", doc_code, text(number), function), dtm("137", issue)]


def encode_orders(doc: PurchaseOrder, version: str) -> list[Segment]:
    function = "1" if doc.purpose is OrderPurpose.CANCELLATION else "9"
    out = _head("220", doc.number, function, doc.issue_date)
    if doc.requested_delivery_date:
        out.append(dtm("2", doc.requested_delivery_date))
    if doc.note:
        out.append(("FTX", "AAI", "", "", text(doc.note)))
    for qual, party in (
        ("BY", doc.buyer),
        ("SU", doc.seller),
        ("DP", doc.delivery_party),
        ("IV", doc.invoicee),
    ):
        if party is not None:
            out.extend(party_segments(qual, party, version))
    out.extend(other_party_segments(doc.other_parties, version))
    if doc.currency:
        out.append(("CUX", ("2", doc.currency, "9")))
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
        out.append(qty("21", line.quantity, line.unit))
        if line.requested_date:
            out.append(dtm("2", line.requested_date))
        if line.unit_price is not None:
            out.append(("PRI", ("AAA", fmt_decimal(line.unit_price))))
    out.append(("UNS", "S"))
    out.append(("CNT", ("2", str(len(doc.lines)))))
    return out


def encode_ordrsp(doc: OrderResponse, version: str) -> list[Segment]:
    out = _head("231", doc.number, _RESPONSE_OUT[doc.status], doc.issue_date)
    if doc.note:
        out.append(("FTX", "AAI", "", "", text(doc.note)))
    out.append(("RFF", ("ON", text(doc.order_number))))
    out.extend(party_segments("BY", doc.buyer, version))
    out.extend(party_segments("SU", doc.seller, version))
    out.extend(other_party_segments(doc.other_parties, version))
    if doc.currency:
        out.append(("CUX", ("2", doc.currency, "9")))
    for line in doc.lines:
        out.extend(
            item_segments(
                text(line.line_id),
                action=_LINE_OUT[line.status],
                gtin=line.gtin,
                supplier_article=line.supplier_article,
                buyer_article=line.buyer_article,
                description=None,
                version=version,
            )
        )
        if line.quantity is not None:
            out.append(qty("113", line.quantity, line.unit))
        if line.promised_date:
            out.append(dtm("69", line.promised_date))
        if line.unit_price is not None:
            out.append(("PRI", ("AAA", fmt_decimal(line.unit_price))))
        for part in line.schedule:  # SCC+1 (firm) with its QTY and DTM, after PRI as in D96A SG48
            out.append(("SCC", "1"))
            out.append(qty("113", part.quantity, line.unit))
            out.append(dtm("69", part.delivery_date))
    out.append(("UNS", "S"))
    return out
