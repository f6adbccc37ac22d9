"""An e-invoice uploaded in the portal (#17.6): the same path as a file from the partner's inbox.

A supplier without EDI uploads its XRechnung (UBL or CII) or ZUGFeRD / Factur-X PDF. The file
becomes an inbound record of the supplier in the exchange ledger, is decoded, validated by its
scenario (:mod:`portal.exchange.einvoices`: the official rule sets) and applied by
:func:`portal.exchange.inbound.process_record`, in the caller's transaction. An e-invoice that
breaks a rule, names another order or is no invoice at all is refused: the record stays, failed,
with every finding, and nothing else is written. Uploaded without an order (the invoice list, the
API's ``uploadInvoice``), the order is the one the invoice names (BT-13); one the supplier does not
have is refused like a missing one, the file kept as a failed record the supplier sees. A file
that is too big, empty, or neither XML nor PDF is refused before anything is stored
(``InvalidInput`` naming the field ``file``).

XML is parsed with lxml without entity resolution and network access (``edi.xml.safe``).
"""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

import edi.documents as doc
from portal.access import Principal, visible
from portal.access import permissions as may
from portal.db import UnitOfWork
from portal.errors import InvalidInput
from portal.exchange import contents, einvoices, failures
from portal.exchange.inbound import Screen, _storable, process_record, stored_before
from portal.exchange.mapping import is_credit_note
from portal.exchange.profiles import organization_principal
from portal.models import Direction, ExchangeRecord, Order, RecordState
from portal.orders.service import load_order

__all__ = ["MAX_UPLOAD_BYTES", "invoice_of", "upload_invoice"]

MAX_UPLOAD_BYTES = (
    10 * 1024 * 1024
)  # "10 MB" in the messages; an XRechnung is kilobytes; a ZUGFeRD PDF rarely a few MiB
_BOM = b"\xef\xbb\xbf"


def _kind(data: bytes) -> str:
    """ "pdf" or "xml" by the file's first bytes (not its name or the browser's content type)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.removeprefix(_BOM).lstrip(b" \t\r\n").startswith(b"<"):
        return "xml"
    raise InvalidInput(
        "file",
        "is neither an XML e-invoice (XRechnung UBL or CII) nor a PDF (ZUGFeRD / Factur-X)",
    )


def _screen(session: Session, acting: Principal, order: Order | None) -> Screen:
    """Refuses what is no e-invoice, and an invoice for another order than the one it was uploaded
    on; uploaded without an order (the invoice list, the API), an invoice naming no order, or an
    order the supplier does not have, in words that never tell whether such an order exists."""

    def screen(fmt: str, message: doc.Message) -> str | None:
        if not einvoices.is_einvoice(fmt, message):
            return (
                f"the file is a {message.message_type or fmt} message, not an e-invoice "
                "(XRechnung UBL or CII, ZUGFeRD / Factur-X): not applied"
            )
        document = message.document
        if not isinstance(document, doc.Invoice) or is_credit_note(document):
            return None  # a credit note names its invoice, not always the order
        named = (document.order_number or "").strip()
        if order is not None and named != order.number:
            return f"the invoice names {named or 'no order'}, not order {order.number}: not applied"
        if order is None and not named:
            return "the invoice names no order (the purchase order reference, BT-13): not applied"
        if order is None and not _has_order(session, acting, named):
            return f"the invoice names order {named}, which is not one of your orders: not applied"
        return None

    return screen


def _has_order(session: Session, principal: Principal, number: str) -> bool:
    found = session.scalar(
        visible(principal, Order).with_only_columns(Order.id).where(Order.number == number)
    )
    return found is not None


def invoice_of(record: ExchangeRecord) -> int | None:
    """The invoice an applied upload became (its first invoice link), None when it was refused."""
    if record.state is not RecordState.APPLIED:
        return None
    for message in record.messages:
        for link in message.get("links", []):
            if link["entity"] == "invoice":
                return int(link["id"])
    return None


def upload_invoice(
    *,
    uow: UnitOfWork,
    principal: Principal,
    filename: str,
    data: bytes,
    order_id: int | None = None,
) -> ExchangeRecord:
    """Store ``data`` as an inbound record of the supplier and process it at once. Returns the record:
    ``applied`` with a link to the invoice, or ``failed`` with its reason and findings."""
    order = None
    if order_id is not None:
        order = load_order(uow, principal, order_id)  # another partner's order: not found
        may.require(principal, may.can_upload_invoice(principal, order), "upload an invoice for this order")
        assert order.supplier_id is not None
        organization_id = order.supplier_id
    else:
        may.require(principal, may.can_upload_invoice(principal), "upload invoices", only="suppliers")
        organization_id = principal.org_id
    if not data:
        raise InvalidInput("file", "is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput("file", "is larger than the limit of 10 MB")
    _kind(data)
    sha = hashlib.sha256(data).hexdigest()
    session = uow.session
    earlier = stored_before(session, organization_id, sha)
    if earlier is not None:
        raise InvalidInput(
            "file", f"was received before (EDI message {earlier}); process that one again instead"
        )
    name = (filename or "invoice").replace("/", "_").replace("\\", "_").strip()[:255] or "invoice"
    rec = ExchangeRecord(
        organization_id=organization_id,
        direction=Direction.INBOUND,
        state=RecordState.RECEIVED,
        filename=name,
        size=len(data),
        sha256=sha,
        sha_key=sha,
        messages=[],
    )
    session.add(rec)
    uow.flush()
    contents.save(session, rec.id, data)
    # An owner admin uploads as the supplier: the invoice is the supplier's, as if it sent the file.
    acting = (
        principal if principal.org_id == organization_id else organization_principal(session, organization_id)
    )
    try:
        with session.begin_nested():
            process_record(uow, rec, principal=acting, screen=_screen(session, acting, order))
    except Exception as exc:  # as the worker does: fail the file with a reason, keep it
        session.refresh(rec)
        rec.state = RecordState.FAILED
        rec.error = failures.reason(exc)
        rec.messages = []
    if rec.state is RecordState.FAILED:
        rec.ref_key = None  # the corrected file may carry the same invoice number
    _storable(rec)
    uow.flush()
    return rec
