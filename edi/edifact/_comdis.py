"""COMDIS <-> InvoiceResponse (EANCOM COMDIS EAN001 / D96A, and the plain D01B directory).

The buyer's dispute or rejection of an invoice, and the seller's answer in the same message
(UN/EDIFACT: "the message will serve at the same time as the dispute notice and as the dispute
answer"). Header: BGM 67 (commercial dispute) with the message's own number and 9 (original), DTM
137 its date, RFF IV the invoice, NAD BY (buyer) and SU (supplier). One DOC group for the invoice:
DOC 380 (its UNTDID 1001 type) with the invoice number and, in C503 1373, the decision: 8 rejected,
1 accepted, 3 conditionally accepted, none for a dispute (the message itself is the dispute); DTM
137 the invoice's date; AJT 9 (invoice error) with the reason as FTX ACE (dispute), spread over as
many FTX as it takes (at most the nine the group allows).

Fields COMDIS does not carry stay ``None`` after a round trip: ``reason_code`` and ``action_code``
(Peppol codes; AJT is written 9, and read as nothing). A message that names several invoices is
read for its first (a warning says so).
"""

from __future__ import annotations

from datetime import date

from edi.documents import InvoiceResponse, InvoiceResponseStatus, Party
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, dtm, elem, party_segments, text
from edi.errors import EncodeError

__all__ = ["decode_comdis", "encode_comdis"]

_DOC_STATUS = {
    InvoiceResponseStatus.UNDER_QUERY: "",
    InvoiceResponseStatus.REJECTED: "8",
    InvoiceResponseStatus.APPROVED: "1",
    InvoiceResponseStatus.CONDITIONALLY_ACCEPTED: "3",
}
_FROM_DOC_STATUS = {code: status for status, code in _DOC_STATUS.items()}
_FTX_PER_GROUP = 9
_FTX_LINE = {"D96A": 70, "D01B": 512}  # 4440 an..70 / an..512, five to an FTX
_INVOICE_ERROR = "9"  # UNTDID 4465: invoice not in accordance with the order


def _pieces(reason: str, size: int) -> list[tuple[str, ...]]:
    """The reason as FTX C108 texts: lines of at most ``size`` characters cut at blanks (the decoder
    joins them with one blank), five to an FTX, at most the nine FTX the AJT group holds (a longer
    reason is cut there). A word longer than a line is cut too."""
    lines: list[str] = []
    line = ""
    for word in text(reason).split():
        while len(word) > size:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:size])
            word = word[size:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= size:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    groups = [tuple(lines[i : i + 5]) for i in range(0, len(lines), 5)]
    return groups[:_FTX_PER_GROUP]


def encode_comdis(doc: InvoiceResponse, version: str) -> list[Segment]:
    if doc.status not in _DOC_STATUS:
        raise EncodeError(
            f"an invoice response {doc.status.value} ({doc.status.name.lower()}) has no COMDIS form: "
            "COMDIS carries a dispute, a rejection or an acceptance"
        )
    out: list[Segment] = [
        ("BGM", "67", text(doc.number), "9"),
        dtm("137", doc.issue_date),
        ("RFF", ("IV", text(doc.invoice_number))),
    ]
    out.extend(party_segments("BY", doc.buyer, version))
    out.extend(party_segments("SU", doc.seller, version))
    out.append(("DOC", doc.invoice_type, (text(doc.invoice_number), _DOC_STATUS[doc.status])))
    if doc.invoice_date is not None:
        out.append(dtm("137", doc.invoice_date))
    if doc.reason:
        pieces = _pieces(doc.reason, _FTX_LINE.get(version, _FTX_LINE["D96A"]))
        if pieces:
            out.append(("AJT", _INVOICE_ERROR))
            out.extend(("FTX", "ACE", "", "", piece) for piece in pieces)
    return out


def decode_comdis(ctx: Ctx) -> InvoiceResponse:
    segs = ctx.segments
    number, number_k = "", 0
    dates: dict[str, int] = {}
    parties: dict[str, Party] = {}
    referenced: str | None = None
    invoice: str | None = None
    invoice_type = "380"
    status = InvoiceResponseStatus.UNDER_QUERY
    invoice_date: date | None = None
    reason: list[str] = []
    docs = 0
    k, end = 1, len(segs) - 1
    while k < end:
        seg = segs[k]
        tag = seg[0]
        if tag == "BGM":
            number, number_k = comp(elem(seg, 2)), k
        elif tag == "DOC":
            docs += 1
            if docs == 1:
                c503 = elem(seg, 2)
                invoice = comp(c503) or None
                invoice_type = comp(elem(seg, 1)) or "380"
                code = comp(c503, 1)
                if code not in _FROM_DOC_STATUS:
                    raise ctx.error(f"DOC document status {code!r} is not 1, 3 or 8", k, 2)
                status = _FROM_DOC_STATUS[code]
        elif tag == "DTM":
            if docs == 0:
                ctx.note_date(dates, k)
            elif docs == 1 and invoice_date is None:
                qual, value = ctx.dtm(k)
                if qual in ("137", "3"):
                    invoice_date = value
        elif tag == "RFF" and docs == 0:
            if comp(elem(seg, 1)) == "IV" and referenced is None:
                referenced = comp(elem(seg, 1), 1) or None
        elif tag == "FTX" and docs == 1:
            reason.append(" ".join(p for p in (comp(elem(seg, 4), i) for i in range(5)) if p))
        elif tag == "NAD" and docs == 0:
            qual, party, nxt = ctx.party(k)
            parties.setdefault(qual, party)
            k = nxt
            continue
        k += 1
    if not number:
        raise ctx.missing("BGM commercial dispute number (C106 1004)", number_k)
    issue = ctx.date_of(dates, "137")
    if issue is None:
        raise ctx.missing("DTM+137 document date")
    invoice = invoice or referenced
    if invoice is None:
        raise ctx.missing("DOC disputed document (or RFF+IV)")
    if docs > 1:
        ctx.warnings.append(f"COMDIS {number} names {docs} documents; only the first ({invoice}) was read")
    buyer = parties.get("BY")
    seller = parties.get("SU")
    if buyer is None:
        raise ctx.missing("NAD+BY buyer")
    if seller is None:
        raise ctx.missing("NAD+SU supplier")
    return InvoiceResponse(
        number=number,
        issue_date=issue,
        status=status,
        invoice_number=invoice,
        buyer=buyer,
        seller=seller,
        invoice_date=invoice_date,
        invoice_type=invoice_type,
        reason=" ".join(r for r in reason if r) or None,
    )
