"""Segments -> interchanges, groups and messages, with every control count and reference checked.

Message-level faults (UNT count or reference, missing UNT) travel with the message; interchange and
group faults (UNB/UNZ/UNG/UNE, garbage after UNZ) raise, after the messages before them were yielded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from edi._construct import replace_envelope
from edi._counts import count_is
from edi.documents import Envelope
from edi.edifact._syntax import Element, Segment, Syntax
from edi.edifact._tokenizer import Tokenizer
from edi.errors import EdiError, EdiSyntaxError, EnvelopeError, Position

__all__ = ["Interchange", "RawMessage", "comp", "elem", "parts", "read_messages"]

_SERVICE = frozenset({"UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})


def comp(el: Element | None, i: int = 0) -> str:
    """Component ``i`` (0-based) of an element, ``""`` when absent."""
    if el.__class__ is str:
        return el if i == 0 else ""
    if el is None:
        return ""
    if isinstance(el, str):
        return el if i == 0 else ""
    if len(el) <= i:
        return ""
    value = el[i]
    return value if isinstance(value, str) else comp(value, 0)


_PADS = tuple(("",) * n for n in range(8))


def parts(el: Element | None, n: int) -> tuple[str, ...]:
    """The first ``n`` components of an element as strings, padded with ``""`` (one call instead of
    ``n`` calls to :func:`comp`; the result may hold more than ``n`` items)."""
    if el.__class__ is tuple:
        have = len(el)
        return el if have >= n else el + _PADS[n - have]  # type: ignore[return-value]
    if el.__class__ is str:
        return (el,) + _PADS[n - 1]
    return tuple(comp(el, i) for i in range(n))


def elem(seg: Segment, i: int) -> Element | None:
    return seg[i] if len(seg) > i else None


@dataclass(slots=True)
class RawMessage:
    """One UNH..UNT with its envelope; ``error`` set when the envelope of this message is broken."""

    envelope: Envelope
    message_type: str
    segments: list[Segment]
    start_index: int  # interchange-relative number of the UNH
    global_start: int
    syntax: Syntax
    error: EdiError | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    """What the UNB said, for acknowledgements (also for interchanges without messages)."""

    envelope: Envelope
    message_count: int = 0
    group_count: int = 0
    closed: bool = False


def _prepared_at(s004: Element | None) -> datetime | None:
    date_s, time_s = comp(s004, 0), comp(s004, 1)
    try:
        if len(date_s) == 6:
            yy = int(date_s[:2])
            year = 2000 + yy if yy < 70 else 1900 + yy
            month, day = int(date_s[2:4]), int(date_s[4:6])
        elif len(date_s) == 8:
            year, month, day = int(date_s[:4]), int(date_s[4:6]), int(date_s[6:8])
        else:
            return None
        hour, minute = (int(time_s[:2]), int(time_s[2:4])) if len(time_s) >= 4 else (0, 0)
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError:
        return None


class _Reader:
    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tok = tokenizer
        self.interchanges: list[Interchange] = []
        self.unb_index = 0  # global index of the current UNB

    def where(self, gidx: int, tag: str | None, element: int | None = None) -> Position:
        pos = self.tok.locate(gidx, tag, element)
        return replace(pos, segment_index=gidx - self.unb_index + 1)

    def fail(
        self, msg: str, gidx: int, tag: str | None, code: str, element: int | None = None
    ) -> EnvelopeError:
        return EnvelopeError(msg, position=self.where(gidx, tag, element), code=code)

    def run(self) -> Iterator[RawMessage]:
        state = "start"  # start | interchange | group | after
        ich: Interchange | None = None
        env: Envelope | None = None
        group_ref: str | None = None
        group_env: Envelope | None = None
        group_msgs = 0
        msg: list[Segment] | None = None
        msg_gidx = 0
        syntax: Syntax | None = None
        warnings: list[str] = []
        last_gidx = 0
        for batch in self.tok.batches():
            warnings.extend(batch.warnings)
            segs = batch.segments
            n_last = len(segs) - 1
            for k, seg in enumerate(segs):
                tag = seg[0]
                if msg is not None and tag not in _SERVICE:
                    msg.append(seg)
                    continue
                gidx = batch.first_index + k
                last_gidx = gidx
                if batch.unterminated and k == n_last and state != "start":
                    if state == "after":
                        raise EdiSyntaxError(
                            f"data after UNZ: {_show(seg)!r} is not an interchange",
                            position=self.where(gidx, None),
                            code="33",
                        )
                    self._unterminated(seg, gidx, batch.syntax.chars.terminator)
                if not isinstance(tag, str):
                    tag = comp(tag)
                if msg is not None and env is not None and syntax is not None:
                    # a service segment other than UNT ends the message without its trailer
                    mtype = comp(elem(msg[0], 2))
                    if tag == "UNT":
                        msg.append(seg)
                        error = self._check_unt(seg, msg, gidx)
                        yield RawMessage(
                            env,
                            mtype,
                            msg,
                            msg_gidx - self.unb_index + 1,
                            msg_gidx,
                            syntax,
                            error,
                            list(warnings),
                        )
                        msg = None
                        continue
                    error = self.fail(
                        f"message {comp(elem(msg[0], 1))!r} ({mtype}) has no UNT trailer before {tag}",
                        gidx,
                        tag,
                        "13",
                    )
                    yield RawMessage(
                        env,
                        mtype,
                        msg,
                        msg_gidx - self.unb_index + 1,
                        msg_gidx,
                        syntax,
                        error,
                        list(warnings),
                    )
                    msg = None
                if state in ("start", "after"):
                    if state == "start":
                        self.unb_index = gidx
                    if tag != "UNB":
                        if state == "after":
                            raise EdiSyntaxError(
                                f"data after UNZ: segment {_show(seg)!r} is outside any interchange",
                                position=self.where(gidx, tag),
                                code="33",
                            )
                        raise EnvelopeError(
                            f"the interchange must start with UNB (after an optional UNA), found {tag!r}",
                            position=self.where(gidx, tag),
                            code="13",
                        )
                    self.unb_index = gidx
                    syntax = batch.syntax
                    warnings = list(batch.warnings)
                    env = self._unb(seg, gidx, batch.syntax)
                    ich = Interchange(env)
                    self.interchanges.append(ich)
                    state = "interchange"
                    continue
                assert ich is not None
                assert env is not None
                if tag == "UNH":
                    if state == "interchange" and ich.group_count:
                        raise self.fail(
                            "UNH outside a group in an interchange that uses UNG groups", gidx, tag, "30"
                        )
                    msg = [seg]
                    msg_gidx = gidx
                    env = self._unh(seg, gidx, group_env or ich.envelope)
                    syntax = batch.syntax
                    if state == "group":
                        group_msgs += 1
                    ich.message_count += 1
                elif tag == "UNT":
                    raise self.fail("UNT without a preceding UNH", gidx, tag, "33")
                elif tag == "UNG":
                    if state == "group":
                        raise self.fail(
                            f"group {group_ref!r} has no UNE trailer before the next UNG", gidx, tag, "13"
                        )
                    if ich.message_count:
                        raise self.fail("UNG after messages outside groups", gidx, tag, "30")
                    group_ref = comp(elem(seg, 5))
                    if not group_ref:
                        raise self.fail("UNG 0048 group reference is missing", gidx, tag, "13", 5)
                    group_env = replace(ich.envelope, group_reference=group_ref)
                    group_msgs = 0
                    ich.group_count += 1
                    state = "group"
                elif tag == "UNE":
                    if state != "group":
                        raise self.fail("UNE without a preceding UNG", gidx, tag, "33")
                    count, ref = comp(elem(seg, 1)), comp(elem(seg, 2))
                    if ref != group_ref:
                        raise self.fail(
                            f"UNE reference {ref!r} differs from UNG 0048 {group_ref!r}", gidx, tag, "28", 2
                        )
                    if not count_is(count, group_msgs):
                        raise self.fail(
                            f"UNE says {count!r} messages but group {group_ref!r} has {group_msgs}",
                            gidx,
                            tag,
                            "29",
                            1,
                        )
                    group_env = None
                    state = "interchange"
                elif tag == "UNZ":
                    if state == "group":
                        raise self.fail(f"group {group_ref!r} has no UNE trailer before UNZ", gidx, tag, "13")
                    count, ref = comp(elem(seg, 1)), comp(elem(seg, 2))
                    if ref != ich.envelope.control_reference:
                        raise self.fail(
                            f"UNZ reference {ref!r} differs from UNB 0020 {ich.envelope.control_reference!r}",
                            gidx,
                            tag,
                            "28",
                            2,
                        )
                    expected = ich.group_count if ich.group_count else ich.message_count
                    what = "groups" if ich.group_count else "messages"
                    if not count_is(count, expected):
                        raise self.fail(
                            f"UNZ says {count!r} {what} but the interchange has {expected}",
                            gidx,
                            tag,
                            "29",
                            1,
                        )
                    ich.closed = True
                    state = "after"
                elif tag == "UNB":
                    raise self.fail(
                        f"interchange {ich.envelope.control_reference!r} has no UNZ trailer before "
                        "the next UNB",
                        gidx,
                        tag,
                        "13",
                    )
                else:
                    raise self.fail(
                        f"segment {tag!r} outside a message (between UNB/UNG and UNH)", gidx, tag, "33"
                    )
        if msg is not None and env is not None and syntax is not None:
            mtype = comp(elem(msg[0], 2))
            error = self.fail(
                f"message {comp(elem(msg[0], 1))!r} ({mtype}) has no UNT trailer: file ends",
                last_gidx,
                None,
                "13",
            )
            yield RawMessage(
                env, mtype, msg, msg_gidx - self.unb_index + 1, msg_gidx, syntax, error, list(warnings)
            )
        if state == "start":
            raise EnvelopeError(
                "no UNB interchange header found: the input is empty or not EDIFACT", code="13"
            )
        if state != "after":
            assert ich is not None
            raise EnvelopeError(
                f"interchange {ich.envelope.control_reference!r} has no UNZ trailer: the file ends early",
                position=self.where(last_gidx, None),
                code="13",
            )

    def _unterminated(self, seg: Segment, gidx: int, terminator: str) -> None:
        """A last segment without its terminator: a UNZ that lacks only the terminator is read (other
        parsers do) with a warning, unless strict; any other segment means the file is truncated."""
        tag = seg[0] if isinstance(seg[0], str) else comp(seg[0])
        if tag != "UNZ":
            raise EdiSyntaxError(
                f"the last segment ({_show(seg)!r}) is not terminated: the file is truncated",
                position=self.where(gidx, tag),
                code="13",
            )
        where = self.where(gidx, tag)
        if self.tok.strict:
            raise EdiSyntaxError(
                f"the interchange trailer ({_show(seg)!r}) has no segment terminator {terminator!r}; strict "
                "mode refuses a missing final terminator",
                position=where,
                code="13",
            )
        self.tok.warnings.append(
            f"the interchange trailer ({_show(seg)!r}) has no segment terminator {terminator!r}; read as "
            f"if it had one ({where})"
        )

    def _check_unt(self, seg: Segment, msg: list[Segment], gidx: int) -> EdiError | None:
        count, ref = comp(elem(seg, 1)), comp(elem(seg, 2))
        href = comp(elem(msg[0], 1))
        if ref != href:
            return self.fail(f"UNT reference {ref!r} differs from UNH 0062 {href!r}", gidx, "UNT", "28", 2)
        if not count_is(count, len(msg)):
            return self.fail(
                f"UNT says {count!r} segments but message {href!r} has {len(msg)} (UNH..UNT inclusive)",
                gidx,
                "UNT",
                "29",
                1,
            )
        return None

    def _unb(self, seg: Segment, gidx: int, syntax: Syntax) -> Envelope:
        for i, name in (
            (2, "S002 sender"),
            (3, "S003 recipient"),
            (4, "S004 date/time"),
            (5, "0020 reference"),
        ):
            if not comp(elem(seg, i)):
                raise EnvelopeError(f"UNB {name} is missing", position=self.where(gidx, "UNB", i), code="13")
        s002, s003 = elem(seg, 2), elem(seg, 3)
        return Envelope(
            sender=comp(s002),
            recipient=comp(s003),
            control_reference=comp(elem(seg, 5)),
            sender_qualifier=comp(s002, 1) or None,
            recipient_qualifier=comp(s003, 1) or None,
            syntax=f"{syntax.charset}:{syntax.version}",
            prepared_at=_prepared_at(elem(seg, 4)),
            ack_requested=comp(elem(seg, 9)) == "1",
            test=comp(elem(seg, 11)) == "1",
        )

    def _unh(self, seg: Segment, gidx: int, base: Envelope) -> Envelope:
        s009 = elem(seg, 2)
        if not comp(elem(seg, 1)):
            raise self.fail("UNH 0062 message reference is missing", gidx, "UNH", "13", 1)
        if not comp(s009) or not comp(s009, 2):
            raise self.fail(
                "UNH S009 message identifier (type:version:release) is missing", gidx, "UNH", "13", 2
            )
        version = comp(s009, 1)
        return replace_envelope(
            base,
            message_reference=comp(elem(seg, 1)),
            version=("D" if version == "0" else version) + comp(s009, 2),
            association=comp(s009, 4) or None,
        )


def _show(seg: Segment) -> str:
    return "+".join(x if isinstance(x, str) else ":".join(map(str, x)) for x in seg)[:40]


def read_messages(tokenizer: Tokenizer, interchanges: list[Interchange]) -> Iterator[RawMessage]:
    """Yield raw messages; append one :class:`Interchange` per UNB to ``interchanges``."""
    reader = _Reader(tokenizer)
    reader.interchanges = interchanges
    yield from reader.run()
