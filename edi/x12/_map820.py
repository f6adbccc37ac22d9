"""820 Payment Order/Remittance Advice <-> :class:`~edi.documents.RemittanceAdvice`.

BPR: 01 ``I`` (remittance information only: the money moves by its own transfer), 02 the amount
paid, 03 ``C`` credit, 04 the payment method (``ACH``; ``CHK``, ``FWT`` read alike), 16 the value
date. TRN 02 the payment's reference; CUR the currency; DTM 097 the advice's date; N1 PR payer, PE
payee. One ENT loop with one RMR per settled document: 01 ``IV`` (``CM`` for a credit memo), 02
the number, 04 the amount paid (negative for a credit taken off), 05 the document's own amount;
DTM 003 its date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi.documents import Party, RemittanceAdvice, RemittanceLine
from edi.x12._syntax import Segment
from edi.x12._values import PARTY_LOOP, PartyReader, Writer, dec, el, fail, fmt_date, fmt_dec, parse_date

__all__ = ["decode_820", "encode_820"]


def decode_820(segs: list[Segment]) -> tuple[RemittanceAdvice, list[str]]:
    """Map an 820 to a RemittanceAdvice."""
    bpr: Segment | None = None
    bpr_index = 0
    number: str | None = None
    currency: str | None = None
    issued: date | None = None
    parties: dict[str, Party] = {}
    party: PartyReader | None = None
    lines: list[list[object]] = []  # number, paid, amount, date
    warnings: list[str] = []
    for i, seg in enumerate(segs):
        tag = seg[0]
        if party is not None:
            if tag in PARTY_LOOP and party.take(seg):
                continue
            parties.setdefault(party.code, party.party())
            party = None
        if tag == "N1":
            party = PartyReader(seg)
        elif tag == "BPR":
            bpr, bpr_index = seg, i
        elif tag == "TRN" and number is None:
            number = el(seg, 2) or None
        elif tag == "CUR" and currency is None:
            currency = el(seg, 2) or None
        elif tag == "RMR":
            if not el(seg, 2):
                raise fail("RMR02 reference number is missing", i, seg, "1", 2)
            if not el(seg, 4):
                raise fail("RMR04 monetary amount (amount paid) is missing", i, seg, "1", 4)
            amount = dec(el(seg, 5), i, seg, 5) if el(seg, 5) else None
            lines.append([el(seg, 2), dec(el(seg, 4), i, seg, 4), amount, None])
        elif tag == "DTM":
            if el(seg, 1) == "003" and lines and lines[-1][3] is None and el(seg, 2):
                lines[-1][3] = parse_date(el(seg, 2), i, seg, 2)
            elif el(seg, 1) == "097" and issued is None and el(seg, 2):
                issued = parse_date(el(seg, 2), i, seg, 2)
    if party is not None:
        parties.setdefault(party.code, party.party())
    if bpr is None:
        raise fail("mandatory segment BPR (beginning segment for payment order) is missing", 1, "BPR", "3")
    if not el(bpr, 2):
        raise fail("BPR02 monetary amount is missing", bpr_index, bpr, "1", 2)
    if not el(bpr, 16):
        raise fail("BPR16 payment effective date is missing", bpr_index, bpr, "1", 16)
    if number is None:
        raise fail("mandatory segment TRN (trace number of the payment) is missing", 1, "TRN", "3")
    if not lines:
        raise fail("no RMR names a settled invoice", len(segs), "RMR", "3")
    if currency is None:
        currency = "USD"
        warnings.append("no CUR segment; currency assumed to be USD")
    paid_on = parse_date(el(bpr, 16), bpr_index, bpr, 16)
    return RemittanceAdvice(
        number=number,
        issue_date=issued or paid_on,
        payment_date=paid_on,
        currency=currency,
        payer=parties.get("PR", Party()),
        payee=parties.get("PE", Party()),
        total=dec(el(bpr, 2), bpr_index, bpr, 2),
        lines=tuple(RemittanceLine(*line) for line in lines),  # type: ignore[arg-type]
    ), warnings


def _amount(value: Decimal) -> str:
    return fmt_dec(value)


def encode_820(doc: RemittanceAdvice, w: Writer) -> None:
    """Write the body (BPR..RMR) of an 820."""
    w.add("BPR", "I", _amount(doc.total), "C", "ACH", *[""] * 11, fmt_date(doc.payment_date))
    w.add("TRN", "1", w.text(doc.number, "number"))
    w.add("CUR", "PR", w.text(doc.currency, "currency"))
    w.add("DTM", "097", fmt_date(doc.issue_date))
    w.party("PR", doc.payer, "payer")
    w.party("PE", doc.payee, "payee")
    w.add("ENT", "1")
    for n, line in enumerate(doc.lines):
        w.add(
            "RMR",
            "CM" if line.amount_paid < 0 else "IV",
            w.text(line.invoice_number, f"lines[{n}].invoice_number"),
            "",
            _amount(line.amount_paid),
            "" if line.invoice_amount is None else _amount(line.invoice_amount),
        )
        if line.invoice_date is not None:
            w.add("DTM", "003", fmt_date(line.invoice_date))
