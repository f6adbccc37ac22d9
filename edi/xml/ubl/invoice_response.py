"""Peppol BIS Invoice Response 3 (a UBL 2.1 ApplicationResponse) <-> InvoiceResponse.

Recognised by its CustomizationID (``urn:fdc:peppol.eu:poacc:trns:invoice_response:3``); any other
ApplicationResponse is a message level response (:mod:`edi.xml.ubl.application_response`).

SenderParty is the buyer, ReceiverParty the seller (EndpointID with the GLN scheme 0088,
PartyLegalEntity/RegistrationName). One DocumentResponse: Response/ResponseCode the decision (UNCL
4343 subset AB, IP, UQ, CA, RE, AP, PD), one Status with StatusReasonCode listID ``OPStatusReason``
(the clarification: REF, PRI, QTY, ..., OTH) and the reason as StatusReason, one Status with
StatusReasonCode listID ``OPStatusAction`` (what the seller should do: NOA, PIN, NIN, CNF, CNP,
CNA, OTH); DocumentReference the invoice (ID, IssueDate, DocumentTypeCode); IssuerParty the seller
that issued it.
"""

from __future__ import annotations

from lxml import etree

from edi.documents import InvoiceResponse, InvoiceResponseStatus, Party
from edi.errors import MappingError
from edi.xml._tree import position_of, serialize
from edi.xml.ubl._party import GLN_SCHEME, R, b, new_root, read_party, write_party

__all__ = ["PEPPOL_INVOICE_RESPONSE", "decode_invoice_response", "encode_invoice_response"]

PEPPOL_INVOICE_RESPONSE = (
    "urn:fdc:peppol.eu:poacc:trns:invoice_response:3",
    "urn:fdc:peppol.eu:poacc:bis:invoice_response:3",
)
_REASON, _ACTION = "OPStatusReason", "OPStatusAction"


def decode_invoice_response(root: etree._Element) -> InvoiceResponse:
    """Map a Peppol Invoice Response (its first DocumentResponse)."""
    response = R.first(root, "cac:DocumentResponse")
    if response is None:
        raise MappingError("invoice response without cac:DocumentResponse", position=position_of(root))
    code = R.required(response, "cac:Response/cbc:ResponseCode", "response code")
    try:
        status = InvoiceResponseStatus(code)
    except ValueError:
        raise MappingError(
            f"response code {code!r} is not one of {', '.join(s.value for s in InvoiceResponseStatus)}",
            position=position_of(response),
        ) from None
    invoice = R.first(response, "cac:DocumentReference")
    number = R.text(invoice, "cbc:ID") if invoice is not None else None
    if invoice is None or not number:
        raise MappingError(
            "the invoice answered is not named: expected cac:DocumentReference/cbc:ID",
            position=position_of(response),
        )
    reason = reason_code = action_code = None
    for status_el in R.all(response, "cac:Response/cac:Status"):
        code_el = R.first(status_el, "cbc:StatusReasonCode")
        value = R.text(status_el, "cbc:StatusReasonCode")
        if value and code_el is not None and code_el.get("listID") == _ACTION:
            action_code = action_code or value
        elif value:
            reason_code = reason_code or value
        reason = reason or R.text(status_el, "cbc:StatusReason")
    issued = R.date(root, "cbc:IssueDate")
    if issued is None:
        raise MappingError("the invoice response has no cbc:IssueDate", position=position_of(root))
    return InvoiceResponse(
        number=R.required(root, "cbc:ID", "response ID"),
        issue_date=issued,
        status=status,
        invoice_number=number,
        buyer=read_party(R.first(root, "cac:SenderParty")) or Party(),
        seller=read_party(R.first(root, "cac:ReceiverParty")) or Party(),
        invoice_date=R.date(invoice, "cbc:IssueDate"),
        invoice_type=R.text(invoice, "cbc:DocumentTypeCode") or "380",
        reason=reason,
        reason_code=reason_code,
        action_code=action_code,
    )


def encode_invoice_response(doc: InvoiceResponse) -> bytes:
    """Write ``doc`` as a Peppol Invoice Response."""
    bld = b("ApplicationResponse")
    root = new_root(bld, "ApplicationResponse")
    bld.sub(root, "cbc:CustomizationID", PEPPOL_INVOICE_RESPONSE[0])
    bld.sub(root, "cbc:ProfileID", PEPPOL_INVOICE_RESPONSE[1])
    bld.sub(root, "cbc:ID", doc.number)
    bld.sub(root, "cbc:IssueDate", doc.issue_date)
    for name, party in (("cac:SenderParty", doc.buyer), ("cac:ReceiverParty", doc.seller)):
        write_party(bld, root, party, tax=False).tag = bld.qname(name)
    response = bld.el(root, "cac:DocumentResponse")
    head = bld.el(response, "cac:Response")
    bld.sub(head, "cbc:ResponseCode", doc.status.value)
    if doc.reason or doc.reason_code:
        clarification = bld.el(head, "cac:Status")
        bld.sub(clarification, "cbc:StatusReasonCode", doc.reason_code, listID=_REASON)
        bld.sub(clarification, "cbc:StatusReason", doc.reason)
    if doc.action_code:
        bld.sub(bld.el(head, "cac:Status"), "cbc:StatusReasonCode", doc.action_code, listID=_ACTION)
    reference = bld.el(response, "cac:DocumentReference")
    bld.sub(reference, "cbc:ID", doc.invoice_number)
    bld.sub(reference, "cbc:IssueDate", doc.invoice_date)
    bld.sub(reference, "cbc:DocumentTypeCode", doc.invoice_type)
    ident = doc.seller.gln or doc.seller.party_id
    if ident or doc.seller.name:
        issuer = bld.el(response, "cac:IssuerParty")
        if ident:
            scheme = GLN_SCHEME if doc.seller.gln else None
            bld.sub(bld.el(issuer, "cac:PartyIdentification"), "cbc:ID", ident, schemeID=scheme)
        if doc.seller.name:
            bld.sub(bld.el(issuer, "cac:PartyName"), "cbc:Name", doc.seller.name)
    return serialize(root)
