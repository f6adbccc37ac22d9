"""ZUGFeRD / Factur-X: the invoice XML embedded in a PDF/A-3.

The XML is an embedded file (``/EmbeddedFiles`` name tree of the PDF catalog) named
``factur-x.xml`` (Factur-X 1.0 / ZUGFeRD 2.1+), ``zugferd-invoice.xml`` (ZUGFeRD 2.0),
``ZUGFeRD-invoice.xml`` (ZUGFeRD 1.0) or ``xrechnung.xml`` (XRechnung in ZUGFeRD 2.1+). The PDF is
read with pypdf; nothing in it is rendered or executed.

:func:`embed_xml` attaches an invoice XML to an existing PDF the way Factur-X does (embedded file,
``/AFRelationship``, catalog ``/AF``). It does not make the PDF PDF/A-3 conformant (no XMP metadata,
fonts and colour profiles are left as they are): the result is readable by ZUGFeRD / Factur-X
readers but is not a certified hybrid invoice.
"""

from __future__ import annotations

import logging

from edi.errors import EdiSyntaxError, EncodeError, UnsafeXmlError, UnsupportedError
from edi.xml.safe import DEFAULT_MAX_BYTES

__all__ = ["EMBEDDED_NAMES", "embed_xml", "extract_xml", "is_pdf"]

#: Accepted embedded file names, lower-cased, in order of preference.
EMBEDDED_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


def is_pdf(data: bytes) -> bool:
    """True when ``data`` starts like a PDF (``%PDF-`` within the first 1024 bytes, as readers allow)."""
    return b"%PDF-" in data[:1024]


def extract_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes]:
    """Return ``(file name, XML bytes)`` of the invoice embedded in a ZUGFeRD / Factur-X PDF.

    Raises UnsafeXmlError for a PDF over ``max_bytes``, EdiSyntaxError for bytes pypdf cannot read,
    UnsupportedError when the PDF holds no invoice attachment under an accepted name.
    """
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"PDF of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    # pypdf logs recoverable oddities of real-world PDFs; they are not errors of ours.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        attachments = reader.attachments
        found = {name.lower(): (name, contents) for name, contents in attachments.items()}
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError) as exc:
        raise EdiSyntaxError(f"the PDF cannot be read: {exc}") from exc
    for wanted in EMBEDDED_NAMES:
        if wanted in found:
            name, contents = found[wanted]
            if not contents:
                break
            xml = contents[0]
            if len(xml) > max_bytes:
                raise UnsafeXmlError(
                    f"embedded {name} of {len(xml)} bytes exceeds the limit of {max_bytes} bytes"
                )
            return name, xml
    names = ", ".join(sorted(found)) or "none"
    raise UnsupportedError(
        f"the PDF carries no ZUGFeRD / Factur-X invoice (expected an embedded file named one of "
        f"{', '.join(EMBEDDED_NAMES)}; found: {names})"
    )


def embed_xml(
    pdf: bytes, xml: bytes, *, name: str = "factur-x.xml", relationship: str = "Alternative"
) -> bytes:
    """Return ``pdf`` with ``xml`` attached as ``name`` (an associated file with ``relationship``:
    Alternative for Factur-X 1.0 EN 16931 and above, Data for MINIMUM/BASIC WL, Source for XRechnung)."""
    if name.lower() not in EMBEDDED_NAMES:
        raise EncodeError(f"embedded invoice must be named one of {', '.join(EMBEDDED_NAMES)}, not {name!r}")
    if relationship not in ("Alternative", "Data", "Source"):
        raise EncodeError(f"AFRelationship must be Alternative, Data or Source, not {relationship!r}")
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError, PdfStreamError
    from pypdf.generic import ArrayObject, NameObject

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf), strict=False))
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError) as exc:
        raise EncodeError(f"the PDF to carry the invoice cannot be read: {exc}") from exc
    attachment = writer.add_attachment(name, xml)
    attachment.associated_file_relationship = NameObject(f"/{relationship}")
    attachment.subtype = NameObject("/text/xml")
    reference = attachment.pdf_object.indirect_reference
    existing = writer.root_object.get("/AF")
    associated = ArrayObject(list(existing.get_object()) if existing is not None else [])
    associated.append(reference)
    writer.root_object[NameObject("/AF")] = associated
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
