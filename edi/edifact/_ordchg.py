"""ORDCHG <-> OrderChange (EANCOM EAN008 for D96A, EAN010 for D01B): the buyer's change of an order.

BGM 1001 is 230 (purchase order change request), its 1225 4 (change); RFF+ON names the order and
DTM+171 its date. Each LIN's 1229 says what happens to the line: 1 added, 3 changed, 2 deleted
(cancelled); QTY+21 is the line's new ordered quantity, DTM+2 its requested date, PRI+AAA its price.
"""

from __future__ import annotations

from edi._roles import split_parties
from edi.documents import ChangeAction, OrderChange, OrderChangeLine
from edi.edifact._lines import item_segments, qty
from edi.edifact._orders import read_message
from edi.edifact._syntax import Segment
from edi.edifact._values import ROLES, Ctx, dtm, fmt_decimal, other_party_segments, party_segments, text

__all__ = ["decode_ordchg", "encode_ordchg"]

ACTIONS = {"1": ChangeAction.ADDED, "3": ChangeAction.CHANGED, "2": ChangeAction.CANCELLED}
_ACTIONS_OUT = {v: k for k, v in ACTIONS.items()}
# BGM 1225 of an ORDCHG: 4 change, 5 replace, 9 original (both read as a change), 1 cancellation
FUNCTIONS = frozenset({"4", "5", "9", "1"})


def decode_ordchg(ctx: Ctx) -> OrderChange:
    head, items = read_message(ctx)
    if not head.number:
        raise ctx.missing("BGM document number (C106 1004)", head.number_k)
    issue = ctx.date_of(head.dates, "137")
    if issue is None:
        raise ctx.missing("DTM+137 document date")
    present = {qual for qual, _ in head.parties}
    for qual in ("BY", "SU"):
        if qual not in present:
            raise ctx.missing(f"NAD+{qual} party")
    if head.status_code and head.status_code not in FUNCTIONS:
        raise ctx.error(
            f"BGM 1225 {head.status_code!r} is not an order change function (4 change, 5 replace, "
            "1 cancellation)",
            head.number_k,
            3,
            "12",
        )
    order_number = head.refs.get("ON")
    if not order_number:
        raise ctx.missing("RFF+ON order number")
    if not items:
        raise ctx.missing("LIN order line")
    cancelling = head.status_code == "1"
    lines: list[OrderChangeLine] = []
    for it in items:
        action = ACTIONS.get(it.action) if it.action else (ChangeAction.CANCELLED if cancelling else None)
        if action is None:
            raise ctx.error(
                f"LIN 1229 {it.action!r} is not a line change code (1 added, 3 changed, 2 deleted)",
                it.k,
                2,
                "12",
            )
        q = it.qty.get("21")
        if q is None and action is not ChangeAction.CANCELLED:
            raise ctx.error(f"order line {it.line_id!r} has no QTY+21 ordered quantity", it.k, None, "13")
        lines.append(
            OrderChangeLine(
                it.line_id,
                action,
                q[0] if q else None,
                q[1] if q else "C62",
                it.gtin,
                it.supplier_article,
                it.buyer_article,
                it.description,
                it.prices.get("AAA", it.prices.get("AAB")),
                ctx.date_of(it.dates, "2"),
            )
        )
    (buyer, seller), others = split_parties(head.parties, (("BY",), ("SU",)), ROLES)
    assert buyer is not None and seller is not None  # checked above
    return OrderChange(
        number=head.number,
        order_number=order_number,
        issue_date=issue,
        buyer=buyer,
        seller=seller,
        lines=tuple(lines),
        order_date=ctx.date_of(head.dates, "171"),
        currency=head.currency,
        note=head.note,
        other_parties=others,
    )


def encode_ordchg(doc: OrderChange, version: str) -> list[Segment]:
    out: list[Segment] = [("BGM", "230", text(doc.number), "4"), dtm("137", doc.issue_date)]
    if doc.note:
        out.append(("FTX", "AAI", "", "", text(doc.note)))
    out.append(("RFF", ("ON", text(doc.order_number))))
    if doc.order_date:
        out.append(dtm("171", doc.order_date))
    out.extend(party_segments("BY", doc.buyer, version))
    out.extend(party_segments("SU", doc.seller, version))
    out.extend(other_party_segments(doc.other_parties, version))
    if doc.currency:
        out.append(("CUX", ("2", doc.currency, "9")))
    for line in doc.lines:
        out.extend(
            item_segments(
                text(line.line_id),
                action=_ACTIONS_OUT[line.action],
                gtin=line.gtin,
                supplier_article=line.supplier_article,
                buyer_article=line.buyer_article,
                description=line.description,
                version=version,
            )
        )
        if line.quantity is not None:
            out.append(qty("21", line.quantity, line.unit))
        if line.requested_date:
            out.append(dtm("2", line.requested_date))
        if line.unit_price is not None:
            out.append(("PRI", ("AAA", fmt_decimal(line.unit_price))))
    out.append(("UNS", "S"))
    out.append(("CNT", ("2", str(len(doc.lines)))))
    return out
