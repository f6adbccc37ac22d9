"""ANSI ASC X12: bytes <-> business documents.

Stages, each usable on its own::

    ISA separators (_syntax.read_isa)
      -> tokenizer (_tokenizer: streaming chunks, str.split, segments as plain tuples)
      -> envelopes (_envelope: ISA/GS/ST..SE/GE/IEA counts and control numbers, TA1)
      -> mapping (_map850, _map860, _map855, _map856, _map810, _map997: one tag-dispatch loop per set)

Transaction sets: 850 <-> PurchaseOrder, 860 <-> OrderChange, 855 <-> OrderResponse, 856 <-> DespatchAdvice,
810 <-> Invoice, 997/999/TA1 <-> Acknowledgement. Versions 002040 to 005010 decode (the mapped
segments did not change); ``encode`` writes 004010 unless told otherwise.

Syntax supported: any element/component/repetition separator and segment terminator the ISA
declares (a line feed, ``~`` followed by CR/LF, a multi-byte UTF-8 character such as U+2026);
whitespace between segments is ignored; ASCII/UTF-8 or EBCDIC (code page 037, detected from the
ISA) input, any other codec via ``encoding=``.

Each set is checked against its definition before it is mapped (``_sets``): a segment that is not
part of the set, or has more data elements than any release from 002040 to 006040 defines, is an
EdiSyntaxError of that set. Read with a warning (``DecodeResult.warnings``) and refused with
``strict=True``: an IEA without terminator at the end of the file, a Ctrl-Z end-of-file mark.

Error codes (``EdiError.code``): interchange faults carry the TA1 note code (I18, "001".."031"),
group faults X12 716, transaction set envelope faults X12 718, mapping and structure faults X12 720
(whole segment) or X12 723 (one element, ``position.element`` set); a set type we do not map is an
UnsupportedError with 718 code "1".

Acknowledgements: ``acknowledge(decode_all(data))`` builds the 997 content of the first group
(``acknowledge_all`` gives one per group); write it with ``encode(ack, envelope)`` (997),
``encode(ack, envelope, ack_type="999", version="005010")`` (999) or, for the interchange,
``encode(acknowledge(result, kind="TA1"), envelope, ack_type="TA1")``.
"""

from __future__ import annotations

from edi.x12._ack import acknowledge, acknowledge_all
from edi.x12._decode import DecodeResult, SetInfo, decode, decode_all, detect, parse_segments
from edi.x12._encode import ACK_TYPES, encode
from edi.x12._serializer import serialize_segments
from edi.x12._syntax import Segment, Separators, read_isa

__all__ = [
    "ACK_TYPES",
    "DecodeResult",
    "Segment",
    "Separators",
    "SetInfo",
    "acknowledge",
    "acknowledge_all",
    "decode",
    "decode_all",
    "detect",
    "encode",
    "parse_segments",
    "read_isa",
    "serialize_segments",
]
