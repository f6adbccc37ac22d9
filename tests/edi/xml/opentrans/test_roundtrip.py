"""decode -> encode -> decode keeps every valid corpus sample, and what we write is XSD-valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from edi.documents import Document, Message
from edi.errors import EdiError
from edi.xml.opentrans import decode, encode
from tests.edi.corpus import CORPUS, corpus_files
from tests.edi.xml.opentrans.xsd import xsd_errors

SAMPLES = CORPUS / "xml" / "opentrans21" / "samples"
VALID = [p for p in corpus_files("xml/opentrans21/samples", "*.xml") if "_invalid" not in p.name]


def _accepted(path: Path) -> bool:
    try:
        return decode(path.read_bytes()).ok
    except EdiError:
        return False


def _document(message: Message) -> Document:
    assert message.document is not None, message.error
    return message.document


ACCEPTED = [p for p in VALID if _accepted(p)]


def _id(path: Path) -> str:
    return path.relative_to(SAMPLES).as_posix()


def test_most_samples_take_part_in_the_round_trip() -> None:
    # 30 samples: 2 content-invalid, 2 with dangling IDREFs, INVOICELIST is not mapped
    assert len(ACCEPTED) == 25


@pytest.mark.parametrize("path", ACCEPTED, ids=_id)
def test_round_trip_keeps_the_document(path: Path) -> None:
    first = decode(path.read_bytes())
    again = decode(encode(_document(first), envelope=first.envelope))
    assert again.ok, again.error
    assert again.document == first.document
    assert again.message_type == first.message_type
    assert (again.envelope.sender, again.envelope.recipient) == (
        first.envelope.sender,
        first.envelope.recipient,
    )
    assert again.envelope.control_reference == first.envelope.control_reference
    assert again.envelope.prepared_at == first.envelope.prepared_at


@pytest.mark.parametrize("path", ACCEPTED, ids=_id)
def test_encoded_sample_is_xsd_valid(path: Path) -> None:
    first = decode(path.read_bytes())
    assert xsd_errors(encode(_document(first), envelope=first.envelope)) == []


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_corpus_sample_is_xsd_valid(path: Path) -> None:
    # the corpus claims 30/30 XSD-valid; this also shows the test-side validator loads every import
    assert xsd_errors(path.read_bytes()) == []


def test_xsd_check_finds_an_element_out_of_order() -> None:
    first = decode((SAMPLES / "naugrimm" / "minimal_valid_order.xml").read_bytes())
    data = encode(_document(first))
    broken = data.replace(b"<QUANTITY>10.0</QUANTITY>", b"").replace(
        b"</PRODUCT_ID>", b"</PRODUCT_ID>\n<QUANTITY>abc</QUANTITY>"
    )
    assert broken != data
    assert xsd_errors(broken)
