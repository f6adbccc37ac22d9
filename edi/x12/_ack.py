"""DecodeResult -> Acknowledgement (997/999 per functional group, TA1 per interchange)."""

from __future__ import annotations

from datetime import UTC, datetime

from edi.documents import AckError, Acknowledgement, AckStatus, Message, MessageAck
from edi.errors import EdiError, EdiSyntaxError, EnvelopeError, MappingError, UnsupportedError
from edi.x12._decode import DecodeResult, SetInfo

__all__ = ["acknowledge", "acknowledge_all"]


def _errors(message: Message, info: SetInfo) -> tuple[AckError, ...]:
    error = message.error
    if error is None:
        return ()
    pos = error.position
    code = error.code or "5"
    in_set = isinstance(error, MappingError) or (
        isinstance(error, EdiSyntaxError) and not isinstance(error, EnvelopeError)
    )
    if in_set and pos is not None and pos.segment_tag:
        # Mapping and structure codes are 720 (segment) or 723 (element); AK302 counts from ST = 1.
        index = pos.segment_index - info.first_index + 1 if pos.segment_index is not None else None
        # For an element error ``text`` is what AK404 carries: a copy of the bad value, which a
        # MappingError does not keep; the explanation stays on Message.error.
        return (
            AckError(
                code=code,
                text=error.message if pos.element is None else None,
                segment_tag=pos.segment_tag,
                segment_index=index,
                element=pos.element,
                component=pos.component,
            ),
        )
    if isinstance(error, UnsupportedError):
        code = "1"
    return (AckError(code=code, text=error.message),)


def _group_level(error: EdiError | None) -> bool:
    # 716 codes (one or two digits) belong to GS/GE; TA1 note codes have three.
    return isinstance(error, EnvelopeError) and error.code is not None and len(error.code) < 3


def acknowledge_all(result: DecodeResult, *, kind: str = "997") -> tuple[Acknowledgement, ...]:
    """One acknowledgement per functional group (``kind`` "997" or "999") or per interchange ("TA1").
    TA1 segments received are not acknowledged."""
    if kind == "TA1":
        refs = result.interchanges or tuple(
            dict.fromkeys(m.envelope.control_reference for m in result.messages)
        )
        acks = []
        for n, ref in enumerate(refs):
            failed = result.error is not None and not _group_level(result.error) and n == len(refs) - 1
            errors = (
                (AckError(code=result.error.code or "024", text=result.error.message, segment_tag="ISA"),)
                if failed and result.error is not None
                else ()
            )
            acks.append(
                Acknowledgement(
                    interchange_reference=ref,
                    status=AckStatus.REJECTED if failed else AckStatus.ACCEPTED,
                    errors=errors,
                    issue_date=datetime.now(UTC).date(),
                )
            )
        return tuple(acks)
    if kind not in ("997", "999"):
        raise UnsupportedError(f"acknowledgement kind {kind!r} must be 997, 999 or TA1")
    groups: dict[tuple[str, str | None], list[tuple[Message, SetInfo]]] = {}
    for message, info in zip(result.messages, result.sets, strict=False):
        if message.message_type == "TA1":
            continue
        key = (message.envelope.control_reference, message.envelope.group_reference)
        groups.setdefault(key, []).append((message, info))
    acks = []
    last_key = next(reversed(groups)) if groups else None
    for key, members in groups.items():
        messages = tuple(
            MessageAck(
                message_reference=m.envelope.message_reference,
                message_type=m.message_type,
                status=AckStatus.ACCEPTED if m.ok else AckStatus.REJECTED,
                errors=_errors(m, info),
            )
            for m, info in members
        )
        accepted = sum(1 for m in messages if m.status is AckStatus.ACCEPTED)
        group_errors: tuple[AckError, ...] = ()
        if key == last_key and _group_level(result.error) and result.error is not None:
            group_errors = (AckError(code=result.error.code or "", text=result.error.message),)
        if group_errors or accepted == 0:
            status = AckStatus.REJECTED
        elif accepted < len(messages):
            status = AckStatus.PARTIALLY_ACCEPTED
        else:
            status = AckStatus.ACCEPTED
        acks.append(
            Acknowledgement(
                interchange_reference=key[0],
                status=status,
                group_reference=key[1],
                messages=messages,
                errors=group_errors,
                issue_date=datetime.now(UTC).date(),
            )
        )
    return tuple(acks)


def acknowledge(result: DecodeResult, *, kind: str = "997") -> Acknowledgement:
    """The acknowledgement of the first functional group (997/999) or interchange (TA1) in ``result``;
    see :func:`acknowledge_all` for files with several. Raises :class:`UnsupportedError` when there is
    nothing to acknowledge at that level (for instance a 997 for a file whose ISA was unreadable: send
    a TA1 instead)."""
    acks = acknowledge_all(result, kind=kind)
    if not acks:
        raise UnsupportedError(
            f"nothing to acknowledge with a {kind}: no functional group was read"
            + (f" ({result.error})" if result.error else "")
        )
    return acks[0]
