"""ISA/GS/ST..SE/GE/IEA: the envelope state machine over tokenizer batches.

Yields one :class:`RawSet` per ST..SE (with a set-level :class:`EnvelopeError` attached when its
trailer is missing or wrong) and one :class:`RawTA1` per TA1 segment. Faults of the group or the
interchange (GE/IEA counts and references, segments outside any transaction set) raise
:class:`EnvelopeError` at the point they are found, after the sets before them were yielded.

Error codes: set level uses X12 718 (AK5/IK5), group level X12 716 (AK9), interchange level the
TA1 note codes (I18, three digits).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from edi._construct import new_envelope
from edi._counts import count_is
from edi.documents import Envelope
from edi.errors import EdiError, EnvelopeError, Position
from edi.x12._ids import FUNCTIONAL_IDS
from edi.x12._syntax import Segment, Separators
from edi.x12._tokenizer import Batch

__all__ = ["RawSet", "RawTA1", "read_sets"]

_CONTROL = frozenset(("ISA", "GS", "ST", "SE", "GE", "IEA", "TA1"))
_ENVELOPE_FIELDS = tuple(f.name for f in fields(Envelope))
_MESSAGE_REFERENCE = _ENVELOPE_FIELDS.index("message_reference")


@dataclass(slots=True)
class RawSet:
    """One transaction set as segments (ST first, SE last when present)."""

    set_id: str
    segments: list[Segment]
    envelope: Envelope
    functional_id: str
    first_index: int
    separators: Separators
    error: EdiError | None = None
    spans: list[tuple[int, Batch, int]] = field(default_factory=list, repr=False)

    def locate(self, index: int, element: int | None = None) -> Position | None:
        """Full position (offset, line, column) of the set's segment ``index`` (ST = 1)."""
        for start, batch, k in reversed(self.spans):
            if start <= index:
                return batch.position(k + index - start, element=element)
        return None


@dataclass(slots=True)
class RawTA1:
    segment: Segment
    envelope: Envelope
    index: int


def _el(seg: Segment, i: int) -> str:
    return seg[i] if len(seg) > i else ""


def _isa_time(isa: Segment) -> datetime | None:
    date, time = _el(isa, 9), _el(isa, 10)
    if not (len(date) == 6 and date.isdigit() and len(time) == 4 and time.isdigit()):
        return None
    year = int(date[:2])
    try:
        return datetime(
            1900 + year if year >= 70 else 2000 + year,
            int(date[2:4]),
            int(date[4:6]),
            int(time[:2]),
            int(time[2:]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def _check_isa(isa: Segment, batch: Batch, k: int) -> None:
    """ISA13 control number, ISA14 acknowledgment request and ISA15 usage indicator."""
    checks = (
        (
            13,
            _el(isa, 13).isdigit() and len(_el(isa, 13)) == 9,
            "018",
            "ISA13 control number must be 9 digits",
        ),
        (14, _el(isa, 14) in ("0", "1"), "019", "ISA14 acknowledgment requested must be 0 or 1"),
        (15, _el(isa, 15) in ("P", "T", "I"), "020", "ISA15 usage indicator must be P, T or I"),
    )
    for element, ok, code, text in checks:
        if not ok:
            raise EnvelopeError(
                f"{text}, found {_el(isa, element)!r}", position=batch.position(k, element=element), code=code
            )


def _isa_fields(isa: Segment) -> dict[str, object]:
    return dict(
        sender=_el(isa, 6).strip(),
        recipient=_el(isa, 8).strip(),
        control_reference=_el(isa, 13).strip(),
        sender_qualifier=_el(isa, 5).strip() or None,
        recipient_qualifier=_el(isa, 7).strip() or None,
        syntax=_el(isa, 12).strip() or None,
        prepared_at=_isa_time(isa),
        test=_el(isa, 15).strip() == "T",
        ack_requested=_el(isa, 14).strip() == "1",
    )


class _State:
    """Mutable state of the interchange being read."""

    __slots__ = (
        "envelope",
        "envelope_values",
        "fields",
        "group",
        "group_count",
        "group_sets",
        "isa",
        "seps",
        "set_count",
        "set_error",
        "set_index",
        "set_segments",
        "spans",
        "st",
    )

    def __init__(self, isa: Segment, seps: Separators) -> None:
        self.isa = isa
        self.seps = seps
        self.fields = _isa_fields(isa)
        self.set_envelope(Envelope(**self.fields))  # type: ignore[arg-type]
        self.group: Segment | None = None
        self.group_count = 0
        self.group_sets = 0
        self.st: Segment | None = None
        self.set_segments: list[Segment] = []
        self.spans: list[tuple[int, Batch, int]] = []
        self.set_index = 0
        self.set_count = 0
        self.set_error: EdiError | None = None

    def set_envelope(self, envelope: Envelope) -> None:
        self.envelope = envelope
        # Every set's envelope is this one with its own ST02; built positionally from these.
        self.envelope_values: list[Any] = [getattr(envelope, name) for name in _ENVELOPE_FIELDS]


def _open_set(state: _State, error: EdiError | None = None) -> RawSet:
    st = state.st
    assert st is not None
    assert state.group is not None
    values = state.envelope_values.copy()
    values[_MESSAGE_REFERENCE] = _el(st, 2)
    env = new_envelope(*values)
    raw = RawSet(
        _el(st, 1),
        state.set_segments,
        env,
        _el(state.group, 1),
        state.set_index,
        state.seps,
        error,
        state.spans,
    )
    state.st = None
    state.set_segments = []
    state.set_error = None
    state.group_sets += 1
    return raw


def read_sets(batches: Iterator[Batch], interchanges: list[str] | None = None) -> Iterator[RawSet | RawTA1]:
    """Validate the envelopes of every interchange in ``batches`` and yield their content. The ISA13
    of every interchange begun is appended to ``interchanges`` when given."""
    state: _State | None = None
    for batch in batches:
        segs = batch.segments
        base = batch.first_index
        if state is not None and state.st is not None:
            state.spans.append((len(state.set_segments) + 1, batch, 0))
        last = -1  # index of the last control segment in this batch
        for k, seg in enumerate(segs):
            if seg[0] not in _CONTROL:
                continue
            if last + 1 < k:
                if state is None or state.st is None:
                    raise EnvelopeError(
                        f"segment {segs[last + 1][0]} is outside any ST..SE transaction set",
                        position=batch.position(last + 1),
                        code="024",
                    )
                state.set_segments.extend(segs[last + 1 : k])
            last = k
            tag = seg[0]
            if tag == "ISA":
                if state is not None:
                    raise EnvelopeError(
                        "ISA inside an interchange: the previous interchange has no IEA",
                        position=batch.position(k),
                        code="023",
                    )
                _check_isa(seg, batch, k)
                state = _State(seg, batch.separators)
                if interchanges is not None:
                    interchanges.append(state.envelope.control_reference)
                continue
            if state is None:
                raise EnvelopeError(f"{tag} before ISA", position=batch.position(k), code="022")
            if tag == "ST":
                if state.group is None:
                    raise EnvelopeError(
                        "ST outside a GS..GE functional group", position=batch.position(k), code="024"
                    )
                if state.st is not None:
                    yield _open_set(
                        state,
                        EnvelopeError(
                            f"transaction set {_el(state.st, 2)} has no SE trailer before the next ST",
                            position=batch.position(k),
                            code="2",
                        ),
                    )
                set_id, control, group_id = _el(seg, 1), _el(seg, 2), _el(state.group, 1)
                expected = FUNCTIONAL_IDS.get(set_id)
                if expected is not None and expected != group_id:
                    state.set_error = EnvelopeError(
                        f"transaction set {set_id} does not belong in a {group_id!r} "
                        f"functional group (expected GS01 {expected!r})",
                        position=batch.position(k, element=1),
                        code="6",
                    )
                state.st = seg
                state.set_segments = [seg]
                state.spans = [(1, batch, k)]
                state.set_index = base + k
                state.set_count += 1
                if not set_id or not control:
                    state.set_error = EnvelopeError(
                        "ST01 transaction set identifier or ST02 control number is missing",
                        position=batch.position(k),
                        code="6" if not set_id else "7",
                    )
                continue
            if tag == "SE":
                if state.st is None:
                    raise EnvelopeError("SE without a matching ST", position=batch.position(k), code="024")
                state.set_segments.append(seg)
                count = len(state.set_segments)
                error = state.set_error
                if error is not None:
                    pass
                elif _el(seg, 2) != _el(state.st, 2):
                    error = EnvelopeError(
                        f"SE02 control number {_el(seg, 2)!r} differs from ST02 {_el(state.st, 2)!r}",
                        position=batch.position(k, element=2),
                        code="3",
                    )
                elif not count_is(_el(seg, 1), count):
                    error = EnvelopeError(
                        f"SE01 says {_el(seg, 1)!r} segments but transaction set {_el(state.st, 2)} has "
                        f"{count} (ST..SE inclusive)",
                        position=batch.position(k, element=1),
                        code="4",
                    )
                yield _open_set(state, error)
                continue
            if tag == "GS":
                if state.group is not None:
                    raise EnvelopeError(
                        f"GS {_el(state.group, 6)} has no GE trailer before the next GS",
                        position=batch.position(k),
                        code="3",
                    )
                state.group = seg
                state.group_sets = 0
                state.group_count += 1
                state.fields = _isa_fields(state.isa)
                state.fields.update(group_reference=_el(seg, 6), version=_el(seg, 8) or None)
                state.set_envelope(Envelope(**state.fields))  # type: ignore[arg-type]
                continue
            if tag == "GE":
                if state.group is None:
                    raise EnvelopeError("GE without a matching GS", position=batch.position(k), code="024")
                if state.st is not None:
                    yield _open_set(
                        state,
                        EnvelopeError(
                            f"transaction set {_el(state.st, 2)} has no SE trailer before GE",
                            position=batch.position(k),
                            code="2",
                        ),
                    )
                if _el(seg, 2) != _el(state.group, 6):
                    raise EnvelopeError(
                        f"GE02 group control number {_el(seg, 2)!r} differs from GS06 "
                        f"{_el(state.group, 6)!r}",
                        position=batch.position(k, element=2),
                        code="4",
                    )
                if not count_is(_el(seg, 1), state.group_sets):
                    raise EnvelopeError(
                        f"GE01 says {_el(seg, 1)!r} transaction sets but group {_el(state.group, 6)} has "
                        f"{state.group_sets}",
                        position=batch.position(k, element=1),
                        code="5",
                    )
                state.group = None
                continue
            if tag == "TA1":
                if state.group is not None:
                    raise EnvelopeError(
                        "TA1 inside a functional group", position=batch.position(k), code="024"
                    )
                yield RawTA1(seg, state.envelope, base + k)
                continue
            # IEA
            if state.group is not None:
                raise EnvelopeError(
                    f"GS {_el(state.group, 6)} has no GE trailer before IEA",
                    position=batch.position(k),
                    code="3",
                )
            if _el(seg, 2) != _el(state.isa, 13):
                raise EnvelopeError(
                    f"IEA02 interchange control number {_el(seg, 2)!r} differs from ISA13 "
                    f"{_el(state.isa, 13)!r}",
                    position=batch.position(k, element=2),
                    code="001",
                )
            if not count_is(_el(seg, 1), state.group_count):
                raise EnvelopeError(
                    f"IEA01 says {_el(seg, 1)!r} functional groups but the interchange has "
                    f"{state.group_count}",
                    position=batch.position(k, element=1),
                    code="021",
                )
            state = None
        if last + 1 < len(segs):
            if state is None or state.st is None:
                raise EnvelopeError(
                    f"segment {segs[last + 1][0]} is outside any ST..SE transaction set",
                    position=batch.position(last + 1),
                    code="024",
                )
            state.set_segments.extend(segs[last + 1 :])
