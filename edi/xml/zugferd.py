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
from typing import Any

from edi.errors import EdiError, EdiSyntaxError, EncodeError, UnsafeXmlError, UnsupportedError
from edi.xml.safe import DEFAULT_MAX_BYTES

__all__ = ["EMBEDDED_NAMES", "embed_xml", "extract_xml", "is_pdf"]

#: Accepted embedded file names, lower-cased, in order of preference.
EMBEDDED_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


def is_pdf(data: bytes) -> bool:
    """True when ``data`` starts like a PDF (``%PDF-`` within the first 1024 bytes, as readers allow)."""
    return b"%PDF-" in data[:1024]


def extract_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes]:
    """Return ``(file name, XML bytes)`` of the invoice embedded in a ZUGFeRD / Factur-X PDF.

    Raises UnsafeXmlError for a PDF over ``max_bytes`` or an attachment that inflates past it (a
    compression bomb stops at the cap, it is never inflated whole), EdiSyntaxError for bytes pypdf
    cannot read (whatever pypdf raised is named in the message: nothing else escapes),
    UnsupportedError when the PDF holds no invoice attachment under an accepted name or packs it with
    a filter we do not decode (JBIG2 and other image filters). Only the chosen attachment is decoded,
    and no external program (jbig2dec) is ever run.
    """
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"PDF of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    import io

    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import DependencyError, LimitReachedError

    # pypdf logs recoverable oddities of real-world PDFs; they are not errors of ours.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    limits = {
        name: max_bytes
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "jbig2_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "image_maximum_buffer_size",
            "maximum_declared_stream_length",
        )
    }
    stage = "the PDF cannot be read"
    try:
        with apply_configuration(None, jbig2dec_binary=None, **limits):
            reader = PdfReader(io.BytesIO(data), strict=False)
            found: dict[str, Any] = {}
            for entry in reader.attachment_list:
                found.setdefault(str(entry.name).lower(), entry)
            for wanted in EMBEDDED_NAMES:
                if wanted in found:
                    entry = found[wanted]
                    stage = f"the embedded {entry.name} cannot be read"
                    return str(entry.name), _content(entry, max_bytes)
    except EdiError:
        raise
    except LimitReachedError as exc:
        raise UnsafeXmlError(f"{stage}: it inflates to more than {max_bytes} bytes ({exc})") from None
    except (DependencyError, NotImplementedError) as exc:
        raise UnsupportedError(f"{stage}: it uses a filter this reader does not decode ({exc})") from None
    except RecursionError:
        raise EdiSyntaxError(f"{stage}: its objects nest too deeply") from None
    except Exception as exc:  # pypdf raises many types on malformed files
        raise EdiSyntaxError(f"{stage}: {type(exc).__name__}: {exc}") from None
    names = ", ".join(sorted(found)) or "none"
    raise UnsupportedError(
        f"the PDF carries no ZUGFeRD / Factur-X invoice (expected an embedded file named one of "
        f"{', '.join(EMBEDDED_NAMES)}; found: {names})"
    )


def _content(entry: Any, max_bytes: int) -> bytes:
    try:
        content = entry.content
    except AttributeError:  # pypdf calls get_data() on whatever /EF /F points at
        content = None
    if not isinstance(content, bytes):
        raise EdiSyntaxError(
            f"the embedded {entry.name} is not a file stream (its /EF /F entry is no stream)"
        )
    if len(content) > max_bytes:
        raise UnsafeXmlError(
            f"embedded {entry.name} of {len(content)} bytes exceeds the limit of {max_bytes} bytes"
        )
    return content


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
