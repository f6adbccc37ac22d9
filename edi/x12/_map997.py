"""997 Functional Acknowledgment, 999 Implementation Acknowledgment and TA1 <-> :class:`Acknowledgement`.

Errors map to :class:`AckError` by shape: an AK3/IK3 segment error has ``segment_tag`` and
``segment_index`` (ST = 1) and an X12 720 code; an AK4/IK4 element error also has ``element``
(and ``component``) and an X12 723 code, ``text`` the copy of the bad value; an AK5/IK5 set error
has neither and an X12 718 code. Group errors (AK905..) are ``Acknowledgement.errors`` with 716
codes; a TA1 note code (I18) is the one error of a TA1 acknowledgement.

A 997 does not carry the acknowledged interchange's ISA13: ``interchange_reference`` is "" when
decoded from a 997/999. CTX context segments of the 999 are not kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from edi.documents import AckError, Acknowledgement, AckStatus, MessageAck
from edi.errors import EncodeError
from edi.x12._ids import FUNCTIONAL_IDS
from edi.x12._syntax import Segment
from edi.x12._values import Writer, el, fail, fmt_date, parse_date

__all__ = ["FUNCTIONAL_IDS", "decode_997", "decode_ta1", "encode_997", "ta1_segment"]

_STATUS_IN = {"A": AckStatus.ACCEPTED, "E": AckStatus.ACCEPTED, "P": AckStatus.PARTIALLY_ACCEPTED}


def _status(code: str, index: int, seg: Segment, element: int) -> AckStatus:
    if code in _STATUS_IN:
        return _STATUS_IN[code]
    if code in ("R", "M", "W", "X"):
        return AckStatus.REJECTED
    raise fail(
        f"{seg[0]}{element:02d} acknowledgment code {code!r} is not A, E, P, R, M, W or X",
        index,
        seg,
        "7",
        element,
    )


def _number(value: str, index: int, seg: Segment, element: int) -> int:
    if not value.isdigit():
        raise fail(f"{seg[0]}{element:02d} {value!r} is not a number", index, seg, "6", element)
    return int(value)


def decode_997(segs: list[Segment], component: str) -> tuple[Acknowledgement, list[str]]:
    """Map a 997 or 999 (the IK3/IK4/IK5 segments of the 999 read like AK3/AK4/AK5)."""
    group_ref = None
    status: AckStatus | None = None
    group_errors: list[AckError] = []
    messages: list[MessageAck] = []
    current: tuple[str, str | None] | None = None
    errors: list[AckError] = []
    seg_tag: str | None = None
    seg_pos: int | None = None
    for i, seg in enumerate(segs, 1):
        tag = seg[0]
        if tag == "AK1":
            code = el(seg, 1)
            if not (len(code) == 2 and code.isalpha() and code.isupper()):
                raise fail(f"AK101 functional identifier {code!r} is not a 479 code", i, seg, "7", 1)
            group_ref = el(seg, 2)
            if not group_ref.isdigit():
                raise fail(f"AK102 group control number {group_ref!r} is not numeric", i, seg, "6", 2)
        elif tag == "AK2":
            if current is not None:
                raise fail(f"AK2 for set {current[0]} has no AK5/IK5 response trailer", i, "AK5", "3")
            current = (el(seg, 2), el(seg, 1) or None)
            errors = []
        elif tag in ("AK3", "IK3"):
            seg_tag, seg_pos = el(seg, 1) or None, _number(el(seg, 2), i, seg, 2)
            if el(seg, 4):
                errors.append(AckError(code=el(seg, 4), segment_tag=seg_tag, segment_index=seg_pos))
        elif tag in ("AK4", "IK4"):
            where = el(seg, 1).split(component)
            element = _number(where[0], i, seg, 1)
            comp = _number(where[1], i, seg, 1) if len(where) > 1 and where[1] else None
            if el(seg, 2):
                _number(el(seg, 2), i, seg, 2)
            if not el(seg, 3):
                raise fail(f"{tag}03 data element syntax error code is missing", i, seg, "1", 3)
            errors.append(
                AckError(
                    code=el(seg, 3),
                    text=el(seg, 4) or None,
                    segment_tag=seg_tag,
                    segment_index=seg_pos,
                    element=element,
                    component=comp,
                )
            )
        elif tag in ("AK5", "IK5"):
            if current is None:
                raise fail(f"{tag} without a preceding AK2", i, seg, "7")
            errors += [AckError(code=c) for c in seg[2:7] if c]
            messages.append(MessageAck(current[0], current[1], _status(el(seg, 1), i, seg, 1), tuple(errors)))
            current, errors, seg_tag, seg_pos = None, [], None, None
        elif tag == "AK9":
            status = _status(el(seg, 1), i, seg, 1)
            for n in (2, 3, 4):
                _number(el(seg, n), i, seg, n)
            group_errors = [AckError(code=c) for c in seg[5:10] if c]
    if current is not None:
        raise fail(f"AK2 for set {current[0]} has no AK5/IK5 response trailer", len(segs), "AK5", "3")
    if group_ref is None:
        raise fail("mandatory segment AK1 (functional group response header) is missing", 2, "AK1", "3")
    if status is None:
        raise fail(
            "mandatory segment AK9 (functional group response trailer) is missing", len(segs), "AK9", "3"
        )
    return Acknowledgement(
        interchange_reference="",
        status=status,
        group_reference=group_ref,
        messages=tuple(messages),
        errors=tuple(group_errors),
    ), []


def decode_ta1(seg: Segment, index: int) -> Acknowledgement:
    """Map one TA1 interchange acknowledgment segment."""
    code = el(seg, 4)
    if code not in ("A", "E", "R"):
        raise fail(f"TA104 acknowledgment code {code!r} is not A, E or R", index, seg, "7", 4)
    note = el(seg, 5)
    ref = el(seg, 1)
    return Acknowledgement(
        interchange_reference=ref.zfill(9) if ref.isdigit() else ref,
        status=AckStatus.REJECTED if code == "R" else AckStatus.ACCEPTED,
        errors=(AckError(code=note, segment_tag="ISA"),) if note and note != "000" else (),
        issue_date=parse_date(el(seg, 2), index, seg, 2) if el(seg, 2) else None,
    )


def ta1_segment(ack: Acknowledgement) -> Segment:
    """The TA1 segment answering ``ack.interchange_reference``."""
    ref = ack.interchange_reference
    if not ref.isdigit() or len(ref) > 9:
        raise EncodeError(f"interchange_reference {ref!r} must be up to 9 digits (ISA13)")
    when = ack.issue_date
    note = ack.errors[0].code if ack.errors else "000"
    code = "R" if ack.status is AckStatus.REJECTED else ("E" if ack.errors else "A")
    return ("TA1", ref.zfill(9), fmt_date(when)[2:] if when else "", "0000" if when else "", code, note)


def functional_id(ack: Acknowledgement) -> str:
    for message in ack.messages:
        if message.message_type in FUNCTIONAL_IDS:
            return FUNCTIONAL_IDS[message.message_type]
    raise EncodeError(
        "cannot tell the functional identifier (AK101) of the acknowledged group: no "
        "acknowledged message has a known transaction set id"
    )


def _set_code(status: AckStatus, errors: Sequence[AckError]) -> str:
    if status is AckStatus.REJECTED:
        return "R"
    if status is AckStatus.PARTIALLY_ACCEPTED:
        return "P"
    return "E" if errors else "A"


def encode_997(ack: Acknowledgement, w: Writer, *, kind: str, version: str) -> None:
    """Write the body of a 997 (AK1..AK9) or a 999 (AK1, AK2/IK3/IK4/IK5, AK9)."""
    group_ref = ack.group_reference or ""
    if not group_ref.isdigit():
        raise EncodeError(f"group_reference {group_ref!r} must be the numeric GS06 being acknowledged")
    s3, s4, s5 = ("IK3", "IK4", "IK5") if kind == "999" else ("AK3", "AK4", "AK5")
    w.add("AK1", functional_id(ack), group_ref, version if kind == "999" else "")
    accepted = 0
    for m, message in enumerate(ack.messages):
        field = f"messages[{m}]"
        w.add(
            "AK2",
            w.text(message.message_type or "", f"{field}.message_type"),
            w.text(message.message_reference, f"{field}.message_reference"),
        )
        set_codes: list[str] = []
        last: tuple[str | None, int | None] | None = None
        for error in message.errors:
            if error.segment_tag is None:
                set_codes.append(error.code)
                continue
            key = (error.segment_tag, error.segment_index)
            if error.element is None:
                w.add(s3, error.segment_tag, str(error.segment_index or ""), "", error.code)
                last = key
                continue
            if key != last:
                w.add(s3, error.segment_tag, str(error.segment_index or ""), "", "8")
                last = key
            where = str(error.element) + (f"{w.component}{error.component}" if error.component else "")
            w.add(s4, where, "", error.code, w.text(error.text, f"{field}.errors.text"))
        code = "R" if message.status is AckStatus.REJECTED else ("E" if message.errors else "A")
        if code == "R" and not set_codes:
            set_codes.append("5")
        if code != "R":
            accepted += 1
        w.add(s5, code, *set_codes[:5])
    group_codes = [e.code for e in ack.errors][:5]
    n = str(len(ack.messages))
    w.add("AK9", _set_code(ack.status, ack.errors), n, n, str(accepted), *group_codes)
