"""The public surface of edi.edifact: pinned names, detect(), encode() arguments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import edi.edifact
from edi.documents import Envelope, OrderLine, Party, PurchaseOrder
from edi.edifact import decode, detect, encode, parse_segments
from edi.errors import EncodeError, UnsupportedError
from tests.edi.corpus import CORPUS

PO = PurchaseOrder(
    number="PO-1",
    issue_date=date(2026, 1, 1),
    buyer=Party(gln="5412345000013"),
    seller=Party(gln="4012345000009"),
    lines=(OrderLine("1", Decimal(3), gtin="4012345000016"),),
)
ENV = Envelope(
    sender="S",
    recipient="R",
    control_reference="CTRL7",
    message_reference="0041",
    prepared_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
)


def test_public_names_are_pinned() -> None:
    assert sorted(edi.edifact.__all__) == sorted(
        [
            "DEFAULT_CHARS",
            "DecodeResult",
            "Element",
            "Repetition",
            "Segment",
            "ServiceChars",
            "acknowledge",
            "decode",
            "decode_all",
            "detect",
            "encode",
            "parse_segments",
            "serialize_segments",
        ]
    )


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("orders/orders_d96a_plain_unoc3.edi", ("edifact", "ORDERS")),
        ("edge/utf8_bom.edi", ("edifact", "INVOIC")),
        ("edge/una_pipe_data_separator.edi", ("edifact", "INVOIC")),
        ("edge/una_all_nondefault_newline_terminator.edi", ("edifact", "INVOIC")),
        ("edge/wrapped_80_columns.edi", ("edifact", "INVOIC")),
        ("aperak/aperak_d96a_bots.edi", ("edifact", "APERAK")),
    ],
)
def test_detect_recognises_edifact(relative: str, expected: tuple[str, str | None]) -> None:
    assert detect((CORPUS / "edi" / "edifact" / relative).read_bytes()) == expected


def test_detect_rejects_other_formats() -> None:
    assert detect(b"ISA*00*          *00*") is None
    assert detect(b"<?xml version='1.0'?><Order/>") is None
    assert detect((CORPUS / "edi/edifact/edge/broken_bad_header_tag.edi").read_bytes()) is None
    assert detect(b"") is None


def test_encode_numbers_messages_from_the_envelope_reference() -> None:
    data = encode([PO, PO], ENV)
    refs = [seg[1] for seg in parse_segments(data) if seg[0] == "UNH"]
    assert refs == ["0041", "0042"]
    assert data.startswith(b"UNA:+.? 'UNB+UNOC:3+S+R+260102:0304+CTRL7'")
    assert data.endswith(b"UNZ+2+CTRL7'")
    assert [m.envelope.control_reference for m in decode(data)] == ["CTRL7", "CTRL7"]


def test_encode_writes_d96a_eancom_by_default_and_d01b_on_request() -> None:
    d96a = list(parse_segments(encode(PO, ENV)))
    d01b = list(parse_segments(encode(PO, ENV, version="D01B")))
    assert d96a[1][2] == ("ORDERS", "D", "96A", "UN", "EAN008")
    assert d01b[1][2] == ("ORDERS", "D", "01B", "UN", "EAN010")
    assert ("LIN", "1", "", ("4012345000016", "EN")) in d96a
    assert ("LIN", "1", "", ("4012345000016", "SRV")) in d01b


def test_encode_refuses_characters_outside_the_charset() -> None:
    doc = PurchaseOrder(**{**{f: getattr(PO, f) for f in PO.__dataclass_fields__}, "note": "Grüße €"})
    with pytest.raises(EncodeError, match="UNOC"):
        encode(doc, ENV)
    (message,) = decode(encode(doc, ENV, charset="UNOW"))
    assert isinstance(message.document, PurchaseOrder) and message.document.note == "Grüße €"
    with pytest.raises(EncodeError, match="UNOA"):
        encode(doc, ENV, charset="UNOA")


def test_encode_refuses_unknown_versions() -> None:
    with pytest.raises(UnsupportedError):
        encode(PO, ENV, version="D93A")
