"""decode / decode_all / detect: bytes -> :class:`~edi.documents.Message` objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from edi._construct import new_message
from edi.documents import Document, Envelope, Message
from edi.edifact._ack import decode_aperak, decode_contrl
from edi.edifact._comdis import decode_comdis
from edi.edifact._desadv import decode_desadv
from edi.edifact._envelope import Interchange, RawMessage, comp, elem, read_messages
from edi.edifact._invoic import decode_invoic
from edi.edifact._ordchg import decode_ordchg
from edi.edifact._orders import decode_orders, decode_ordrsp
from edi.edifact._recadv import decode_recadv
from edi.edifact._remadv import decode_remadv
from edi.edifact._tokenizer import Tokenizer
from edi.edifact._values import Ctx
from edi.errors import EdiError, EdiSyntaxError, MappingError, UnsupportedError

__all__ = ["DECODERS", "DecodeResult", "decode", "decode_all", "detect"]

DECODERS: dict[str, Callable[[Ctx], Document]] = {
    "ORDERS": decode_orders,
    "ORDCHG": decode_ordchg,
    "ORDRSP": decode_ordrsp,
    "DESADV": decode_desadv,
    "INVOIC": decode_invoic,
    "REMADV": decode_remadv,
    "RECADV": decode_recadv,
    "COMDIS": decode_comdis,
    "APERAK": decode_aperak,
    "CONTRL": decode_contrl,
}


@dataclass(slots=True)
class DecodeResult:
    """Everything :func:`decode_all` found: the messages (good and bad), the interchange-level error
    that stopped decoding (``None`` if the whole input was well-formed), one envelope per UNB seen,
    for each message the interchange-relative segment number of its UNH (for CONTRL UCS), and the
    warnings that belong to no message (a missing final terminator, a Ctrl-Z at the end)."""

    messages: list[Message]
    error: EdiError | None = None
    interchanges: list[Envelope] = field(default_factory=list)
    message_starts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and all(m.ok for m in self.messages)


def _message(raw: RawMessage, tok: Tokenizer, strict: bool) -> Message:
    warnings = list(raw.warnings)
    message_type, envelope, count = raw.message_type, raw.envelope, len(raw.segments)
    if raw.error is not None:
        return new_message("edifact", message_type, envelope, None, raw.error, count, tuple(warnings))
    ctx = Ctx(raw.segments, raw.start_index, lambda k: tok.locate(raw.global_start + k), strict=strict)
    try:
        if comp(elem(raw.segments[0], 2), 1) == "0":
            if strict:
                raise ctx.error("UNH S009 0052 message version is '0'; UN directories use 'D'", 0, 2, "12")
            warnings.append("UNH S009 0052 message version '0' read as 'D'")
        decoder = DECODERS.get(raw.message_type)
        if decoder is None:
            raise UnsupportedError(
                f"message type {raw.message_type!r} is not mapped (supported: {', '.join(DECODERS)})",
                position=replace(tok.locate(raw.global_start, "UNH", 2), segment_index=raw.start_index),
                code="17",
            )
        ctx.check_structure()
        document = decoder(ctx)
        ctx.unused_dates()
    except (EdiSyntaxError, MappingError, UnsupportedError) as exc:
        return new_message(
            "edifact", message_type, envelope, None, exc, count, tuple(warnings + ctx.warnings)
        )
    return new_message(
        "edifact", message_type, envelope, document, None, count, tuple(warnings + ctx.warnings)
    )


def _run(
    source: bytes | BinaryIO,
    strict: bool,
    interchanges: list[Interchange],
    starts: list[int] | None,
    warnings: list[str] | None = None,
) -> Iterator[Message]:
    tok = Tokenizer(source, strict=strict, warnings=warnings)
    for raw in read_messages(tok, interchanges):
        if starts is not None:
            starts.append(raw.start_index)
        yield _message(raw, tok, strict)


def decode(source: bytes | BinaryIO, *, strict: bool = False) -> Iterator[Message]:
    """Decode an EDIFACT stream, yielding one :class:`~edi.documents.Message` per UNH..UNT.

    ``source`` is bytes or a binary file object, read in 64 KiB chunks; memory does not grow with
    the input. Message-level faults (bad UNT, missing mandatory segment, bad code value) are in
    ``Message.error``; interchange-level faults (UNB/UNZ/UNG/UNE, control counts, garbage after UNZ,
    undecodable bytes) raise :class:`~edi.errors.EnvelopeError`, :class:`~edi.errors.CharsetError`
    or :class:`~edi.errors.EdiSyntaxError`, possibly after earlier messages were yielded.
    ``strict=True`` adds character repertoire checks (UNOA/UNOB), refuses UTF-8 in a file that
    declares another charset, and refuses tolerated deviations (UNH version '0', short GLNs, a UNZ
    without terminator, a Ctrl-Z at the end of the file, a date the mapping does not use that
    cannot be read)."""
    return _run(source, strict, [], None)


def decode_all(source: bytes | BinaryIO, *, strict: bool = False) -> DecodeResult:
    """Decode everything into a :class:`DecodeResult`; an interchange-level error is stored, not
    raised, so the messages decoded before it stay available (for acknowledgements)."""
    interchanges: list[Interchange] = []
    starts: list[int] = []
    messages: list[Message] = []
    warnings: list[str] = []
    error: EdiError | None = None
    try:
        for message in _run(source, strict, interchanges, starts, warnings):
            messages.append(message)
    except EdiError as exc:
        error = exc
    return DecodeResult(messages, error, [i.envelope for i in interchanges], starts, warnings)


def detect(data: bytes) -> tuple[str, str | None] | None:
    """``("edifact", first message type or None)`` when ``data`` starts (after an optional UTF-8 BOM
    and whitespace) with UNA or UNB; otherwise ``None``. Looks at the first 4 KiB only."""
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip(b" \t\r\n")
    data_sep, comp_sep, term = b"+", b":", b"'"
    if head.startswith(b"UNA"):
        if len(head) < 9:
            return None
        comp_sep, data_sep, term = head[3:4], head[4:5], head[8:9]
        rest = head[9:].lstrip(b" \t\r\n")
    else:
        rest = head
    if not rest.startswith(b"UNB" + data_sep) or not rest[4:8].isalpha():
        return None
    i = rest.find(b"UNH" + data_sep)
    while i > 0 and rest[i - 1 : i] not in (term, b"\n", b"\r"):
        i = rest.find(b"UNH" + data_sep, i + 1)
    if i < 0:
        return ("edifact", None)
    fields = rest[i:].split(term, 1)[0].split(data_sep)
    mtype = fields[2].split(comp_sep)[0] if len(fields) > 2 else b""
    return ("edifact", mtype.decode("ascii", "replace") or None)
