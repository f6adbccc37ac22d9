"""A converted file is valid (issue #11 item 10): every corpus and conformance file that decodes is
written as EDIFACT and as X12; what is written decodes cleanly and holds no value longer than its
data element allows; what cannot be written is refused with an EncodeError naming the element."""

from __future__ import annotations

import dataclasses

import pytest

import edi
from edi.documents import Message
from edi.errors import EncodeError
from tests.edi.corpus import CORPUS, require_corpus

CONFORMANCE = CORPUS.parent / "conformance"
_SKIP = {".xsd", ".sch", ".xsl", ".xslt", ".md", ".json", ".txt", ".csv"}


def _messages() -> list[Message]:
    require_corpus()  # without it the list would be empty: the module skips (fails under CI)
    out: list[Message] = []
    for root in (CORPUS, CONFORMANCE):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() not in _SKIP):
            decoded = edi.decode_all(path.read_bytes())
            if decoded.error is None and decoded.messages:
                out += [m for m in decoded.messages if m.ok and m.document is not None]
    return out


MESSAGES = _messages()


@pytest.mark.parametrize("target", ["edifact", "x12"])
def test_every_convertible_file_converts_to_a_valid_file(target: str) -> None:
    written = refused = 0
    for message in MESSAGES:
        assert message.document is not None
        failure: EncodeError | None = None
        try:
            data = edi.encode(message.document, format=target, envelope=message.envelope)
        except EncodeError as exc:
            failure = exc
        except edi.errors.UnsupportedError:
            continue  # a document kind the target does not carry
        if failure is not None:
            # refused, never written invalid; a refusal for length names where
            if "characters where" in failure.message:
                where = failure.position
                assert where is not None and where.segment_tag and where.element, failure
            refused += 1
            continue
        written += 1
        again = edi.decode_all(data)
        assert again.error is None and again.ok, f"{message.envelope.control_reference}: {again.error}"
        problems = edi.check_elements(data)
        assert not problems, f"{message.envelope.control_reference}: {problems[0]}"
    assert written > {"edifact": 250, "x12": 80}[target], (written, refused)


def test_ubl_specification_urn_does_not_land_in_the_unh_association_code() -> None:
    checked = 0
    for message in MESSAGES:
        if message.format != "ubl" or len(message.envelope.association or "") <= 6:
            continue
        assert message.document is not None
        envelope = dataclasses.replace(message.envelope, sender="S", recipient="R", control_reference="1")
        try:
            data = edi.encode(message.document, format="edifact", envelope=envelope)
        except (EncodeError, edi.errors.UnsupportedError):
            continue
        unh = next(seg for seg in data.decode("latin-1").split("'") if seg.startswith("UNH"))
        s009 = unh.split("+")[2].split(":")
        association = s009[4] if len(s009) > 4 else ""  # APERAK has no EANCOM subset here
        # EANCOM subsets: EAN008 INVOIC, EAN005 ORDERS and its kin, EAN001 COMDIS (an invoice response)
        allowed = ("", "EAN001", "EAN005", "EAN008")
        assert association in allowed and envelope.association not in data.decode("latin-1")
        assert edi.check_elements(data) == []
        checked += 1
    assert checked > 20


def test_validation_finds_an_overlong_unh_association_code() -> None:
    data = (
        b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+240101:1200+1'"
        b"UNH+1+ORDERS:D:96A:UN:urn?:cen.eu?:en16931?:2017#compliant#urn?:x'"
        b"BGM+220+PO1+9'DTM+137:20240101:102'NAD+BY+4012345000009::9'NAD+SU+4012345000016::9'"
        b"LIN+1++4012345000023:EN'QTY+21:1'UNS+S'UNT+9+1'UNZ+1+1'"
    )
    problems = edi.check_elements(data)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.position is not None
    assert (problem.position.segment_tag, problem.position.element, problem.position.component) == (
        "UNH",
        2,
        5,
    )
    assert problem.position.line == 1 and problem.position.offset == data.index(b"UNH")
    assert "an..6" in problem.message


def test_encoder_refuses_an_overlong_identifier_naming_the_element() -> None:
    message = next(m for m in MESSAGES if m.format == "edifact" and m.message_type == "ORDERS")
    assert message.document is not None
    document = dataclasses.replace(message.document, number="X" * 36)  # type: ignore[type-var]
    with pytest.raises(EncodeError, match=r"BGM element 2.*an\.\.35") as refused:
        edi.encode(document, format="edifact", envelope=message.envelope)
    assert refused.value.position is not None and refused.value.position.segment_tag == "BGM"


def test_long_names_and_notes_are_spread_over_their_components_and_come_back_whole() -> None:
    sample = CORPUS / "edi/edifact/orders/orders_d96a_ean008_retail_sample1.edi"
    message = edi.decode_all(sample.read_bytes()).messages[0]
    document = message.document
    assert document is not None
    name = "Hausverwaltung und Gebäudetechnik Nordwestdeutschland Gesellschaft mit beschränkter Haftung"
    note = " ".join(["Bitte liefern Sie an die Rampe drei, nicht an den Haupteingang."] * 4)
    buyer = dataclasses.replace(document.buyer, name=name)  # type: ignore[union-attr]
    changed = dataclasses.replace(document, buyer=buyer, note=note)  # type: ignore[type-var]
    version = message.envelope.version
    data = edi.encode(changed, format="edifact", envelope=message.envelope, version=version)
    assert edi.check_elements(data) == []
    back = edi.decode_all(data).messages[0].document
    assert back is not None
    assert back.buyer.name == name and back.note == note  # type: ignore[union-attr]


X12_850 = CORPUS / "edi/x12/850/850_4010_nodex12.edi"


def test_x12_encoder_refuses_a_name_longer_than_n102_allows() -> None:
    message = edi.decode_all(X12_850.read_bytes()).messages[0]
    document = message.document
    assert document is not None
    buyer = dataclasses.replace(document.buyer, name="N" * 61)  # type: ignore[union-attr]
    with pytest.raises(EncodeError, match=r"N102: 61 characters where AN 1/60 allows 60") as refused:
        edi.encode(dataclasses.replace(document, buyer=buyer), format="x12", envelope=message.envelope)  # type: ignore[type-var]
    assert refused.value.position is not None and refused.value.position.segment_tag == "N1"


def test_x12_validation_finds_an_overlong_purchase_order_number() -> None:
    data = X12_850.read_bytes()
    message = edi.decode_all(data).messages[0]
    number = message.document.number.encode()  # type: ignore[union-attr]
    longer = data.replace(b"*" + number + b"*", b"*" + number + b"X" * 30 + b"*", 1)
    problems = edi.check_elements(longer)
    assert [p.position.segment_tag for p in problems if p.position] == ["BEG"]
    assert "BEG03" in problems[0].message and problems[0].position is not None
    assert problems[0].position.offset == longer.index(b"BEG")
