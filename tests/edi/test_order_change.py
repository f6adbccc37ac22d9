"""The buyer's order change (issue #17, part 2) as EDIFACT ORDCHG, X12 860, UBL OrderChange and openTRANS
ORDERCHANGE: each codec reads what it writes, reads the public samples, and refuses what it cannot read
with the segment or element named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edi
from edi.documents import ChangeAction, Envelope, OrderChange, OrderChangeLine, Party
from edi.errors import EncodeError, MappingError
from edi.xml.safe import parse_xml
from edi.xml.schemas import SchemaStore
from tests.edi.corpus import CONFORMANCE, CORPUS

ENVELOPE = Envelope(sender="OWNER01", recipient="SUPPLIER01", control_reference="17", message_reference="1")
CHANGE = OrderChange(
    number="SO-2026-000042-2",
    order_number="SO-2026-000042",
    issue_date=date(2026, 12, 7),
    buyer=Party(name="Wärmewerk GmbH", gln="4012345000009"),
    seller=Party(name="Nordtec", party_id="nordtec"),
    lines=(
        OrderChangeLine(
            "1",
            ChangeAction.CHANGED,
            Decimal(12),
            buyer_article="P-100",
            unit_price=Decimal("12.5"),
            requested_date=date(2026, 12, 24),
        ),
        OrderChangeLine("2", ChangeAction.CANCELLED),
        OrderChangeLine(
            "3", ChangeAction.ADDED, Decimal("2.5"), unit="KGM", gtin="4000000000105", description="Filter"
        ),
    ),
    sequence="2",
    order_date=date(2026, 12, 1),
    currency="EUR",
    note="Bitte 12 statt 10 liefern",
)
# What a format does not carry comes back empty (see edi.documents).
NOT_CARRIED = {"edifact": {"sequence": None}, "x12": {}, "ubl": {}, "opentrans": {}}


def _decoded(data: bytes) -> OrderChange:
    result = edi.decode_all(data)
    assert result.error is None, result.error
    (message,) = result.messages
    assert message.error is None, message.error
    assert isinstance(message.document, OrderChange)
    return message.document


@pytest.mark.parametrize(
    ("fmt", "message_type"),
    [("edifact", "ORDCHG"), ("x12", "860"), ("ubl", "OrderChange"), ("opentrans", "ORDERCHANGE")],
)
def test_an_order_change_survives_each_format(fmt: str, message_type: str) -> None:
    data = edi.encode(CHANGE, format=fmt, envelope=ENVELOPE)
    assert edi.detect(data).message_type == message_type
    assert _decoded(data) == replace(CHANGE, **NOT_CARRIED[fmt])  # type: ignore[arg-type]
    assert edi.check_elements(data) == []


def test_the_ubl_order_change_is_valid_against_its_schema() -> None:
    store = SchemaStore(CORPUS / "xml")
    store.validate(parse_xml(edi.encode(CHANGE, format="ubl", envelope=ENVELOPE)))


def test_the_edifact_order_change_says_what_happens_to_each_line() -> None:
    text = edi.encode(CHANGE, format="edifact", envelope=ENVELOPE).decode("latin-1")
    assert "UNH+1+ORDCHG:D:96A:UN:EAN008'BGM+230+SO-2026-000042-2+4'" in text
    assert "RFF+ON:SO-2026-000042'DTM+171:20261201:102'" in text
    assert "LIN+1+3'" in text and "LIN+2+2'" in text and "LIN+3+1+4000000000105:EN'" in text


def test_the_x12_change_names_order_sequence_and_line_codes() -> None:
    text = edi.encode(CHANGE, format="x12", envelope=ENVELOPE).decode()
    assert "GS*PC*" in text
    assert "BCH*04*SA*SO-2026-000042**2*20261201*SO-2026-000042-2****20261207~" in text
    assert "POC*1*CA*12**EA*12.5**BP*P-100~" in text and "POC*2*DI~" in text and "POC*3*AI*2.5*" in text


def test_the_peppol_order_change_sample_reads() -> None:
    sample = CORPUS / "xml/peppol-bis-ordering/samples/OrderChange_Example.xml"
    change = _decoded(sample.read_bytes())
    assert (change.number, change.order_number, change.sequence) == ("Change-1", "Order-1", "1")
    assert [(line.line_id, line.action, line.quantity, line.unit) for line in change.lines] == [
        ("1", ChangeAction.CHANGED, Decimal(5), "NAR"),
        ("2", ChangeAction.CHANGED, Decimal(50), "NAR"),
    ]
    assert change.buyer.name == "City Hospital"


def test_a_line_listed_without_action_is_left_out_and_a_deleted_one_cancelled() -> None:
    sample = CORPUS / "xml/peppol-bis-ordering/samples/Advanced_Ordering_scenarios/advanced_ordering_sc2"
    change = _decoded((sample / "OrderChange_sc2.xml").read_bytes())
    assert [(line.line_id, line.action) for line in change.lines] == [("2", ChangeAction.CANCELLED)]


def test_the_ubl_21_example_with_ubl_status_codes_reads() -> None:
    change = _decoded((CORPUS / "xml/ubl21/samples/UBL-OrderChange-2.1-Example.xml").read_bytes())
    assert change.lines and all(line.action is ChangeAction.CHANGED for line in change.lines)


def test_the_conformance_860_gets_a_clean_answer() -> None:
    """OopFactory's 860 sample is broken (an N1 without its terminator): refused with the reason."""
    result = edi.decode_all((CONFORMANCE / "oopfactory-x12/860_Example1.x12").read_bytes())
    errors = [result.error, *(m.error for m in result.messages)]
    assert any(e is not None and "SE01" in str(e) for e in errors)


def test_an_unknown_line_code_is_refused_with_its_segment() -> None:
    data = edi.encode(CHANGE, format="edifact", envelope=ENVELOPE).replace(b"LIN+2+2'", b"LIN+2+9'")
    (message,) = edi.decode_all(data).messages
    assert isinstance(message.error, MappingError)
    assert "LIN 1229 '9' is not a line change code" in str(message.error)
    assert message.error.position is not None and message.error.position.segment_tag == "LIN"


def test_an_order_change_without_the_order_reference_is_refused() -> None:
    data = edi.encode(CHANGE, format="edifact", envelope=ENVELOPE).replace(b"RFF+ON:", b"RFF+CR:")
    (message,) = edi.decode_all(data).messages
    assert message.error is not None and "RFF+ON order number" in str(message.error)
    x12 = edi.encode(CHANGE, format="x12", envelope=ENVELOPE).replace(b"POC*3*AI*2.5*", b"POC*3*ZZ*2.5*")
    (bad,) = edi.decode_all(x12).messages
    assert bad.error is not None and "POC02 change type 'ZZ'" in str(bad.error)


def test_an_860_needs_the_orders_date() -> None:
    with pytest.raises(EncodeError, match="BCH06"):
        edi.encode(replace(CHANGE, order_date=None), format="x12", envelope=ENVELOPE)


_lines = st.lists(
    st.builds(
        OrderChangeLine,
        line_id=st.integers(1, 999).map(str),
        action=st.sampled_from(ChangeAction),
        quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3),
        requested_date=st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
        unit_price=st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal(9999), places=2),
        buyer_article=st.none() | st.from_regex(r"[A-Z]{1,3}-[0-9]{1,5}", fullmatch=True),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None)
@given(lines=_lines, fmt=st.sampled_from(["edifact", "x12", "ubl"]))
def test_any_change_survives_its_format(lines: list[OrderChangeLine], fmt: str) -> None:
    # a cancelled line carries its identification only
    lines = [
        replace(line, quantity=None, unit_price=None, requested_date=None, buyer_article=None)
        if line.action is ChangeAction.CANCELLED
        else line
        for line in lines
    ]
    change = replace(CHANGE, lines=tuple(lines))
    data = edi.encode(change, format=fmt, envelope=ENVELOPE)
    assert _decoded(data) == replace(change, **NOT_CARRIED[fmt])  # type: ignore[arg-type]
