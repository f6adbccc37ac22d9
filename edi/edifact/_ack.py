"""CONTRL and APERAK <-> Acknowledgement.

CONTRL (syntax 3, ``CONTRL:D:3:UN``): UCI interchange response, UCF group, UCM message, UCS segment,
UCD data element. 0083 action codes: 4 rejected, 7 acknowledged. APERAK (``APERAK:D:96A:UN``): BGM
1225 29 accepted / 27 not accepted / 4 partially, ERC + FTX per error, RFF+ACW the acknowledged
interchange, RFF+ON the business document.
"""

from __future__ import annotations

from edi.documents import AckError, Acknowledgement, AckStatus, MessageAck, Party
from edi.edifact._syntax import Segment
from edi.edifact._values import Ctx, comp, dtm, elem, party_segments, text, trim
from edi.errors import EncodeError, Position

__all__ = ["decode_aperak", "decode_contrl", "encode_aperak", "encode_contrl"]

_APERAK_STATUS = {"29": AckStatus.ACCEPTED, "27": AckStatus.REJECTED, "4": AckStatus.PARTIALLY_ACCEPTED}
_APERAK_OUT = {v: k for k, v in _APERAK_STATUS.items()}


def _party(el: object) -> Party | None:
    ident = comp(el)  # type: ignore[arg-type]
    if not ident:
        return None
    return Party(gln=ident) if comp(el, 1) == "14" else Party(party_id=ident)  # type: ignore[arg-type]


def _party_el(party: Party | None) -> str | tuple[str, ...]:
    if party is None:
        return ""
    if party.gln:
        return (party.gln, "14")
    return party.party_id or ""


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def decode_contrl(ctx: Ctx) -> Acknowledgement:
    segs = ctx.segments
    ref = ""
    action = ""
    sender = recipient = None
    errors: list[AckError] = []
    group_ref: str | None = None
    messages: list[MessageAck] = []
    cur: dict[str, object] | None = None
    cur_errors: list[AckError] = []
    ucs_index: int | None = None

    def close() -> None:
        if cur is not None:
            messages.append(
                MessageAck(
                    str(cur["ref"]),
                    str(cur["type"]) or None,
                    AckStatus.REJECTED if cur["action"] == "4" else AckStatus.ACCEPTED,
                    tuple(cur_errors),
                )
            )

    for k in range(1, len(segs) - 1):
        seg = segs[k]
        tag = seg[0]
        if tag == "UCI":
            ref = comp(elem(seg, 1))
            sender, recipient = _party(elem(seg, 2)), _party(elem(seg, 3))
            action = comp(elem(seg, 4))
            if comp(elem(seg, 5)):
                s011 = elem(seg, 7)
                errors.append(
                    AckError(
                        comp(elem(seg, 5)),
                        None,
                        comp(elem(seg, 6)) or None,
                        None,
                        _int(comp(s011)),
                        _int(comp(s011, 1)),
                    )
                )
        elif tag == "UCF":
            group_ref = comp(elem(seg, 1)) or None
        elif tag == "UCM":
            close()
            s009 = elem(seg, 2)
            cur = {"ref": comp(elem(seg, 1)), "type": comp(s009), "action": comp(elem(seg, 3))}
            cur_errors = []
            ucs_index = None
            if comp(elem(seg, 4)):
                s011 = elem(seg, 6)
                cur_errors.append(
                    AckError(
                        comp(elem(seg, 4)),
                        None,
                        comp(elem(seg, 5)) or None,
                        None,
                        _int(comp(s011)),
                        _int(comp(s011, 1)),
                    )
                )
        elif tag == "UCS" and cur is not None:
            ucs_index = _int(comp(elem(seg, 1)))
            if comp(elem(seg, 2)):
                cur_errors.append(AckError(comp(elem(seg, 2)), segment_index=ucs_index))
        elif tag == "UCD" and cur is not None:
            s011 = elem(seg, 2)
            cur_errors.append(
                AckError(
                    comp(elem(seg, 1)),
                    segment_index=ucs_index,
                    element=_int(comp(s011)),
                    component=_int(comp(s011, 1)),
                )
            )
    close()
    if not ref:
        raise ctx.missing("UCI interchange reference")
    if action == "4" or (messages and all(m.status is AckStatus.REJECTED for m in messages)):
        status = AckStatus.REJECTED
    elif any(m.status is AckStatus.REJECTED for m in messages):
        status = AckStatus.PARTIALLY_ACCEPTED
    else:
        status = AckStatus.ACCEPTED
    return Acknowledgement(
        ref, status, "syntax", group_ref, None, sender, recipient, tuple(messages), tuple(errors)
    )


def _s011(err: AckError) -> str | tuple[str, ...]:
    if err.element is None:
        return ""
    return (str(err.element), str(err.component)) if err.component is not None else str(err.element)


def encode_contrl(ack: Acknowledgement, version: str) -> list[Segment]:
    if not ack.interchange_reference:
        raise EncodeError(
            "CONTRL needs the acknowledged interchange's reference (UCI 0020, "
            "Acknowledgement.interchange_reference); an X12 997 does not carry it",
            position=Position(segment_tag="UCI", element=1),
        )
    rejected_any = any(m.status is AckStatus.REJECTED for m in ack.messages)
    accepted_any = any(m.status is not AckStatus.REJECTED for m in ack.messages)
    reject_all = ack.status is AckStatus.REJECTED and (bool(ack.errors) or not ack.messages or accepted_any)
    del rejected_any
    first = ack.errors[0] if ack.errors else None
    out: list[Segment] = [
        trim(
            (
                "UCI",
                ack.interchange_reference,
                _party_el(ack.sender),
                _party_el(ack.recipient),
                "4" if reject_all else "7",
                first.code if first else "",
                (first.segment_tag or "") if first else "",
                _s011(first) if first else "",
            )
        )
    ]
    if ack.group_reference:
        out.append(("UCF", ack.group_reference, "", "", "4" if reject_all else "7"))
    for m in ack.messages:
        head = next((e for e in m.errors if e.segment_index is None), None)
        out.append(
            trim(
                (
                    "UCM",
                    m.message_reference,
                    m.message_type or "",
                    "4" if m.status is AckStatus.REJECTED else "7",
                    head.code if head else "",
                    (head.segment_tag or "") if head else "",
                    _s011(head) if head else "",
                )
            )
        )
        for e in m.errors:
            if e.segment_index is None:
                continue
            if e.element is None:
                out.append(("UCS", str(e.segment_index), e.code))
            else:
                out.append(("UCS", str(e.segment_index)))
                out.append(("UCD", e.code, _s011(e)))
    return out


def decode_aperak(ctx: Ctx) -> Acknowledgement:
    segs = ctx.segments
    status_code = ""
    refs: dict[str, str] = {}
    parties: dict[str, Party] = {}
    errors: list[AckError] = []
    dates: dict[str, int] = {}
    k = 1
    while k < len(segs) - 1:
        seg = segs[k]
        tag = seg[0]
        if tag == "BGM":
            status_code = comp(elem(seg, 3))
        elif tag == "DTM":
            ctx.note_date(dates, k)
        elif tag == "RFF":
            c506 = elem(seg, 1)
            refs.setdefault(comp(c506), comp(c506, 1))
        elif tag == "NAD":
            qual, party, nxt = ctx.party(k)
            parties.setdefault(qual, party)
            k = nxt
            continue
        elif tag == "ERC":
            errors.append(AckError(comp(elem(seg, 1))))
        elif tag == "FTX" and errors and errors[-1].text is None:
            words = " ".join(x for x in (comp(elem(seg, 4), i) for i in range(5)) if x)
            last = errors[-1]
            errors[-1] = AckError(last.code, words or None)
        k += 1
    status = _APERAK_STATUS.get(status_code)
    if status is None:
        status = AckStatus.REJECTED if errors else AckStatus.ACCEPTED
    return Acknowledgement(
        interchange_reference=refs.get("ACW", ""),
        status=status,
        kind="application",
        document_reference=refs.get("ON"),
        sender=parties.get("MS", parties.get("SU")),
        recipient=parties.get("MR", parties.get("BY")),
        errors=tuple(errors),
        issue_date=ctx.date_of(dates, "137"),
    )


def encode_aperak(ack: Acknowledgement, version: str) -> list[Segment]:
    number = ack.document_reference or ack.interchange_reference
    out: list[Segment] = [("BGM", "313", text(number), _APERAK_OUT[ack.status])]
    if ack.issue_date:
        out.append(dtm("137", ack.issue_date))
    if ack.interchange_reference:
        out.append(("RFF", ("ACW", text(ack.interchange_reference))))
    if ack.document_reference:
        out.append(("RFF", ("ON", text(ack.document_reference))))
    if ack.sender:
        out.extend(party_segments("MS", ack.sender))
    if ack.recipient:
        out.extend(party_segments("MR", ack.recipient))
    for err in ack.errors:
        out.append(("ERC", err.code))
        if err.text:
            out.append(("FTX", "AAO", "", "", text(err.text)))
    return out
