"""EDI codecs: bytes <-> canonical business documents, with no database, network or portal.

The public surface::

    edi.detect(data) -> Detected(format, message_type)
    edi.decode_all(data, strict=False) -> Decoded(format, messages, error, warnings)  # never raises
    edi.iter_messages(data, strict=False) -> MessageStream         # the same, one message at a time:
        for message in stream: ...; stream.summary() -> Decoded    # flat memory for big EDIFACT/X12
    edi.encode(document, format=..., envelope=..., version=None) -> bytes
    edi.acknowledgement(decoded) -> Acknowledgement | None          # CONTRL / 997 / ApplicationResponse
    edi.encode_acknowledgement(decoded, ack, envelope) -> bytes | None
    edi.check_elements(data) -> list[EdiError]                      # EDIFACT/X12 element lengths

Formats: ``edifact`` (ORDERS, ORDCHG, ORDRSP, DESADV, INVOIC, REMADV, RECADV, COMDIS, CONTRL, APERAK),
``x12`` (850, 860, 855, 856, 810, 820, 861, 824, 997, 999, TA1), ``ubl`` and ``cii`` (UBL 2.1 / Peppol
BIS 3 with the Invoice Response, XRechnung, EN 16931), ``zugferd``
(Factur-X / ZUGFeRD PDFs, read), ``opentrans`` (openTRANS 2.1). Each format package (``edi.edifact``,
``edi.x12``, ``edi.xml``) has its own, richer API. The documents are in :mod:`edi.documents`, the
errors in :mod:`edi.errors`.
"""

from edi import documents, errors
from edi._dispatch import (
    FORMATS,
    Decoded,
    Detected,
    MessageStream,
    Readable,
    Summary,
    acknowledgement,
    check_elements,
    decode_all,
    detect,
    encode,
    encode_acknowledgement,
    iter_messages,
)

__all__ = [
    "FORMATS",
    "Decoded",
    "Detected",
    "MessageStream",
    "Readable",
    "Summary",
    "acknowledgement",
    "check_elements",
    "decode_all",
    "detect",
    "documents",
    "encode",
    "encode_acknowledgement",
    "errors",
    "iter_messages",
]
