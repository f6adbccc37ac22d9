"""UN/EDIFACT codec: bytes <-> canonical business documents.

A pipeline of typed stages::

    service characters (UNA, UNB S001)  ->  tokenizer (bytes -> Segment tuples, streaming)
    ->  envelope (UNB/UNG/UNH..UNT/UNE/UNZ, control counts)  ->  mapping (ORDERS, ORDCHG, ORDRSP,
    DESADV, INVOIC, REMADV, RECADV, COMDIS, APERAK, CONTRL <-> edi.documents)

and back: documents -> segments -> :func:`serialize_segments` -> bytes.

- :func:`decode` streams :class:`~edi.documents.Message` objects; :func:`decode_all` collects them
  with the interchange error into a :class:`DecodeResult`.
- :func:`encode` writes one interchange (EANCOM D96A by default, D01B on request).
- :func:`acknowledge` turns a :class:`DecodeResult` into a CONTRL-style
  :class:`~edi.documents.Acknowledgement`; :func:`encode` writes it as CONTRL or APERAK.
- :func:`parse_segments` / :func:`serialize_segments` are the syntax layer alone.
- :func:`detect` says whether bytes look like EDIFACT.

Fields EDIFACT (as written here) cannot carry stay ``None`` after a round trip: ``Address.additional``,
``Party.party_id`` when a GLN is present, ``Invoice.buyer_reference``, ``TaxSubtotal.exemption_reason``,
``Acknowledgement.issue_date``/``document_reference`` and error texts in CONTRL, segment/element of
APERAK errors, ``OrderResponseLine.unit`` when the line has no quantity, packages without lines
and SSCC; line breaks in text become spaces; empty strings come back as ``None``.
"""

from __future__ import annotations

from edi.edifact._decode import DecodeResult, decode, decode_all, detect
from edi.edifact._encode import acknowledge, encode
from edi.edifact._serializer import serialize_segments
from edi.edifact._syntax import DEFAULT_CHARS, Element, Repetition, Segment, ServiceChars
from edi.edifact._tokenizer import parse_segments

__all__ = [
    "DEFAULT_CHARS",
    "DecodeResult",
    "Element",
    "Repetition",
    "Segment",
    "ServiceChars",
    "acknowledge",
    "decode",
    "decode_all",
    "detect",
    "encode",
    "parse_segments",
    "serialize_segments",
]
