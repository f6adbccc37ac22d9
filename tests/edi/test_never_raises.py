"""``edi.decode_all`` and ``edi.acknowledgement`` never raise, whatever the bytes, and every
acknowledgement they give can be written (issue #12 item 1): one bad inbound file must fail alone.

Arbitrary bytes, bytes behind each format's header, and corpus files of every format mutated by byte
flips, truncation and insertion; plus the files the issue names (UBL invoice, UBL order response,
XRechnung, PDFs with a flate bomb, a JBIG2 filter and an embedded file that is no stream)."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import edi
from edi.documents import Acknowledgement, AckStatus, Envelope
from edi.errors import EdiError, UnsafeXmlError, UnsupportedError
from tests.edi.corpus import CORPUS, corpus_bytes
from tests.edi.xml import _pdfs

ISA = (
    b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    b"*240101*1200*U*00401*000000001*0*P*>~"
)
ENVELOPE = Envelope(sender="OURS", recipient="THEIRS", control_reference="77")

# one or two real files per format: the seeds the mutations start from
SEEDS = {
    "edifact": ["edi/edifact/orders/orders_d96a_ean008_retail_sample1.edi"],
    "x12": ["edi/x12/850/850_4010_bots_01.x12"],
    "ubl": [
        "xml/ubl21/samples/UBL-Invoice-2.1-Example.xml",
        "xml/ubl21/samples/UBL-OrderResponse-2.1-Example.xml",
    ],
    "cii": ["xml/xrechnung/cii/01.01a-INVOICE_uncefact.xml"],
    "opentrans": [
        "xml/opentrans21/samples/naugrimm/Example_ORDERRESPONSE_Testdistributor_Auftragsbestaetigung.xml"
    ],
    "zugferd": ["xml/zugferd-facturx/samples/akretion/invoice_EN16931.pdf"],
}


@functools.cache
def seed_bytes() -> dict[str, list[bytes]]:
    """The seeds' content, read when a test first needs it (without the corpus: that test skips)."""
    return {fmt: [corpus_bytes(p) for p in paths] for fmt, paths in SEEDS.items()}


FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _check(data: bytes) -> edi.Decoded:
    """What the worker does with a file: decode, acknowledge, write the acknowledgement."""
    decoded = edi.decode_all(data)
    assert isinstance(decoded, edi.Decoded)
    if decoded.error is not None:
        assert isinstance(decoded.error, EdiError) and str(decoded.error).strip()
    for message in decoded.messages:
        if message.error is not None:
            assert str(message.error).strip()
    ack = edi.acknowledgement(decoded)
    if ack is not None:
        assert edi.encode_acknowledgement(decoded, ack, ENVELOPE)
    return decoded


def test_seeds_decode_cleanly() -> None:
    """The mutations start from good files (else the properties below test only error paths)."""
    for fmt, seeds in seed_bytes().items():
        for data in seeds:
            decoded = _check(data)
            assert decoded.format == fmt and decoded.ok and decoded.messages, fmt


@pytest.mark.parametrize(
    "path",
    [
        "xml/ubl21/samples/UBL-Invoice-2.1-Example.xml",
        "xml/ubl21/samples/UBL-OrderResponse-2.1-Example.xml",
        "xml/xrechnung/ubl/01.01a-INVOICE_ubl.xml",
        "xml/xrechnung/cii/01.01a-INVOICE_uncefact.xml",
    ],
)
def test_xml_business_document_gets_a_writable_application_response(path: str) -> None:
    decoded = edi.decode_all((CORPUS / path).read_bytes())
    ack = edi.acknowledgement(decoded)
    assert isinstance(ack, Acknowledgement) and ack.issue_date is not None
    written = edi.encode_acknowledgement(decoded, ack, ENVELOPE)
    assert written is not None
    back = edi.decode_all(written)
    assert back.format == "ubl" and back.messages[0].message_type == "ApplicationResponse", back.error
    answer = back.messages[0].document
    assert isinstance(answer, Acknowledgement)
    assert (
        answer.status is ack.status
        and answer.interchange_reference == decoded.messages[0].envelope.control_reference
    )


def test_rejected_xml_document_acknowledgement_says_why() -> None:
    data = (CORPUS / SEEDS["ubl"][0]).read_bytes().replace(b"<cbc:IssueDate>", b"<cbc:IssueDate>x", 1)
    decoded = edi.decode_all(data)
    assert decoded.messages and decoded.messages[0].error is not None
    ack = edi.acknowledgement(decoded)
    assert ack is not None and ack.status is AckStatus.REJECTED
    assert ack.errors and "IssueDate" in (ack.errors[0].text or "")
    written = edi.encode_acknowledgement(decoded, ack, ENVELOPE)
    assert written is not None and b"IssueDate" in written


def test_x12_file_without_functional_group_has_no_997_instead_of_an_exception() -> None:
    decoded = edi.decode_all(ISA + b"TA1*000000001*240101*1200*A*000~IEA*0*000000001~")
    assert decoded.format == "x12"
    assert edi.acknowledgement(decoded) is None


@pytest.mark.parametrize(
    ("build", "error", "reason"),
    [
        (_pdfs.flate_bomb, UnsafeXmlError, "inflates to more than"),
        (_pdfs.jbig2, UnsupportedError, "filter this reader does not decode"),
        (_pdfs.not_a_stream, EdiError, "is not a file stream"),
        (_pdfs.number_instead_of_file, EdiError, "is not a file stream"),
    ],
    ids=["flate-bomb-200MiB", "jbig2", "dictionary-not-stream", "number-not-stream"],
)
def test_hostile_pdf_is_a_decode_error_with_its_reason(build, error, reason) -> None:  # type: ignore[no-untyped-def]
    decoded = _check(build())
    assert decoded.format == "zugferd"
    assert isinstance(decoded.error, error), decoded.error
    assert reason in str(decoded.error) and "factur-x.xml" in str(decoded.error)
    assert edi.acknowledgement(decoded) is None


def test_hand_built_pdf_with_a_good_invoice_still_decodes() -> None:
    """The builder makes readable PDFs: the failures above are the faults, not the builder."""
    decoded = _check(_pdfs.embedded((CORPUS / SEEDS["cii"][0]).read_bytes()))
    assert decoded.format == "zugferd" and decoded.ok and decoded.messages


# -- properties ------------------------------------------------------------------------------------
HEADERS = [
    b"UNA:+.? 'UNB+UNOC:3+S+R+240101:1200+1'UNH+1+ORDERS:D:96A:UN'",
    ISA + b"GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~",
    b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">',
    b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">',
    b'<ORDER xmlns="http://www.opentrans.org/XMLSchema/2.1" version="2.1">',
    b"%PDF-1.7\n",
]


@FAST
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check(data)


@FAST
@given(st.sampled_from(HEADERS), st.binary(max_size=2000))
def test_arbitrary_bytes_behind_a_format_header_never_raise(header: bytes, tail: bytes) -> None:
    _check(header + tail)


def _mutations() -> st.SearchStrategy[tuple[str, bytes]]:
    def mutate(draw: st.DrawFn) -> tuple[str, bytes]:
        fmt = draw(st.sampled_from(sorted(SEEDS)))
        data = bytearray(draw(st.sampled_from(seed_bytes()[fmt])))
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
            at = draw(st.integers(0, max(len(data) - 1, 0)))
            if kind == "flip" and data:
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif kind == "truncate":
                del data[at:]
            elif kind == "insert":
                data[at:at] = draw(
                    st.binary(min_size=1, max_size=16) | st.sampled_from([b"\x00", b"'", b"~", b"<", b"&"])
                )
            else:
                del data[at : at + draw(st.integers(1, 64))]
        return fmt, bytes(data)

    return st.composite(mutate)()


@FAST
@given(_mutations())
def test_mutated_corpus_files_never_raise(mutated: tuple[str, bytes]) -> None:
    _check(mutated[1])


def test_xml_errors_name_a_line_and_column() -> None:
    data = (CORPUS / SEEDS["ubl"][0]).read_bytes()
    broken = data[: len(data) // 2]
    decoded = _check(broken)
    assert decoded.error is not None and decoded.error.position is not None
    assert decoded.error.position.line is not None and "line" in str(decoded.error)
    etree.fromstring(data)  # the original is well-formed


def test_x12_group_with_a_non_numeric_control_number_gets_no_unwritable_997() -> None:
    data = ISA + b"GS*PO*S*R*20240101*1200*X*X*004010~ST*850*0001~SE*1*0001~GE*1*X~IEA*1*000000001~"
    decoded = edi.decode_all(data)
    assert decoded.format == "x12"
    assert edi.acknowledgement(decoded) is None


def test_xml_with_an_undeclared_root_prefix_is_a_syntax_error_with_its_position() -> None:
    data = (CORPUS / SEEDS["cii"][0]).read_bytes().replace(b"xmlns:rsm=", b"xmlns:rsX=", 1)
    decoded = _check(data)
    assert decoded.error is not None and decoded.error.position is not None
    assert decoded.error.position.line is not None
