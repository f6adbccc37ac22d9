"""A supplier's split of a line into several deliveries (issue #17, schedule lines) in each format
that answers an order: EDIFACT ORDRSP (SCC with QTY and DTM per delivery), X12 855 (one ACK per
delivery; SCH read too), UBL OrderResponse (one cac:Delivery per delivery), openTRANS ORDERRESPONSE
(PARTIAL_DELIVERY_LIST). Each codec reads what it writes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edi
from edi.documents import (
    Envelope,
    LineStatus,
    OrderResponse,
    OrderResponseLine,
    Party,
    ResponseStatus,
    ScheduleLine,
)
from edi.errors import MappingError
from edi.xml.safe import parse_xml
from edi.xml.schemas import SchemaStore
from tests.edi.corpus import CORPUS

ENVELOPE = Envelope(sender="SUPPLIER01", recipient="OWNER01", control_reference="18", message_reference="1")
SPLIT = (ScheduleLine(Decimal(30), date(2026, 12, 10)), ScheduleLine(Decimal(20), date(2027, 1, 14)))
RESPONSE = OrderResponse(
    number="AB-7",
    order_number="SO-2026-000042",
    issue_date=date(2026, 12, 2),
    status=ResponseStatus.CHANGED,
    buyer=Party(name="Wärmewerk GmbH", gln="4012345000009"),
    seller=Party(name="Nordtec", gln="4012345000016"),
    lines=(
        OrderResponseLine(
            "1",
            LineStatus.CHANGED,
            Decimal(50),
            buyer_article="P-100",
            promised_date=date(2027, 1, 14),
            schedule=SPLIT,
        ),
        OrderResponseLine(
            "2", LineStatus.ACCEPTED, Decimal(4), buyer_article="P-200", promised_date=date(2026, 12, 9)
        ),
    ),
    currency="EUR",
)
FORMATS = ("edifact", "x12", "ubl", "opentrans")


def _decoded(data: bytes) -> OrderResponse:
    result = edi.decode_all(data)
    assert result.error is None, result.error
    (message,) = result.messages
    assert message.error is None, message.error
    assert isinstance(message.document, OrderResponse)
    return message.document


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_split_line_survives_each_format(fmt: str) -> None:
    decoded = _decoded(edi.encode(RESPONSE, format=fmt, envelope=ENVELOPE))
    assert [line.schedule for line in decoded.lines] == [SPLIT, ()]
    assert decoded.lines[0].quantity == 50 and decoded.lines[0].promised_date == date(2027, 1, 14)
    assert decoded.lines[1].promised_date == date(2026, 12, 9)


def test_the_edifact_split_is_an_scc_group_per_delivery() -> None:
    text = edi.encode(RESPONSE, format="edifact", envelope=ENVELOPE).decode("latin-1")
    assert "QTY+113:50'DTM+69:20270114:102'SCC+1'QTY+113:30'DTM+69:20261210:102'" in text
    assert "SCC+1'QTY+113:20'DTM+69:20270114:102'LIN+2" in text


def test_the_855_split_is_an_ack_per_delivery() -> None:
    text = edi.encode(RESPONSE, format="x12", envelope=ENVELOPE).decode()
    assert "ACK*IC*30*EA*068*20261210~ACK*IC*20*EA*068*20270114~" in text


def test_an_855_with_sch_segments_reads_them_as_the_schedule() -> None:
    text = edi.encode(RESPONSE, format="x12", envelope=ENVELOPE).decode()
    text = text.replace(
        "ACK*IC*30*EA*068*20261210~ACK*IC*20*EA*068*20270114~",
        "ACK*IC*50*EA~SCH*20*EA***002*20270114~SCH*30*EA***002*20261210~",
    )
    segments = text.split("~")
    st_at = next(i for i, s in enumerate(segments) if s.startswith("ST*"))
    se_at = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    control = segments[se_at].split("*")[2]
    segments[se_at] = f"SE*{se_at - st_at + 1}*{control}"
    decoded = _decoded("~".join(segments).encode())
    assert decoded.lines[0].schedule == SPLIT and decoded.lines[0].quantity == 50


def test_the_corpus_855_with_one_sch_per_line_has_no_split() -> None:
    decoded = _decoded((CORPUS / "edi/x12/855/855_nodex12.edi").read_bytes())
    assert decoded.lines and all(line.schedule == () for line in decoded.lines)


def test_the_ubl_split_is_valid_against_the_schema() -> None:
    store = SchemaStore(CORPUS / "xml")
    store.validate(parse_xml(edi.encode(RESPONSE, format="ubl", envelope=ENVELOPE)))


def test_the_opentrans_split_is_valid_against_the_schema() -> None:
    data = edi.encode(RESPONSE, format="opentrans", envelope=ENVELOPE)
    assert b"<PARTIAL_DELIVERY_LIST>" in data
    SchemaStore(CORPUS / "xml").validate(parse_xml(data))


def test_a_delivery_without_its_date_is_refused_with_the_line() -> None:
    data = edi.encode(RESPONSE, format="edifact", envelope=ENVELOPE).replace(
        b"SCC+1'QTY+113:30'DTM+69:20261210:102'", b"SCC+1'QTY+113:30'FTX+AAI+++no date yet'"
    )
    (message,) = edi.decode_all(data).messages
    assert isinstance(message.error, MappingError) and "SCC" in str(message.error)


@st.composite
def schedules(draw: st.DrawFn) -> tuple[ScheduleLine, ...]:
    start = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 1, 1)))
    offsets = draw(st.lists(st.integers(1, 90), min_size=1, max_size=5, unique=True))
    days = sorted({start, *(start + timedelta(days=o) for o in offsets)})
    amounts = draw(
        st.lists(
            st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3),
            min_size=len(days),
            max_size=len(days),
        )
    )
    return tuple(ScheduleLine(q.normalize(), d) for q, d in zip(amounts, days, strict=True))


@settings(max_examples=40, deadline=None)
@given(fmt=st.sampled_from(FORMATS), schedule=schedules())
def test_any_split_comes_back_as_sent(fmt: str, schedule: tuple[ScheduleLine, ...]) -> None:
    line = OrderResponseLine(
        "1",
        LineStatus.CHANGED,
        sum((part.quantity for part in schedule), Decimal(0)),
        buyer_article="P-100",
        promised_date=schedule[-1].delivery_date,
        schedule=schedule,
    )
    response = OrderResponse(
        **{**{f: getattr(RESPONSE, f) for f in RESPONSE.__dataclass_fields__}, "lines": (line,)}
    )
    decoded = _decoded(edi.encode(response, format=fmt, envelope=ENVELOPE))
    assert decoded.lines[0].schedule == schedule
    assert decoded.lines[0].quantity == line.quantity
