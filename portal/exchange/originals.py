"""The files an invoice came in (issue #17.4): its e-invoice and the credit notes against it, read
back from the exchange ledger for the invoice page's readable view and the download of the original.

German e-invoicing rules give the recipient a right to a readable view of an XRechnung; the view is
drawn from the parsed document (``edi.decode_all``), not from a PDF the sender may have attached,
so what is shown is what the invoice says in law. Only who may see the invoice sees its files:
the invoice is found through `portal.access` first, then the inbound records linked to it, through
`portal.access` again (the supplier's own records; owner staff see all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

import edi
import edi.documents as doc
from portal.access import Principal, get_visible, visible
from portal.errors import NotFound
from portal.exchange import contents
from portal.exchange.mapping import is_credit_note
from portal.models import Direction, ExchangeLink, ExchangeRecord, Invoice, RecordState

__all__ = ["Original", "content_type", "original_file", "originals"]

MAX_SHOWN = 5  # files read back per page view (an invoice has one, and a credit note or two)


@dataclass(frozen=True, slots=True)
class Original:
    """One file of the invoice: what it is, and the invoice or credit note it holds (``None`` when
    it cannot be read back, e.g. a codec newer than the file)."""

    record_id: int
    filename: str
    format: str | None
    scenario: str | None  # the e-invoice's validation scenario, e.g. "XRechnung 3.0 (UBL Invoice)"
    received_at: datetime
    document: doc.Invoice | None

    @property
    def credit_note(self) -> bool:
        return self.document is not None and is_credit_note(self.document)


def _records(session: Session, principal: Principal, invoice: Invoice) -> list[ExchangeRecord]:
    linked = select(ExchangeLink.record_id).where(
        ExchangeLink.entity == "invoice", ExchangeLink.entity_id == invoice.id
    )
    stmt = (
        visible(principal, ExchangeRecord)
        .where(
            ExchangeRecord.id.in_(linked),
            ExchangeRecord.direction == Direction.INBOUND,
            ExchangeRecord.state == RecordState.APPLIED,
        )
        .order_by(ExchangeRecord.id)
        .limit(MAX_SHOWN)
    )
    return list(session.scalars(stmt))


def _document(data: bytes, invoice: Invoice) -> doc.Invoice | None:
    """The invoice itself (by its number), or the credit note against it, among the file's messages."""
    decoded = edi.decode_all(data)
    found = [m.document for m in decoded.messages if isinstance(m.document, doc.Invoice)]
    for document in found:
        if not is_credit_note(document) and document.number == invoice.number:
            return document
    for document in found:
        if is_credit_note(document) and document.invoice_reference in (None, invoice.number):
            return document
    return None


def _scenario(record: ExchangeRecord) -> str | None:
    for message in record.messages or []:
        if message.get("scenario"):
            return str(message["scenario"])
    return None


def originals(session: Session, principal: Principal, invoice: Invoice) -> list[Original]:
    """The inbound files of ``invoice`` (found through `portal.access` by the caller), oldest first,
    each parsed."""
    return [
        Original(
            record.id,
            record.filename,
            record.format,
            _scenario(record),
            record.created_at,
            _document(contents.read_all(session, record.id), invoice),
        )
        for record in _records(session, principal, invoice)
    ]


def content_type(data: bytes) -> str:
    """By the bytes, not the name: a PDF (ZUGFeRD / Factur-X), XML (XRechnung, UBL, CII) or EDI text."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<"):
        return "application/xml"
    return "text/plain; charset=utf-8" if data.isascii() else "application/octet-stream"


def original_file(
    session: Session, principal: Principal, invoice_id: int, record_id: int
) -> tuple[str, bytes]:
    """The file name and raw bytes of one of the invoice's files. An invoice the principal may not
    see, or a record that is not one of its files, is missing (NotFound)."""
    invoice = get_visible(session, principal, Invoice, invoice_id)
    for record in _records(session, principal, invoice):
        if record.id == record_id:
            return record.filename, contents.read_all(session, record.id)
    raise NotFound("file", record_id)
