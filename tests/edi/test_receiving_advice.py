"""Receiving advice (issue #17.3): EDIFACT RECADV and X12 861 write what they read (damages, reasons,
notes, the order line and the ship notice), property-tested like the other documents; bad files fail
with a position; the reasons travel as the directories' codes (UNTDID 4221, X12 412) where one fits,
the mutually defined codes of before are still read, and an unknown code reads as "other" with a
warning."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edi
import edi.documents as doc

BUYER = doc.Party(name="Wärmewerk GmbH", gln="4012345000016")
SELLER = doc.Party(name="NordTec", gln="4023456000017")
EDIFACT = doc.Envelope(
    sender="4012345000016",
    recipient="4023456000017",
    control_reference="9",
    sender_qualifier="14",
    recipient_qualifier="14",
)
X12 = doc.Envelope(
    sender="OWNER",
    recipient="NORDTEC",
    control_reference="9",
    sender_qualifier="ZZ",
    recipient_qualifier="ZZ",
)
ENVELOPES = {"edifact": EDIFACT, "x12": X12}
TYPES = {"edifact": "RECADV", "x12": "861"}


def advice(*lines: doc.ReceivingLine, despatch: str | None = "DN-4711") -> doc.ReceivingAdvice:
    lines = lines or (
        doc.ReceivingLine("1", Decimal(10), order_line_id="1", gtin="4000000000106", description="Pumpe 100"),
        doc.ReceivingLine(
            "2",
            Decimal(4),
            quantity_damaged=Decimal(1),
            order_line_id="2",
            supplier_article="V-200",
            reason="damaged",
            note="Karton eingedrückt",
        ),
        doc.ReceivingLine("3", Decimal("2.5"), unit="KGM", order_line_id="3", reason="short"),
    )
    return doc.ReceivingAdvice(
        "WE-1", date(2030, 2, 1), date(2030, 1, 31), "SO-2030-000001", BUYER, SELLER, lines, despatch
    )


@pytest.mark.parametrize("fmt", ["edifact", "x12"])
def test_receiving_advice_reads_back_as_written(fmt: str) -> None:
    written = advice()
    data = edi.encode(written, format=fmt, envelope=ENVELOPES[fmt])
    decoded = edi.decode_all(data)
    assert decoded.error is None
    (message,) = decoded.messages
    assert (message.message_type, message.error, message.warnings) == (TYPES[fmt], None, ())
    assert message.document == written
    again = edi.encode(message.document, format=fmt, envelope=ENVELOPES[fmt])
    assert edi.decode_all(again).messages[0].document == written


QUANTITIES = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)
IDS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß", min_size=1, max_size=12)
NOTES = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)


@st.composite
def receiving_lines(draw: st.DrawFn, n: int) -> doc.ReceivingLine:
    quantity = draw(QUANTITIES)
    return doc.ReceivingLine(
        str(n),
        quantity,
        quantity_damaged=draw(st.sampled_from([Decimal(0), quantity])),
        order_line_id=draw(st.none() | st.just(str(n))),
        supplier_article=draw(st.none() | IDS),
        description=draw(st.none() | NOTES),
        reason=draw(st.none() | st.sampled_from(doc.RECEIVING_REASONS)),
        note=draw(st.none() | NOTES),
    )


@settings(max_examples=40, deadline=None)
@given(
    fmt=st.sampled_from(["edifact", "x12"]),
    count=st.integers(min_value=1, max_value=5),
    data=st.data(),
    despatch=st.none() | IDS,
)
def test_any_receiving_advice_round_trips(
    fmt: str, count: int, data: st.DataObject, despatch: str | None
) -> None:
    lines = tuple(data.draw(receiving_lines(n)) for n in range(1, count + 1))
    written = advice(*lines, despatch=despatch)
    message = edi.decode_all(edi.encode(written, format=fmt, envelope=ENVELOPES[fmt])).messages[0]
    assert message.error is None, message.error
    assert message.document == written


def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, (old, data)
    return data.replace(old, new, 1)


@pytest.mark.parametrize(
    ("fmt", "old", "new", "expected"),
    [
        ("edifact", b"QTY+48:10'", b"QTY+47:10'", "QTY+48"),
        ("edifact", b"RFF+ON:SO-2030-000001'", b"RFF+XX:SO-2030-000001'", "RFF+ON"),
        ("x12", b"PRF*SO-2030-000001~", b"REF*ZZ*SO-2030-000001~", "PRF"),
        ("x12", b"RCD*1*10", b"RCD*1*", "RCD02"),
    ],
)
def test_a_bad_file_fails_with_a_position(fmt: str, old: bytes, new: bytes, expected: str) -> None:
    data = _replace(edi.encode(advice(), format=fmt, envelope=ENVELOPES[fmt]), old, new)
    message = edi.decode_all(data).messages[0]
    assert message.error is not None and expected in str(message.error), message.error


@pytest.mark.parametrize(
    ("fmt", "old", "new"), [("edifact", b"QVR++AF'", b"QVR++XX'"), ("x12", b"**01~", b"**XX~")]
)
def test_an_unagreed_reason_code_reads_as_other_with_a_warning(fmt: str, old: bytes, new: bytes) -> None:
    data = _replace(edi.encode(advice(), format=fmt, envelope=ENVELOPES[fmt]), old, new)
    message = edi.decode_all(data).messages[0]
    assert message.error is None, message.error
    assert message.document.lines[1].reason == "other"  # type: ignore[union-attr]
    assert any("XX" in w and "other" in w for w in message.warnings)


WRITTEN = {
    # reason: (EDIFACT QVR 4221, X12 RCD08 412)
    "short": ("BP", "02"),
    "damaged": ("AF", "01"),
    "wrong_item": ("WI", "05"),
    "over": ("AC", "03"),
    "other": ("ZZZ", "ZZ"),
}


@pytest.mark.parametrize("reason", doc.RECEIVING_REASONS)
def test_each_reason_is_written_as_its_code(reason: str) -> None:
    line = doc.ReceivingLine("1", Decimal(3), order_line_id="1", reason=reason)
    edifact, x12 = WRITTEN[reason]
    written = edi.encode(advice(line), format="edifact", envelope=EDIFACT).decode("latin-1")
    assert f"QVR++{edifact}'" in written
    written = edi.encode(advice(line), format="x12", envelope=X12).decode()
    assert f"RCD*1*3*EA*****{x12}~" in written  # RCD08: 412 receiving condition


@pytest.mark.parametrize(
    ("fmt", "old", "code", "reason"),
    [
        ("edifact", b"QVR++AF'", "DA", "damaged"),
        ("edifact", b"QVR++AF'", "SH", "short"),
        ("edifact", b"QVR++AF'", "CP", "short"),  # shipment partial - considered complete
        ("edifact", b"QVR++AF'", "ZZ", "other"),
        ("x12", b"**01~", "DA", "damaged"),
        ("x12", b"**01~", "SH", "short"),
        ("x12", b"**01~", "WI", "wrong_item"),
        ("x12", b"**01~", "12", "over"),  # quantity over - returned to supplier
    ],
)
def test_the_codes_of_before_and_the_neighbours_are_read(
    fmt: str, old: bytes, code: str, reason: str
) -> None:
    new = old.replace(b"AF" if fmt == "edifact" else b"01", code.encode())
    message = edi.decode_all(_replace(edi.encode(advice(), format=fmt, envelope=ENVELOPES[fmt]), old, new))
    assert (message.messages[0].error, message.messages[0].warnings) == (None, ())
    assert message.messages[0].document.lines[1].reason == reason  # type: ignore[union-attr]
