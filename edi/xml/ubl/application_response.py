"""UBL 2.1 ApplicationResponse (Peppol Message Level Response / Invoice Response) <-> Acknowledgement.

Status: ``cac:DocumentResponse/cac:Response/cbc:ResponseCode`` AP and AB accepted, RE rejected,
CA/UQ/IP/PD partially accepted (written as CA). Each ``cac:LineResponse`` becomes an
:class:`~edi.documents.AckError`: ``code`` from Status/StatusReasonCode (else the ResponseCode),
``text`` from Response/Description, ``segment_tag`` from LineReference/LineID (an XPath or line ID).
Per-message entries (``messages``) and ``group_reference`` have no place in UBL and are not written.
"""

from __future__ import annotations

from lxml import etree

from edi.documents import AckError, Acknowledgement, AckStatus, Party
from edi.errors import EncodeError, MappingError
from edi.xml._tree import position_of, serialize
from edi.xml.ubl._party import R, b, new_root, read_party, write_party

__all__ = ["decode_application_response", "encode_application_response"]

PEPPOL_MLR = ("urn:fdc:peppol.eu:poacc:trns:mlr:3", "urn:fdc:peppol.eu:poacc:bis:mlr:3")
_STATUS = {
    "AP": AckStatus.ACCEPTED,
    "AB": AckStatus.ACCEPTED,
    "RE": AckStatus.REJECTED,
    "CA": AckStatus.PARTIALLY_ACCEPTED,
    "UQ": AckStatus.PARTIALLY_ACCEPTED,
    "IP": AckStatus.PARTIALLY_ACCEPTED,
    "PD": AckStatus.PARTIALLY_ACCEPTED,
}
_STATUS_OUT = {AckStatus.ACCEPTED: "AP", AckStatus.REJECTED: "RE", AckStatus.PARTIALLY_ACCEPTED: "CA"}


def _party(el: etree._Element | None) -> Party | None:
    party = read_party(el)
    return None if party == Party() else party


def decode_application_response(root: etree._Element) -> Acknowledgement:
    """Map a UBL ``ApplicationResponse`` root element (its first DocumentResponse)."""
    response = R.first(root, "cac:DocumentResponse")
    if response is None:
        raise MappingError("application response without cac:DocumentResponse", position=position_of(root))
    code = R.required(response, "cac:Response/cbc:ResponseCode", "response code")
    if code not in _STATUS:
        raise MappingError(
            f"response code {code!r} is not one of {sorted(_STATUS)}", position=position_of(response)
        )
    document = R.text(response, "cac:DocumentReference/cbc:ID")
    errors = tuple(
        AckError(
            code=R.text(line, "cac:Response/cac:Status/cbc:StatusReasonCode")
            or R.text(line, "cac:Response/cbc:ResponseCode")
            or "",
            text=R.text(line, "cac:Response/cbc:Description"),
            segment_tag=R.text(line, "cac:LineReference/cbc:LineID"),
        )
        for line in R.all(response, "cac:LineResponse")
    )
    reference = R.text(response, "cac:Response/cbc:ReferenceID") or document
    if reference is None:
        raise MappingError(
            "the acknowledged document is not named: expected cac:DocumentReference/cbc:ID",
            position=position_of(response),
        )
    return Acknowledgement(
        interchange_reference=reference,
        status=_STATUS[code],
        kind="application",
        document_reference=document,
        sender=_party(R.first(root, "cac:SenderParty")),
        recipient=_party(R.first(root, "cac:ReceiverParty")),
        errors=errors,
        issue_date=R.date(root, "cbc:IssueDate"),
    )


def encode_application_response(ack: Acknowledgement) -> bytes:
    """Write ``ack`` as a Peppol message level response (UBL ApplicationResponse). UBL needs an issue
    date: set ``ack.issue_date``."""
    bld = b("ApplicationResponse")
    root = new_root(bld, "ApplicationResponse")
    bld.sub(root, "cbc:CustomizationID", PEPPOL_MLR[0])
    bld.sub(root, "cbc:ProfileID", PEPPOL_MLR[1])
    bld.sub(root, "cbc:ID", f"{ack.interchange_reference}-response")
    if ack.issue_date is None:
        raise EncodeError("an ApplicationResponse needs an issue date (Acknowledgement.issue_date)")
    bld.sub(root, "cbc:IssueDate", ack.issue_date)
    for name, party in (("cac:SenderParty", ack.sender), ("cac:ReceiverParty", ack.recipient)):
        if party is None:
            bld.el(root, name)
        else:
            write_party(bld, root, party, legal=False, tax=False).tag = bld.qname(name)
    response = bld.el(root, "cac:DocumentResponse")
    head = bld.el(response, "cac:Response")
    bld.sub(head, "cbc:ReferenceID", ack.interchange_reference)
    bld.sub(head, "cbc:ResponseCode", _STATUS_OUT[ack.status])
    bld.sub(
        bld.el(response, "cac:DocumentReference"),
        "cbc:ID",
        ack.document_reference or ack.interchange_reference,
    )
    for error in ack.errors:
        line = bld.el(response, "cac:LineResponse")
        bld.sub(bld.el(line, "cac:LineReference"), "cbc:LineID", error.segment_tag or "NA")
        answer = bld.el(line, "cac:Response")
        bld.sub(answer, "cbc:ResponseCode", "RE")
        bld.sub(answer, "cbc:Description", error.text)
        bld.sub(bld.el(answer, "cac:Status"), "cbc:StatusReasonCode", error.code)
    return serialize(root)
