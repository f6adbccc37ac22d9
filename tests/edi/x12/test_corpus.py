"""Every X12 corpus file with its expected outcome, and decode -> encode -> decode round trips."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from edi.documents import (
    Acknowledgement,
    AckStatus,
    DespatchAdvice,
    Envelope,
    Invoice,
    LineStatus,
    OrderResponse,
    PurchaseOrder,
    ResponseStatus,
)
from edi.errors import EdiSyntaxError, MappingError, UnsupportedError
from edi.x12 import DecodeResult, decode_all, encode, parse_segments, serialize_segments
from tests.edi.corpus import CORPUS, corpus_files

FILES = corpus_files("edi/x12")
BASE = CORPUS / "edi" / "x12"


def _name(path: Path) -> str:
    return path.relative_to(BASE).as_posix()


def _ok(result: DecodeResult, count: int) -> None:
    assert result.error is None
    assert len(result.messages) == count
    assert all(m.ok for m in result.messages), [m.error for m in result.messages]


def check_810_bots(r: DecodeResult) -> None:
    _ok(r, 2)
    inv = r.messages[0].document
    assert isinstance(inv, Invoice)
    assert (inv.number, inv.order_number, inv.issue_date) == ("465266", "539893", date(2002, 5, 24))
    assert inv.seller.name == "BARRY AND LAMB CAN"
    assert inv.buyer.name == "MACDONALDS CONSOLIDATED LTD"
    assert len(inv.lines) == 4
    assert (inv.lines[0].quantity, inv.lines[0].unit, inv.lines[0].net_price) == (
        Decimal(16),
        "CS",
        Decimal("52.56"),
    )
    assert inv.lines[0].gtin == "001055503223"
    assert inv.totals.payable == Decimal("8432.02")
    assert inv.payment_terms is not None
    assert inv.payment_terms.due_date == date(2002, 6, 23)
    assert r.messages[0].warnings == ("no CUR segment; currency assumed to be USD",)


def check_810_staedi(r: DecodeResult) -> None:
    _ok(r, 2)
    inv = r.messages[0].document
    assert isinstance(inv, Invoice)
    assert (inv.number, inv.order_number) == ("00001", "A99999-01")
    assert len(inv.lines) == 7
    assert inv.lines[1].quantity == 13
    assert inv.lines[0].description == "CRUNCHY CHIPS LSS"
    assert inv.totals.payable == Decimal("2554.38")
    assert inv.ship_to is not None
    assert inv.ship_to.address is not None
    assert inv.ship_to.address.city == "ATHENS"
    assert inv.payee is not None
    assert inv.payee.name == "FOODSELLER"


def check_850_bots(r: DecodeResult) -> None:
    _ok(r, 1)
    po = r.messages[0].document
    assert isinstance(po, PurchaseOrder)
    assert (po.number, po.issue_date, len(po.lines)) == ("91393058", date(1997, 11, 7), 8)
    assert po.buyer.party_id == "33333"
    assert po.delivery_party is not None
    assert po.delivery_party.address is not None
    assert po.delivery_party.address.postal_code == "00928"
    line = po.lines[0]
    assert (line.line_id, line.quantity, line.unit_price, line.buyer_article) == (
        "1",
        Decimal(6),
        Decimal(12),
        "17920108",
    )
    assert line.description == "KAK S/S PRINT CAMP"
    assert r.messages[0].envelope.syntax == "00302"


def check_850_nodex12(r: DecodeResult) -> None:
    _ok(r, 1)
    po = r.messages[0].document
    assert isinstance(po, PurchaseOrder)
    assert po.number == "08292233294"
    assert po.requested_delivery_date == date(2010, 12, 14)
    assert len(po.lines) == 6
    assert po.lines[5].quantity == 696
    assert po.lines[0].unit_price == Decimal("9.25")
    assert po.lines[0].supplier_article == "AB3542"
    env = r.messages[0].envelope
    assert (env.sender, env.sender_qualifier, env.recipient, env.control_reference) == (
        "4405197800",
        "12",
        "999999999",
        "000003438",
    )
    assert (env.group_reference, env.message_reference, env.version) == ("1421", "000000010", "004010VICS")
    assert env.prepared_at == datetime(2010, 11, 27, 17, 19, tzinfo=UTC)


def check_850_vics(r: DecodeResult) -> None:
    _ok(r, 4)
    po = r.messages[0].document
    assert isinstance(po, PurchaseOrder)
    assert (po.number, po.currency, len(po.lines)) == ("15918851602", "CAD", 64)
    assert po.lines[0].gtin == "058824014093"
    assert po.lines[0].quantity == 7


def check_855_ucs(r: DecodeResult) -> None:
    _ok(r, 6)
    resp = r.messages[0].document
    assert isinstance(resp, OrderResponse)
    assert (resp.order_number, resp.status, len(resp.lines)) == ("194207", ResponseStatus.ACCEPTED, 26)
    assert all(line.status is LineStatus.ACCEPTED for line in resp.lines)
    assert resp.lines[0].quantity == 102


def check_855_nodex12(r: DecodeResult) -> None:
    _ok(r, 1)
    resp = r.messages[0].document
    assert isinstance(resp, OrderResponse)
    assert (resp.order_number, resp.issue_date, resp.currency) == ("POTEST1112", date(2020, 10, 15), "USD")
    assert [line.status for line in resp.lines] == [
        LineStatus.ACCEPTED,
        LineStatus.REJECTED,
        LineStatus.REJECTED,
        LineStatus.ACCEPTED,
    ]
    assert resp.lines[1].quantity == 0
    assert resp.lines[0].gtin == "9780446360265"
    assert resp.lines[0].unit_price == Decimal("4.5")


def check_856_bots(r: DecodeResult) -> None:
    _ok(r, 1)
    asn = r.messages[0].document
    assert isinstance(asn, DespatchAdvice)
    assert (asn.number, asn.order_number, asn.issue_date) == ("15918861602", "ordernumber", date(2004, 8, 5))
    assert [p.sscc for p in asn.packages] == [
        "0000123456781234567892",
        "0000123456781234567891",
        "0000123456781234567890",
    ]
    assert len(asn.packages[0].lines) == 4
    assert len(asn.lines) == 58
    assert (asn.lines[0].line_id, asn.lines[0].quantity, asn.lines[0].gtin) == (
        "4",
        Decimal(11),
        "058824077500",
    )
    assert asn.expected_delivery_date == date(2004, 8, 5)


def check_856_nodex12(r: DecodeResult) -> None:
    _ok(r, 1)
    asn = r.messages[0].document
    assert isinstance(asn, DespatchAdvice)
    assert (asn.number, asn.order_number, asn.tracking_number, asn.carrier) == (
        "829716",
        "99999817",
        "5787970539",
        "XXXX",
    )
    assert asn.despatch_date == date(2011, 12, 6)
    assert [p.sscc for p in asn.packages] == [None]
    assert [(line.quantity, line.supplier_article) for line in asn.lines] == [
        (Decimal(24), "87787D"),
        (Decimal(6), "99887D"),
    ]
    assert asn.seller.name == "1 EDI SOURCE"
    assert r.messages[0].envelope.syntax == "00406"


def check_997_vics(r: DecodeResult) -> None:
    _ok(r, 1)
    ack = r.messages[0].document
    assert isinstance(ack, Acknowledgement)
    assert (ack.group_reference, ack.status) == ("10001", AckStatus.ACCEPTED)
    assert [(m.message_type, m.message_reference) for m in ack.messages] == [("855", "1294")]


def check_997_staedi(r: DecodeResult) -> None:
    _ok(r, 1)
    ack = r.messages[0].document
    assert isinstance(ack, Acknowledgement)
    assert ack.status is AckStatus.REJECTED
    errors = ack.messages[0].errors
    assert [(e.code, e.segment_tag, e.segment_index, e.element) for e in errors] == [
        ("8", "NM1", 8, None),
        ("7", "NM1", 8, 8),
        ("5", None, None, None),
    ]
    assert errors[1].text == "MI"


def check_999_staedi(r: DecodeResult) -> None:
    _ok(r, 1)
    ack = r.messages[0].document
    assert isinstance(ack, Acknowledgement)
    assert ack.status is AckStatus.PARTIALLY_ACCEPTED
    assert [m.status for m in ack.messages] == [AckStatus.ACCEPTED, AckStatus.REJECTED, AckStatus.REJECTED]
    assert ack.messages[2].errors[0].segment_tag == "REF"


def check_850_small(r: DecodeResult) -> None:
    _ok(r, 1)
    po = r.messages[0].document
    assert isinstance(po, PurchaseOrder)
    assert (po.number, len(po.lines)) == ("12345678", 4)
    assert (po.lines[1].quantity, po.lines[1].unit, po.lines[1].unit_price) == (
        Decimal(2),
        "CS",
        Decimal("26.28"),
    )


def check_broken_997(r: DecodeResult) -> None:
    assert r.error is None
    (message,) = r.messages
    assert isinstance(message.error, MappingError)
    assert message.error.code == "7"
    assert message.error.position is not None
    assert (message.error.position.segment_tag, message.error.position.element) == ("AK1", 1)
    assert "HC NOT IN CODESET" in str(message.error)


def check_garbage_after_iea(r: DecodeResult) -> None:
    assert [m.ok for m in r.messages] == [True]
    assert type(r.error) is EdiSyntaxError
    assert "unexpected data after IEA" in r.error.message
    assert r.error.position is not None
    assert (r.error.position.line, r.error.position.column, r.error.position.offset) == (50, 1, 1482)


def check_adobe_810(r: DecodeResult) -> None:
    _ok(r, 1)
    inv = r.messages[0].document
    assert isinstance(inv, Invoice)
    assert (inv.number, inv.order_number, inv.currency) == ("0013833070", "V8748745", "USD")
    line = inv.lines[0]
    assert (line.line_id, line.quantity, line.net_price) == ("000010", Decimal(1), Decimal(160))
    assert (line.gtin, line.supplier_article, line.buyer_article) == (
        "883919019161",
        "65008841AB02A00",
        "7167946",
    )
    assert inv.totals.payable == Decimal("160.00")
    assert inv.seller.name == "ADOBE SYSTEMS INCORPORATED"
    assert inv.buyer.party_id == "0000012137"


def check_ta1(r: DecodeResult) -> None:
    _ok(r, 2)
    ta1 = r.messages[0]
    assert ta1.message_type == "TA1"
    assert isinstance(ta1.document, Acknowledgement)
    assert (ta1.document.interchange_reference, ta1.document.status) == ("000017456", AckStatus.ACCEPTED)
    assert r.messages[1].message_type == "810"


def check_two_groups(r: DecodeResult) -> None:
    _ok(r, 3)
    assert [m.message_type for m in r.messages] == ["810", "810", "850"]
    assert [m.envelope.group_reference for m in r.messages] == ["1", "1", "165"]
    po = r.messages[2].document
    assert isinstance(po, PurchaseOrder)
    assert (po.number, po.issue_date, po.buyer.name) == (
        "S115921858",
        date(2004, 3, 17),
        "SHIPPING GROUP, INC.",
    )


def check_two_interchanges(r: DecodeResult) -> None:
    _ok(r, 2)
    assert [m.envelope.sender_qualifier for m in r.messages] == ["16", "17"]


def check_ellipsis(r: DecodeResult) -> None:
    assert r.error is None
    (message,) = r.messages
    assert message.message_type == "214"
    assert isinstance(message.error, UnsupportedError)
    assert message.error.code == "1"
    assert message.segment_count == 20


EXPECTED: dict[str, Callable[[DecodeResult], None]] = {
    "810/810_4010_bots.x12": check_810_bots,
    "810/810_4010_staedi.edi": check_810_staedi,
    "850/850_4010_bots_01.x12": check_850_bots,
    "850/850_4010_nodex12.edi": check_850_nodex12,
    "850/850_4010_vics_large.x12": check_850_vics,
    "855/855_4010_ucs_bots.x12": check_855_ucs,
    "855/855_nodex12.edi": check_855_nodex12,
    "856/856_4010_bots_1.x12": check_856_bots,
    "856/856_4060_nodex12.edi": check_856_nodex12,
    "997/997_4010_vics_bots.x12": check_997_vics,
    "997/997_5010_staedi.edi": check_997_staedi,
    "997/999_5010_staedi.edi": check_999_staedi,
    "edge/850_ebcdic.x12": check_850_small,
    "edge/850_lf_between_segments.x12": check_850_small,
    "edge/broken_997_invalid.edi": check_broken_997,
    "edge/broken_garbage_after_iea.edi": check_garbage_after_iea,
    "edge/newline_segment_terminator.edi": check_adobe_810,
    "edge/pipe_element_separator.edi": check_adobe_810,
    "edge/repetition_separator.edi": check_adobe_810,
    "edge/ta1_interchange_ack.edi": check_ta1,
    "edge/two_groups_810_and_850.edi": check_two_groups,
    "edge/two_interchanges_one_file.edi": check_two_interchanges,
    "edge/unicode_ellipsis_segment_terminator.edi": check_ellipsis,
}
ENVELOPE = Envelope(
    sender="US",
    recipient="THEM",
    control_reference="9",
    message_reference="1",
    prepared_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
)


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(_name(p) for p in FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_corpus_file_decodes_as_expected(path: Path) -> None:
    EXPECTED[_name(path)](decode_all(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_corpus_documents_survive_encode_and_decode(path: Path) -> None:
    messages = [m for m in decode_all(path.read_bytes()).messages if m.ok]
    if "broken_997" in path.name or "ellipsis" in path.name:
        assert messages == []
        return
    assert messages
    for message in messages:
        ack_type = message.message_type if message.message_type in ("999", "TA1") else "997"
        again = decode_all(encode(message.document, ENVELOPE, ack_type=ack_type))  # type: ignore[arg-type]
        assert again.error is None
        assert [m.document for m in again.messages] == [message.document]


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_corpus_segments_survive_serialize_and_parse(path: Path) -> None:
    data = path.read_bytes()
    if path.name.startswith("broken_garbage"):
        with pytest.raises(EdiSyntaxError, match="after IEA"):
            list(parse_segments(data))
        return
    segments = list(parse_segments(data))
    assert segments[0][0] == "ISA"
    assert segments[-1][0] == "IEA"
    assert list(parse_segments(serialize_segments(segments))) == segments
