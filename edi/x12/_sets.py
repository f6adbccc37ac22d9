"""What a transaction set may hold: its segments and how many data elements each has.

The mappers read the segments they know and pass over the rest, so without this check a misspelt
segment (``FTE`` where ``NTE`` belongs) or a segment with an element separator too many in its data
would go through unnoticed. EDIFACT checks the same in ``Ctx.check_structure``; like there, a fault is
an :class:`~edi.errors.EdiSyntaxError` of the transaction set with its position, and empty trailing
elements are not counted (other parsers read them).

The tables are the union of every published release from 002040 to 006040: the codec decodes 002040
to 005010 (and reads later releases as far as the mapped segments go), and the later releases only
added MTX to the 810 and one or two elements to N4, PWK, DMG, PAL and LH1, so one table costs the
claimed versions almost no precision and keeps later files readable. Segment order, loops and
repeat counts are not checked. ``SHH`` (an 850/855 segment of 002040 only) has no element count here.

Error codes: X12 720 ``6`` (segment not in defined transaction set) for an unknown segment, X12 723
``3`` (too many data elements) with ``position.element`` set to the first element too many.
"""

from __future__ import annotations

from edi.errors import EdiSyntaxError, Position
from edi.x12._syntax import Segment

__all__ = ["ELEMENTS", "SEGMENTS", "check_set"]

_SEGMENTS = {
    "810": (
        "AMT AT BAL BIG CAD CRC CTP CTT CUR DMG DTM FA1 FA2 FOB INC ISS IT1 IT3 ITA ITD L7 LM LQ MEA "
        "MSG MTX N1 N2 N3 N4 N9 NTE PAM PER PID PKG PO4 PWK QTY R4 REF SAC SDQ SE SLN SR ST TC2 TDS "
        "TXI V1 YNQ"
    ),
    "820": ("ADX AMT BPR CUR DED DTM ENT IT1 LX N1 N2 N3 N4 NM1 NTE PER RDM REF RMR SAC SE ST TRN TXP"),
    "824": "AMT BGN DTM LM LQ N1 N2 N3 N4 NM1 NTE OTI PER QTY RED REF SE ST TED",
    "850": (
        "ADV AMT AT BEG CB1 CN1 CSH CTB CTP CTT CUR DIS DTM EFI FA1 FA2 FOB G61 IN2 INC IT3 IT8 ITA "
        "ITD LDT LE LIN LM LQ LS MAN MEA MSG MTX N1 N2 N3 N4 N9 NTE NX2 PAM PCT PER PID PKG PO1 PO3 "
        "PO4 PWK QTY REF SAC SCH SDQ SE SHH SI SLN SPI SSS ST TAX TC2 TD1 TD3 TD4 TD5 TXI"
    ),
    "855": (
        "ACK ADV AMT BAK CSH CTB CTP CTT CUR DIS DTM EFI FOB IN2 INC IT8 ITA ITD LDT LIN MAN MEA MSG "
        "MTX N1 N2 N3 N4 N9 NTE NX2 PAM PER PID PKG PO1 PO3 PO4 PWK QTY REF SAC SCH SDQ SE SHH SI SLN "
        "SSS ST TAX TD1 TD3 TD4 TD5 TXI"
    ),
    "856": (
        "AT9 BSN CLD CTT CUR DTM DTP ETD FOB GF HL ITA LEP LFH LH1 LH2 LH3 LH4 LHE LHR LHT LIN LM LQ "
        "MAN MEA N1 N2 N3 N4 NTE PAL PER PID PKG PO4 PRF PWK R4 REF SAC SDQ SE SLN SN1 ST TD1 TD3 TD4 "
        "TD5 TSD V1 YNQ"
    ),
    "860": (
        "ADV AMT BCH CSH CTB CTP CTT CUR DIS DTM FOB INC IT3 IT8 ITA ITD LDT LIN LM LQ MAN MEA MSG MTX "
        "N1 N2 N3 N4 N9 NTE PAM PER PID PKG PO3 PO4 POC PWK QTY REF SAC SCH SDQ SE SI SLN SSS ST TAX "
        "TC2 TD1 TD3 TD4 TD5 TXI"
    ),
    "861": "BRA CTT DTM LIN N1 N2 N3 N4 NTE PER PID PRF RCD REF SE ST",
    "997": "AK1 AK2 AK3 AK4 AK5 AK9 SE ST",
    "999": "AK1 AK2 AK9 CTX IK3 IK4 IK5 SE ST",
}
_ELEMENTS = (
    "BCH:14 POC:25 "
    "ACK:29 ADV:7 AK1:3 AK2:3 AK3:8 AK4:4 AK5:6 AK9:9 AMT:3 AT:10 AT9:8 BAK:10 BAL:3 BEG:12 BIG:11 "
    "BGN:9 BPR:21 BRA:5 BSN:7 CAD:9 CB1:2 CLD:5 CN1:6 CRC:7 CSH:10 CTB:7 CTP:11 CTT:7 CTX:6 CUR:21 DIS:6 "
    "DMG:12 DTM:7 "
    "DTP:3 EFI:16 ENT:9 ETD:5 FA1:3 FA2:2 FOB:9 G61:5 GF:9 HL:4 IK3:4 IK4:4 IK5:6 IN2:3 INC:6 ISS:8 IT1:25 "
    "IT3:5 IT8:27 ITA:17 ITD:15 L7:16 LDT:4 LE:1 LEP:4 LFH:8 LH1:12 LH2:13 LH3:4 LH4:12 LHE:5 LHR:3 "
    "LHT:3 LIN:31 LM:2 LQ:2 LS:1 MAN:6 MEA:12 MSG:3 MTX:6 N1:6 N2:2 N3:2 N4:8 N9:7 NM1:12 NTE:2 "
    "NX2:5 OTI:17 PAL:18 "
    "PAM:15 PCT:2 PER:9 PID:9 PKG:6 PO1:25 PO3:8 PO4:18 PRF:7 PWK:11 QTY:4 R4:8 RCD:21 RDM:3 REF:4 "
    "RED:6 RMR:8 "
    "SAC:16 SCH:12 "
    "SDQ:23 SE:2 SI:21 SLN:28 SN1:8 SPI:15 SR:11 SSS:9 ST:3 TAX:13 TC2:2 TD1:10 TD3:10 TD4:5 TD5:15 "
    "TDS:4 TED:8 TRN:4 TSD:2 TXI:10 V1:9 YNQ:10"
)

#: transaction set identifier -> the segment IDs it may hold
SEGMENTS: dict[str, frozenset[str]] = {set_id: frozenset(tags.split()) for set_id, tags in _SEGMENTS.items()}
#: segment ID -> the most data elements it has in any of those releases
ELEMENTS: dict[str, int] = {tag: int(count) for tag, count in (item.split(":") for item in _ELEMENTS.split())}
_UNCOUNTED = 1 << 30
# per set: segment ID -> the longest segment tuple allowed (tag + elements)
_LIMITS: dict[str, dict[str, int]] = {
    set_id: {tag: ELEMENTS.get(tag, _UNCOUNTED) + 1 for tag in tags} for set_id, tags in SEGMENTS.items()
}


def _filled(seg: Segment) -> int:
    """Length of ``seg`` without its empty trailing elements."""
    n = len(seg)
    while n > 1 and not seg[n - 1]:
        n -= 1
    return n


def check_set(set_id: str, segments: list[Segment]) -> EdiSyntaxError | None:
    """The first segment of ``segments`` (ST..SE of a ``set_id`` set) that is not part of the set or
    has more data elements than its definition, as an error whose position is set-relative
    (``segment_index`` 1 is the ST, as in AK3/IK3); ``None`` when all fit or the set is not one we
    define."""
    limits = _LIMITS.get(set_id)
    if limits is None:
        return None
    try:  # the usual case, every segment known and short enough, at the least cost per segment
        for seg in segments:
            if len(seg) > limits[seg[0]]:
                break
        else:
            return None
    except KeyError:
        pass
    get = limits.get
    for index, seg in enumerate(segments, 1):
        if len(seg) > get(seg[0], 0):
            error = _fault(set_id, index, seg, get(seg[0]))
            if error is not None:
                return error
    return None


def _fault(set_id: str, index: int, seg: Segment, limit: int | None) -> EdiSyntaxError | None:
    tag = seg[0]
    if limit is None:
        return EdiSyntaxError(
            f"segment {tag!r} is not part of transaction set {set_id} (in any release from 002040 to "
            "006040): a misspelt segment ID, or one the partner must not send",
            position=Position(segment_index=index, segment_tag=tag),
            code="6",
        )
    filled = _filled(seg)
    if filled <= limit:
        return None
    return EdiSyntaxError(
        f"{tag} has {filled - 1} data elements, at most {limit - 1} allowed (an element separator in "
        "the data?)",
        position=Position(segment_index=index, segment_tag=tag, element=limit),
        code="3",
    )
