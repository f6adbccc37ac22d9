"""REMADV <-> RemittanceAdvice (EANCOM REMADV EAN002 / D96A, and plain UN directories).

Header: BGM 481 (remittance advice) with the payment's reference, DTM 137 (document date) and 209
(value date: when the money moves), MOA 9 the amount paid, CUX, NAD PR (payer) and PE (payee).
Each settled invoice is a DOC group: DOC 380 (381 for a credit note) with the invoice number, MOA 12
what is paid of it (negative for a credit note taken off), MOA 77 the invoice's own amount, DTM 137
its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from edi.documents import Party, RemittanceAdvice, RemittanceLine
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, dtm, elem, fmt_decimal, party_segments, text

__all__ = ["decode_remadv", "encode_remadv"]


def _moa(qual: str, value: Decimal) -> Segment:
    return ("MOA", (qual, fmt_decimal(value)))


@dataclass(slots=True)
class _Doc:
    k: int
    number: str
    paid: Decimal | None = None
    amount: Decimal | None = None
    issued: date | None = None


def decode_remadv(ctx: Ctx) -> RemittanceAdvice:
    segs = ctx.segments
    number, number_k = "", 0
    dates: dict[str, int] = {}
    parties: dict[str, Party] = {}
    currency: str | None = None
    total: Decimal | None = None
    docs: list[_Doc] = []
    k, end = 1, len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
        line = docs[-1] if docs else None
        if tag == "DOC":
            doc_number = comp(elem(seg, 2))
            if not doc_number:
                raise ctx.missing("DOC document number (C503 1004)", k)
            docs.append(_Doc(k, doc_number))
        elif tag == "MOA":
            c516 = elem(seg, 1)
            qual, raw = comp(c516), comp(c516, 1)
            if raw:
                value = ctx.dec(raw, k, 1, f"MOA {qual} amount")
                if line is not None and qual == "12" and line.paid is None:
                    line.paid = value
                elif line is not None and qual in ("77", "39") and line.amount is None:
                    line.amount = value
                elif line is None and qual in ("9", "12") and total is None:
                    total = value
        elif tag == "DTM":
            if line is None:
                ctx.note_date(dates, k)
            else:
                qual, value_date = ctx.dtm(k)
                if qual in ("137", "3") and line.issued is None:
                    line.issued = value_date
        elif tag == "BGM":
            number, number_k = comp(elem(seg, 2)), k
        elif tag == "CUX" and line is None:
            currency = currency or comp(elem(seg, 1), 1) or None
        elif tag == "NAD" and line is None:
            qual, party, nxt = ctx.party(k)
            parties.setdefault(qual, party)
            k = nxt
            continue
        k += 1
    lines: list[RemittanceLine] = []
    for d in docs:
        if d.paid is None:
            raise ctx.error(f"DOC {d.number!r} has no MOA+12 amount remitted", d.k, None, "13")
        lines.append(RemittanceLine(d.number, d.paid, d.amount, d.issued))
    if not number:
        raise ctx.missing("BGM remittance advice number (C106 1004)", number_k)
    issue = ctx.date_of(dates, "137")
    if issue is None:
        raise ctx.missing("DTM+137 document date")
    paid_on = ctx.date_of(dates, "209", "203", "171") or issue
    payer = parties.get("PR")
    payee = parties.get("PE")
    if payer is None:
        raise ctx.missing("NAD+PR payer")
    if payee is None:
        raise ctx.missing("NAD+PE payee")
    if currency is None:
        raise ctx.missing("CUX currency")
    if not lines:
        raise ctx.missing("DOC settled document")
    if total is None:
        total = sum((ln.amount_paid for ln in lines), Decimal(0))
    return RemittanceAdvice(number, issue, paid_on, currency, payer, payee, total, tuple(lines))


def _date(qual: str, value: date | None) -> list[Segment]:
    return [dtm(qual, value)] if value is not None else []


def encode_remadv(doc: RemittanceAdvice, version: str) -> list[Segment]:
    out: list[Segment] = [
        ("BGM", "481", text(doc.number), "9"),
        dtm("137", doc.issue_date),
        dtm("209", doc.payment_date),
        _moa("9", doc.total),
        ("CUX", ("2", doc.currency, "11")),
    ]
    out.extend(party_segments("PR", doc.payer, version))
    out.extend(party_segments("PE", doc.payee, version))
    for line in doc.lines:
        out.append(("DOC", "381" if line.amount_paid < 0 else "380", text(line.invoice_number)))
        out.append(_moa("12", line.amount_paid))
        if line.invoice_amount is not None:
            out.append(_moa("77", line.invoice_amount))
        out.extend(_date("137", line.invoice_date))
    return out
