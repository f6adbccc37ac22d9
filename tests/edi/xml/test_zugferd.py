from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject

import edi
from edi.documents import Invoice
from edi.errors import EdiSyntaxError, EncodeError, UnsafeXmlError, UnsupportedError
from edi.xml import codec
from edi.xml.zugferd import embed_xml, extract_xml
from tests.edi.corpus import CONFORMANCE
from tests.edi.xml._support import XML

PDF = XML / "zugferd-facturx/samples/akretion/invoice_EN16931.pdf"


def _pdf_with(name: str | None, payload: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if name is not None:
        writer.add_attachment(name, payload)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_factur_x_pdf_is_detected_and_decoded() -> None:
    data = PDF.read_bytes()
    assert codec.detect(data) == ("zugferd", "CrossIndustryInvoice")
    message = codec.decode(data)
    assert message.format == "zugferd" and isinstance(message.document, Invoice)
    assert message.document.number == "F20260023"
    # the embedded XML decodes to the same invoice as the Factur-X EN16931 sample it carries
    name, xml = extract_xml(data)
    assert name == "factur-x.xml"
    assert codec.decode(xml).document == message.document


@pytest.mark.parametrize(
    "name", ["factur-x.xml", "ZUGFeRD-invoice.xml", "zugferd-invoice.xml", "xrechnung.xml"]
)
def test_every_standard_attachment_name_is_found(name: str) -> None:
    xml = (XML / "xrechnung/cii/01.01a-INVOICE_uncefact.xml").read_bytes()
    data = _pdf_with(name, xml)
    assert extract_xml(data) == (name, xml)
    message = codec.decode(data)
    assert message.format == "zugferd" and isinstance(message.document, Invoice)


def test_pdf_without_invoice_attachment_is_unsupported() -> None:
    data = _pdf_with("readme.txt", b"hello")
    assert codec.detect(data) is None
    with pytest.raises(UnsupportedError, match=r"found: readme\.txt"):
        extract_xml(data)
    with pytest.raises(UnsupportedError, match="no ZUGFeRD / Factur-X invoice"):
        codec.decode(data)


def test_pdf_carrying_ubl_is_decoded_with_the_ubl_mapping() -> None:
    xml = (XML / "xrechnung/ubl/01.01a-INVOICE_ubl.xml").read_bytes()
    message = codec.decode(_pdf_with("xrechnung.xml", xml))
    assert (message.format, message.message_type) == ("zugferd", "Invoice")
    assert message.document == codec.decode(xml).document


def test_broken_pdf_is_a_syntax_error() -> None:
    with pytest.raises(EdiSyntaxError, match="PDF cannot be read"):
        extract_xml(b"%PDF-1.7\n" + b"\x00garbage" * 10)


def test_oversized_pdf_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        extract_xml(b"%PDF-1.7\n", max_bytes=4)


def test_embedded_xml_is_parsed_safely() -> None:
    hostile = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x:CrossIndustryInvoice '
        b'xmlns:x="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&e;</x:CrossIndustryInvoice>'
    )
    with pytest.raises(UnsafeXmlError):
        codec.decode(_pdf_with("factur-x.xml", hostile))


def test_invoice_embedded_in_a_pdf_is_read_back() -> None:
    invoice = codec.decode((XML / "xrechnung/cii/01.01a-INVOICE_uncefact.xml").read_bytes()).document
    assert isinstance(invoice, Invoice)
    xml = codec.encode(invoice, syntax="cii")
    data = embed_xml(_pdf_with(None, b""), xml)
    assert extract_xml(data) == ("factur-x.xml", xml)
    reader = PdfReader(io.BytesIO(data))
    associated = reader.root_object["/AF"].get_object()
    assert isinstance(associated, ArrayObject) and len(associated) == 1
    filespec = associated[0].get_object()
    assert isinstance(filespec, DictionaryObject) and str(filespec["/AFRelationship"]) == "/Alternative"
    assert codec.detect(data) == ("zugferd", "CrossIndustryInvoice")


def test_embed_refuses_unknown_attachment_names() -> None:
    with pytest.raises(EncodeError, match="must be named"):
        embed_xml(_pdf_with(None, b""), b"<x/>", name="invoice.xml")


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [
        (_pdf_with(None, b""), "carries no ZUGFeRD / Factur-X invoice .* found: none"),
        (_pdf_with("order-x.xml", b"<x/>"), "found: order-x.xml"),
        (b"%PDF-1.5\n%broken", "the PDF cannot be read"),
    ],
    ids=["no attachment", "other attachment", "unreadable"],
)
def test_detect_says_why_a_pdf_holds_no_invoice(pdf: bytes, reason: str) -> None:
    with pytest.raises((UnsupportedError, EdiSyntaxError), match=reason):
        edi.detect(pdf)


def test_extended_group_lines_are_subtotals_not_items() -> None:
    path = CONFORMANCE / "mustang/UC10_F202600004_EXTENDED_FX_CII_Commentee.xml"
    if not path.is_file():
        pytest.skip("conformance files not present")
    message = codec.decode(path.read_bytes())
    assert isinstance(message.document, Invoice), message.error
    lines = message.document.lines
    assert [line.line_id for line in lines] == ["2", "3", "5", "6"]  # lines 1 and 4 are GROUP lines
    assert sum(line.net_amount for line in lines) == message.document.totals.line_total
