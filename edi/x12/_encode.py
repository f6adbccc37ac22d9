"""documents -> one ISA..IEA interchange."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from edi.documents import (
    Acknowledgement,
    DespatchAdvice,
    Document,
    Envelope,
    Invoice,
    InvoiceResponse,
    OrderChange,
    OrderResponse,
    PurchaseOrder,
    ReceivingAdvice,
    RemittanceAdvice,
)
from edi.errors import EncodeError, Position
from edi.x12._lengths import check_segment
from edi.x12._map810 import encode_810
from edi.x12._map820 import encode_820
from edi.x12._map824 import encode_824, encode_invoice_response
from edi.x12._map850 import encode_850
from edi.x12._map855 import encode_855
from edi.x12._map856 import encode_856
from edi.x12._map860 import encode_860
from edi.x12._map861 import encode_861
from edi.x12._map997 import FUNCTIONAL_IDS, encode_997, ta1_segment
from edi.x12._serializer import control_number, isa_segment, serialize_segments
from edi.x12._syntax import Segment, Separators
from edi.x12._values import Writer

__all__ = ["ACK_TYPES", "encode"]

ACK_TYPES = ("997", "999", "TA1", "824")
_SETS: dict[type, tuple[str, Callable[[Any, Writer], None]]] = {
    PurchaseOrder: ("850", encode_850),
    OrderChange: ("860", encode_860),
    OrderResponse: ("855", encode_855),
    DespatchAdvice: ("856", encode_856),
    Invoice: ("810", encode_810),
    RemittanceAdvice: ("820", encode_820),
    ReceivingAdvice: ("861", encode_861),
    InvoiceResponse: ("824", encode_invoice_response),
}
_IMPLEMENTATION_999 = "005010X231"


def _set_id(document: Document, ack_type: str | None) -> str:
    if isinstance(document, Acknowledgement):
        if ack_type is None:
            # an acknowledgement of no functional group answers an interchange: TA1
            return "TA1" if document.group_reference is None else "997"
        return ack_type
    entry = _SETS.get(type(document))
    if entry is None:
        raise EncodeError(f"{type(document).__name__} cannot be written as X12")
    return entry[0]


def encode(
    documents: Document | Sequence[Document],
    envelope: Envelope,
    *,
    version: str = "004010",
    ack_type: str | None = None,
    separators: Separators | None = None,
) -> bytes:
    """Write ``documents`` as one X12 interchange: ISA, one GS..GE group per functional identifier
    (PO 850, PC 860, PR 855, SH 856, IN 810, RA 820, RC 861, AG 824, FA 997/999) in order of first
    appearance, one ST..SE per document, IEA.

    Control numbers come from ``envelope``: ISA13 is ``control_reference`` zero-padded to 9 digits;
    GS06 is ``group_reference`` (or the control reference) and counts up by one per further group;
    ST02 is ``message_reference`` and counts up by one per further document, zero-padded to at least
    4 digits. ISA12 is ``envelope.syntax`` or derived from ``version`` (GS08: "004010" -> "00401").

    An :class:`~edi.documents.Acknowledgement` is written as ``ack_type``: "997", "999" (GS08
    005010X231, IK3/IK4/IK5), "TA1" (a TA1 segment right after ISA, no group) or "824" (an
    application advice: a business document's content refused or accepted with errors); by default
    as a 997 when it names the acknowledged group (``group_reference``), else as a TA1. The
    repetition separator exists from ISA12 00402 on: before that ``^`` (or the separator given) is
    ordinary data. Raises
    :class:`~edi.errors.EncodeError` naming the field when a value contains a separator or a mandatory
    value is missing or cannot be expressed in X12.
    """
    if ack_type is not None and ack_type not in ACK_TYPES:
        raise EncodeError(f"ack_type {ack_type!r} must be one of {', '.join(ACK_TYPES)}")
    docs: Sequence[Document] = (
        [documents]
        if isinstance(
            documents,
            PurchaseOrder
            | OrderChange
            | OrderResponse
            | DespatchAdvice
            | Invoice
            | RemittanceAdvice
            | ReceivingAdvice
            | InvoiceResponse
            | Acknowledgement,
        )
        else documents
    )
    if not docs:
        raise EncodeError("no documents to encode")
    seps = separators or Separators()
    now = datetime.now(UTC)
    when = (envelope.prepared_at or now).astimezone(UTC)
    syntax = envelope.syntax or version[:5]
    if syntax < "00402" and seps.repetition:
        seps = replace(seps, repetition=None)  # ISA11 is "U" there, the character is data
    segments: list[Segment] = [isa_segment(envelope, seps, syntax, now)]
    groups: dict[str, list[Document]] = {}
    for document in docs:
        set_id = _set_id(document, ack_type)
        if set_id == "TA1":
            assert isinstance(document, Acknowledgement)
            segments.append(ta1_segment(document))
        else:
            groups.setdefault(FUNCTIONAL_IDS[set_id], []).append(document)
    group_number = control_number(envelope.group_reference or envelope.control_reference, "group_reference")
    reference = envelope.message_reference.strip()
    if len(docs) > 1 and not reference.isdigit():
        raise EncodeError(f"envelope.message_reference {reference!r} must be numeric to number several sets")
    width = max(4, len(reference))
    set_number = int(reference) if reference.isdigit() else 0
    for functional_id, members in groups.items():
        gs_version = _IMPLEMENTATION_999 if functional_id == "FA" and ack_type == "999" else version
        segments.append(
            (
                "GS",
                functional_id,
                envelope.sender.strip(),
                envelope.recipient.strip(),
                when.strftime("%Y%m%d"),
                when.strftime("%H%M"),
                str(group_number),
                "X",
                gs_version,
            )
        )
        for document in members:
            set_id = _set_id(document, ack_type)
            control = str(set_number).zfill(width) if reference.isdigit() else reference
            set_number += 1
            writer = Writer(seps)
            writer.add("ST", set_id, control, _IMPLEMENTATION_999 if set_id == "999" else "")
            if isinstance(document, Acknowledgement) and set_id == "824":
                encode_824(document, writer)
            elif isinstance(document, Acknowledgement):
                encode_997(document, writer, kind=set_id, version=version)
            else:
                _SETS[type(document)][1](document, writer)
            writer.add("SE", str(len(writer.segments) + 1), control)
            segments += writer.segments
        segments.append(("GE", str(len(members)), str(group_number)))
        group_number += 1
    segments.append(("IEA", str(len(groups)), segments[0][13]))
    for seg in segments[1:]:  # ISA is fixed-width and checked where it is built
        for element, what in check_segment(seg):
            raise EncodeError(
                f"{seg[0]}{element:02d}: {what}; the value cannot be written in X12",
                position=Position(segment_tag=seg[0], element=element),
            )
    return serialize_segments(segments, seps)
