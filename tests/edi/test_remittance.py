"""Remittance advice (issue #17.4): EDIFACT REMADV and X12 820 write what they read, credit notes
taken off included; bad files fail with a position; formats without one refuse it by name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edi
import edi.documents as doc
from edi.errors import EdiError

PAYER = doc.Party(name="Wärmewerk GmbH", gln="4012345000016")
PAYEE = doc.Party(name="NordTec", gln="4023456000017")
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


def advice(*lines: doc.RemittanceLine) -> doc.RemittanceAdvice:
    lines = lines or (
        doc.RemittanceLine("INV-1", Decimal("148.75"), Decimal("297.5"), date(2030, 1, 5)),
        doc.RemittanceLine("GS-1", Decimal("-10")),
    )
    return doc.RemittanceAdvice(
        "PAY-1",
        date(2030, 2, 1),
        date(2030, 2, 3),
        "EUR",
        PAYER,
        PAYEE,
        sum((line.amount_paid for line in lines), Decimal(0)),
        lines,
    )


@pytest.mark.parametrize(("fmt", "message_type"), [("edifact", "REMADV"), ("x12", "820")])
def test_remittance_advice_reads_back_as_written(fmt: str, message_type: str) -> None:
    written = advice()
    data = edi.encode(written, format=fmt, envelope=ENVELOPES[fmt])
    decoded = edi.decode_all(data)
    assert decoded.error is None
    (message,) = decoded.messages
    assert (message.message_type, message.error, message.warnings) == (message_type, None, ())
    assert message.document == written
    again = edi.encode(message.document, format=fmt, envelope=ENVELOPES[fmt])
    assert edi.decode_all(again).messages[0].document == written


AMOUNTS = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2).filter(bool)
NUMBERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/", min_size=1, max_size=20)


@settings(max_examples=40, deadline=None)
@given(
    fmt=st.sampled_from(["edifact", "x12"]),
    lines=st.lists(
        st.builds(
            doc.RemittanceLine,
            NUMBERS,
            AMOUNTS,
            st.none() | AMOUNTS.map(abs),
            st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
        ),
        min_size=1,
        max_size=5,
    ),
)
def test_any_remittance_advice_round_trips(fmt: str, lines: list[doc.RemittanceLine]) -> None:
    written = advice(*lines)
    data = edi.encode(written, format=fmt, envelope=ENVELOPES[fmt])
    assert edi.decode_all(data).messages[0].document == written


def test_a_remadv_without_a_settled_document_fails_with_its_position() -> None:
    data = edi.encode(advice(), format="edifact", envelope=EDIFACT)
    broken = data.replace(
        b"DOC+380+INV-1'MOA+12:148.75'MOA+77:297.5'DTM+137:20300105:102'DOC+381+GS-1'MOA+12:-10'", b""
    )
    broken = broken.replace(b"UNT+15+", b"UNT+9+")
    (message,) = edi.decode_all(broken).messages
    assert isinstance(message.error, EdiError)
    assert "DOC settled document" in str(message.error)


def test_an_820_without_bpr_fails() -> None:
    data = edi.encode(advice(), format="x12", envelope=X12).decode()
    start = data.index("BPR*")
    broken = data[:start] + data[data.index("~", start) + 1 :]
    broken = broken.replace("SE*12*", "SE*11*")
    (message,) = edi.decode_all(broken.encode()).messages
    assert message.error is not None and "BPR" in str(message.error)


@pytest.mark.parametrize("fmt", ["ubl", "cii", "opentrans"])
def test_formats_without_a_remittance_advice_refuse_it(fmt: str) -> None:
    with pytest.raises(EdiError, match="RemittanceAdvice"):
        edi.encode(advice(), format=fmt, envelope=EDIFACT)
