"""824 Application Advice: written from an :class:`~edi.documents.Acknowledgement` (kind
``"application"``: the answer to a business document whose content was refused or accepted with
errors) or from an :class:`~edi.documents.InvoiceResponse` (the buyer's dispute or rejection of an
810, as suppliers' systems expect it); read as an InvoiceResponse.

BGN (01 original, the advice's own reference and date), then one OTI loop for the acknowledged
document: OTI01 ``TA`` accepted, ``TE`` accepted with errors, ``TR`` rejected; OTI02 ``IV`` with the
invoice number (``document_reference``); OTI06/OTI07 the group and set control numbers where
known. Each error is a TED: TED01 the application error condition (647) - ``848`` incorrect data for
a broken business rule - and TED02 its text (else its code), cut to the 60 characters X12 allows:
put the rule's id first, so the cut keeps what a partner looks up.

An InvoiceResponse: BGN 00 with the response's number and date, N1 BY (buyer) and SE (seller), one
OTI loop: OTI01 ``TE`` under query (a dispute: the invoice stands, one thing in it is questioned),
``TR`` rejected, ``TA`` approved, ``TC`` conditionally accepted; OTI02 ``IV``, OTI03 the invoice
number; DTM 003 the invoice's date; TED 848 with the reason's first 60 characters and the whole
reason in NTE (GEN, 80 characters each, cut at blanks). Separators in the reason become blanks (X12
cannot escape them). ``reason_code``, ``action_code`` and ``invoice_type`` are not carried (an 824
answers an 810: read back as 380).
"""

from __future__ import annotations

from datetime import date

from edi.documents import Acknowledgement, AckStatus, InvoiceResponse, InvoiceResponseStatus, Party
from edi.errors import EncodeError
from edi.x12._syntax import Segment
from edi.x12._values import PARTY_LOOP, PartyReader, Writer, el, fail, fmt_date, parse_date

__all__ = ["decode_824", "encode_824", "encode_invoice_response"]

_OTI = {AckStatus.ACCEPTED: "TA", AckStatus.PARTIALLY_ACCEPTED: "TE", AckStatus.REJECTED: "TR"}
_TEXT = 60  # TED02, AN 1/60


def encode_824(ack: Acknowledgement, w: Writer) -> None:
    """Write the body of an 824 (BGN, OTI, TED...)."""
    reference = ack.document_reference or ack.interchange_reference
    date = ack.issue_date.strftime("%Y%m%d") if ack.issue_date else ""
    w.add("BGN", "00", w.text(f"{reference}-advice"[:30], "document_reference"), date)
    status = _OTI[ack.status]
    if status == "TA" and ack.errors:
        status = "TE"
    group = ack.group_reference if ack.group_reference and ack.group_reference.isdigit() else ""
    w.add("OTI", status, "IV", w.text(reference[:30], "document_reference"), "", "", group)
    for error in ack.errors:
        text = " ".join((error.text or error.code).split())
        w.add("TED", "848", w.text(_clean(text, w)[:_TEXT], "errors.text"))


def _clean(text: str, w: Writer) -> str:
    """Separators cannot be escaped in X12: a rule text that contains one gets a blank instead."""
    return "".join(" " if char in w.forbidden else char for char in text)


_DECISION = {
    InvoiceResponseStatus.UNDER_QUERY: "TE",
    InvoiceResponseStatus.REJECTED: "TR",
    InvoiceResponseStatus.APPROVED: "TA",
    InvoiceResponseStatus.CONDITIONALLY_ACCEPTED: "TC",
}
_FROM_OTI = {code: status for status, code in _DECISION.items()}
_NOTE = 80  # NTE02, AN 1/80


def _notes(reason: str) -> list[str]:
    """The reason in NTE pieces of at most 80 characters, cut at blanks (read back joined by one)."""
    out: list[str] = []
    line = ""
    for word in reason.split():
        while len(word) > _NOTE:
            if line:
                out.append(line)
                line = ""
            out.append(word[:_NOTE])
            word = word[_NOTE:]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= _NOTE:
            line = candidate
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    return out


def encode_invoice_response(doc: InvoiceResponse, w: Writer) -> None:
    """Write the body of an 824 that answers an invoice (BGN, N1 loops, OTI, DTM, TED, NTE...)."""
    status = _DECISION.get(doc.status)
    if status is None:
        raise EncodeError(
            f"an invoice response {doc.status.value} ({doc.status.name.lower()}) has no 824 form: an "
            "application advice carries a dispute, a rejection or an acceptance"
        )
    w.add("BGN", "00", w.text(doc.number, "number"), fmt_date(doc.issue_date))
    w.party("BY", doc.buyer, "buyer")
    w.party("SE", doc.seller, "seller")
    w.add("OTI", status, "IV", w.text(doc.invoice_number, "invoice_number"))
    if doc.invoice_date is not None:
        w.add("DTM", "003", fmt_date(doc.invoice_date))
    reason = _clean(" ".join((doc.reason or "").split()), w).strip()
    if reason:
        w.add("TED", "848", reason[:_TEXT].strip())
        for note in _notes(reason):
            w.add("NTE", "GEN", note)


def decode_824(segs: list[Segment]) -> tuple[InvoiceResponse, list[str]]:
    """Map an 824 to an InvoiceResponse: its first OTI loop that names an invoice (OTI02 IV)."""
    number: str | None = None
    issued: date | None = None
    parties: dict[str, Party] = {}
    party: PartyReader | None = None
    oti: Segment | None = None
    oti_index = 0
    invoice_date: date | None = None
    teds: list[str] = []
    notes: list[str] = []
    warnings: list[str] = []
    loops = 0
    for i, seg in enumerate(segs):
        tag = seg[0]
        if party is not None:
            if tag in PARTY_LOOP and party.take(seg):
                continue
            parties.setdefault(party.code, party.party())
            party = None
        if tag == "BGN":
            number = el(seg, 2) or None
            issued = parse_date(el(seg, 3), i, seg, 3) if el(seg, 3) else None
        elif tag == "N1" and oti is None:
            party = PartyReader(seg)
        elif tag == "OTI":
            loops += 1
            if oti is None and el(seg, 2) in ("IV", ""):
                oti, oti_index = seg, i
        elif oti is not None and loops == 1:
            if tag == "DTM" and el(seg, 1) == "003" and invoice_date is None and el(seg, 2):
                invoice_date = parse_date(el(seg, 2), i, seg, 2)
            elif tag == "TED" and el(seg, 2):
                teds.append(el(seg, 2))
            elif tag == "NTE" and el(seg, 2):
                notes.append(el(seg, 2))
    if party is not None:
        parties.setdefault(party.code, party.party())
    if number is None:
        raise fail("mandatory BGN02 (the advice's reference) is missing", 1, "BGN", "3")
    if issued is None:
        raise fail("mandatory BGN03 (the advice's date) is missing", 1, "BGN", "3")
    if oti is None:
        raise fail("no OTI names an invoice (OTI02 IV)", len(segs), "OTI", "3")
    if not el(oti, 3):
        raise fail("OTI03 (the invoice number) is missing", oti_index, oti, "1", 3)
    code = el(oti, 1)
    if code not in _FROM_OTI:
        raise fail(f"OTI01 {code!r} is not TA, TC, TE or TR", oti_index, oti, "7", 1)
    if loops > 1:
        warnings.append(f"824 {number} answers {loops} documents; only the first ({el(oti, 3)}) was read")
    reason = " ".join(notes) if notes else "; ".join(teds)
    return InvoiceResponse(
        number=number,
        issue_date=issued,
        status=_FROM_OTI[code],
        invoice_number=el(oti, 3),
        buyer=parties.get("BY", Party()),
        seller=parties.get("SE", Party()),
        invoice_date=invoice_date,
        reason=reason or None,
    ), warnings
