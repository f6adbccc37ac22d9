"""824 Application Advice <- :class:`~edi.documents.Acknowledgement` (kind ``"application"``), written
only: the answer to a business document whose content was refused or accepted with errors.

BGN (01 original, the advice's own reference and date), then one OTI loop for the acknowledged
document: OTI01 ``TA`` accepted, ``TE`` accepted with errors, ``TR`` rejected; OTI02 ``IV`` with the
invoice number (``document_reference``); OTI06/OTI07 the group and set control numbers where
known. Each error is a TED: TED01 the application error condition (647) - ``848`` incorrect data for
a broken business rule - and TED02 its text (else its code), cut to the 60 characters X12 allows:
put the rule's id first, so the cut keeps what a partner looks up.
"""

from __future__ import annotations

from edi.documents import Acknowledgement, AckStatus
from edi.x12._values import Writer

__all__ = ["encode_824"]

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
