"""encode: documents -> one EDIFACT interchange; acknowledge: DecodeResult -> Acknowledgement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from edi.documents import (
    AckError,
    Acknowledgement,
    AckStatus,
    DespatchAdvice,
    Document,
    Envelope,
    Invoice,
    InvoiceResponse,
    MessageAck,
    OrderChange,
    OrderResponse,
    Party,
    PurchaseOrder,
    ReceivingAdvice,
    RemittanceAdvice,
)
from edi.edifact._ack import encode_aperak, encode_contrl
from edi.edifact._comdis import encode_comdis
from edi.edifact._decode import DecodeResult
from edi.edifact._desadv import encode_desadv
from edi.edifact._invoic import encode_invoic
from edi.edifact._lengths import check_segment, fit_segment, is_code
from edi.edifact._ordchg import encode_ordchg
from edi.edifact._orders import encode_orders, encode_ordrsp
from edi.edifact._recadv import encode_recadv
from edi.edifact._remadv import encode_remadv
from edi.edifact._serializer import serialize_segments
from edi.edifact._syntax import CHARSETS, DEFAULT_CHARS, Segment
from edi.edifact._values import trim
from edi.errors import EncodeError, EnvelopeError, Position, UnsupportedError

__all__ = ["ASSOCIATIONS", "acknowledge", "encode"]

VERSIONS = ("D96A", "D01B")
# Default EANCOM subsets per directory (used when the envelope names no association)
ASSOCIATIONS = {
    "D96A": {
        "ORDERS": "EAN008",
        "ORDCHG": "EAN008",
        "ORDRSP": "EAN005",
        "DESADV": "EAN005",
        "INVOIC": "EAN008",
        "REMADV": "EAN002",
        "RECADV": "EAN003",
        "COMDIS": "EAN001",
    },
    "D01B": {
        "ORDERS": "EAN010",
        "ORDCHG": "EAN010",
        "ORDRSP": "EAN007",
        "DESADV": "EAN007",
        "INVOIC": "EAN011",
        "REMADV": "EAN003",
        "RECADV": "EAN004",
        "COMDIS": "EAN002",
    },
}

_Encoder = Callable[[Any, str], list[Segment]]


def _kind(doc: Document) -> tuple[str, _Encoder]:
    if isinstance(doc, PurchaseOrder):
        return "ORDERS", encode_orders
    if isinstance(doc, OrderChange):
        return "ORDCHG", encode_ordchg
    if isinstance(doc, OrderResponse):
        return "ORDRSP", encode_ordrsp
    if isinstance(doc, DespatchAdvice):
        return "DESADV", encode_desadv
    if isinstance(doc, Invoice):
        return "INVOIC", encode_invoic
    if isinstance(doc, RemittanceAdvice):
        return "REMADV", encode_remadv
    if isinstance(doc, ReceivingAdvice):
        return "RECADV", encode_recadv
    if isinstance(doc, InvoiceResponse):
        return "COMDIS", encode_comdis
    if isinstance(doc, Acknowledgement):
        return ("CONTRL", encode_contrl) if doc.kind == "syntax" else ("APERAK", encode_aperak)
    raise UnsupportedError(f"{type(doc).__name__} cannot be written as EDIFACT")


def _reference(base: str, i: int, total: int) -> str:
    if i == 0:
        return base
    if base.isdigit():
        return str(int(base) + i).zfill(len(base))
    return f"{base}{i + 1}" if total > 1 else base


def _party(ident: str, qual: str | None) -> str | tuple[str, ...]:
    if qual and not is_code(qual, 4):
        qual = "ZZZ"  # 0007 "mutually defined": what an identifier of another scheme is in EDIFACT
    return (ident, qual) if qual else ident


def encode(
    documents: Document | Sequence[Document],
    envelope: Envelope,
    *,
    version: str = "D96A",
    charset: str = "UNOC",
) -> bytes:
    """Write ``documents`` as one interchange (UNA, UNB, optional UNG..UNE, UNH..UNT each, UNZ).

    Business documents are written as EANCOM ``version`` (``"D96A"`` or ``"D01B"``) with the subset
    from ``envelope.association`` or :data:`ASSOCIATIONS`; an :class:`~edi.documents.Acknowledgement`
    becomes CONTRL (kind ``"syntax"``) or APERAK (kind ``"application"``). Message references count
    up from ``envelope.message_reference``; the control references come from the envelope. The syntax
    version is taken from ``envelope.syntax`` ("UNOC:3" -> 3, default 3); ``prepared_at`` defaults to
    now (UTC). Raises :class:`~edi.errors.EncodeError` for characters outside ``charset``."""
    docs: list[Document] = [documents] if not isinstance(documents, Sequence) else list(documents)
    if not docs:
        raise EncodeError("nothing to encode: no documents")
    if version not in VERSIONS:
        raise UnsupportedError(
            f"EDIFACT directory {version!r} is not supported for writing; use D96A or D01B"
        )
    for value, name, element in (
        (envelope.sender, "sender (S002 0004)", 2),
        (envelope.recipient, "recipient (S003 0010)", 3),
        (envelope.control_reference, "control reference (0020)", 5),
    ):
        if not value or not value.strip():
            raise EncodeError(
                f"the interchange {name} is missing (envelope is empty there): UNB needs it",
                position=Position(segment_tag="UNB", element=element),
            )
    cs = CHARSETS.get(charset)
    if cs is None:
        raise UnsupportedError(f"character set {charset!r} is not supported; use UNOA..UNOL, UNOW or UNOY")
    syntax_version = envelope.syntax.split(":")[1] if envelope.syntax and ":" in envelope.syntax else "3"
    if syntax_version not in ("1", "2", "3", "4"):
        raise EncodeError(f"syntax version {syntax_version!r} in envelope.syntax is not 1..4")
    chars = replace(DEFAULT_CHARS, repetition="*") if syntax_version == "4" else DEFAULT_CHARS
    when = (envelope.prepared_at or datetime.now(UTC)).astimezone(UTC)
    date_s = when.strftime("%Y%m%d" if syntax_version == "4" else "%y%m%d")
    s004 = (date_s, when.strftime("%H%M"))
    segments: list[Segment] = [
        trim(
            (
                "UNB",
                (charset, syntax_version),
                _party(envelope.sender, envelope.sender_qualifier),
                _party(envelope.recipient, envelope.recipient_qualifier),
                s004,
                envelope.control_reference,
                "",
                "",
                "",
                "1" if envelope.ack_requested else "",
                "",
                "1" if envelope.test else "",
            )
        )
    ]
    kinds = [_kind(doc) for doc in docs]
    if envelope.group_reference:
        types = {k for k, _ in kinds}
        if len(types) > 1:
            raise EncodeError(f"one UNG group cannot hold several message types ({', '.join(sorted(types))})")
        segments.append(
            (
                "UNG",
                kinds[0][0],
                _party(envelope.sender, envelope.sender_qualifier),
                _party(envelope.recipient, envelope.recipient_qualifier),
                s004,
                envelope.group_reference,
                "UN",
                ("D", version[1:]),
            )
        )
    for i, (doc, (mtype, encoder)) in enumerate(zip(docs, kinds, strict=True)):
        ref = _reference(envelope.message_reference, i, len(docs))
        if mtype == "CONTRL":
            s009: tuple[str, ...] = ("CONTRL", "D", "3", "UN")
        else:
            assoc = envelope.association or ""
            if not is_code(assoc, 6):
                # 0057 is an EANCOM subset code (an..6): a URN (UBL CustomizationID) or the like
                # names a specification EDIFACT cannot carry here, so the message's subset is used
                assoc = ASSOCIATIONS[version].get(mtype, "")
            s009 = trim(("", (mtype, "D", version[1:], "UN", assoc)))[1]  # type: ignore[assignment]
        body = [trim(seg) for seg in encoder(doc, version)]  # type: ignore[arg-type]
        segments.append(("UNH", ref, s009))
        segments.extend(body)
        segments.append(("UNT", str(len(body) + 2), ref))
    if envelope.group_reference:
        segments.append(("UNE", str(len(docs)), envelope.group_reference))
    segments.append(("UNZ", "1" if envelope.group_reference else str(len(docs)), envelope.control_reference))
    segments = _fitted(segments, version)
    text = serialize_segments(segments, chars, una=True)
    if cs.allowed is not None:
        allowed = set(cs.allowed) | set(chars.una())
        bad = next((c for c in text if c not in allowed), None)
        if bad is not None:
            raise EncodeError(f"character {bad!r} is not in the {charset} repertoire; use UNOC or UNOW")
    try:
        return text.encode(cs.codec)
    except UnicodeEncodeError as exc:
        raise EncodeError(
            f"character {exc.object[exc.start]!r} cannot be written in {charset} ({cs.codec}); "
            "use UNOW (UTF-8)"
        ) from None


def _fitted(segments: list[Segment], version: str) -> list[Segment]:
    """Long free text spread over its repeats; any value still too long (or not numeric where a
    number belongs) refused, naming segment, element and component."""
    out = [fit_segment(seg, version) for seg in segments]
    for seg in out:
        for element, component, what in check_segment(seg, version):
            raise EncodeError(
                f"{seg[0]} element {element}, component {component}: {what}; the value cannot be "
                f"written in EDIFACT {version}",
                position=Position(segment_tag=str(seg[0]), element=element, component=component),
            )
    return out


def _ack_errors(message_error: Any, start: int) -> AckError:
    pos = message_error.position
    code = message_error.code or "18"
    if pos is not None and pos.segment_index is not None and pos.segment_tag not in ("UNH", "UNT", None):
        return AckError(
            code, message_error.message, None, pos.segment_index - start + 1, pos.element, pos.component
        )
    tag = pos.segment_tag if pos is not None else None
    return AckError(
        code, message_error.message, tag, None, pos.element if pos else None, pos.component if pos else None
    )


def acknowledge(result: DecodeResult, control_reference: str | None = None) -> Acknowledgement:
    """Build the CONTRL-style acknowledgement of one interchange of ``result`` (the first, or the one
    with ``control_reference``): interchange status, one :class:`~edi.documents.MessageAck` per
    message with its UN/EDIFACT 0085 error code, the message-relative segment number (UCS) and the
    element. ``sender``/``recipient`` are the acknowledged interchange's (as in UCI)."""
    envs = result.interchanges
    if not envs:
        err = result.error or EnvelopeError("no interchange found", code="13")
        return Acknowledgement("", AckStatus.REJECTED, errors=(AckError(err.code or "18", err.message),))
    env = (
        envs[0]
        if control_reference is None
        else next((e for e in envs if e.control_reference == control_reference), None)
    )
    if env is None:
        raise UnsupportedError(f"no interchange with control reference {control_reference!r} was decoded")
    acks: list[MessageAck] = []
    for message, start in zip(result.messages, result.message_starts, strict=True):
        if message.envelope.control_reference != env.control_reference:
            continue
        if message.error is None:
            acks.append(
                MessageAck(message.envelope.message_reference, message.message_type, AckStatus.ACCEPTED)
            )
        else:
            acks.append(
                MessageAck(
                    message.envelope.message_reference,
                    message.message_type,
                    AckStatus.REJECTED,
                    (_ack_errors(message.error, start),),
                )
            )
    errors: tuple[AckError, ...] = ()
    if result.error is not None and env is envs[-1]:
        pos = result.error.position
        errors = (
            AckError(
                result.error.code or "18",
                result.error.message,
                pos.segment_tag if pos else None,
                None,
                pos.element if pos else None,
                pos.component if pos else None,
            ),
        )
    if errors or (acks and all(a.status is AckStatus.REJECTED for a in acks)):
        status = AckStatus.REJECTED
    elif any(a.status is AckStatus.REJECTED for a in acks):
        status = AckStatus.PARTIALLY_ACCEPTED
    else:
        status = AckStatus.ACCEPTED

    def party(ident: str, qual: str | None) -> Party:
        return Party(gln=ident) if qual == "14" else Party(party_id=ident)

    return Acknowledgement(
        interchange_reference=env.control_reference,
        status=status,
        kind="syntax",
        group_reference=next(
            (
                m.envelope.group_reference
                for m in result.messages
                if m.envelope.control_reference == env.control_reference
            ),
            None,
        ),
        sender=party(env.sender, env.sender_qualifier),
        recipient=party(env.recipient, env.recipient_qualifier),
        messages=tuple(acks),
        errors=errors,
    )
