"""The one way XML is parsed in this package: no network, no DTD, no entity expansion, a size cap.

Every XML reader in ``edi.xml`` calls :func:`parse_xml`; nothing else constructs an lxml parser for
untrusted input. Documents that declare a DOCTYPE are refused outright: business documents never
need one, and refusing it closes XXE, billion-laughs and external-DTD attacks at once.
"""

from __future__ import annotations

import re

from lxml import etree

from edi.errors import EdiSyntaxError, Position, UnsafeXmlError

__all__ = ["DEFAULT_MAX_BYTES", "parse_xml"]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Literal "<!DOCTYPE"/"<!ENTITY" can only stand in markup, a comment or CDATA; refusing all three is
# cheaper than parsing twice and costs nothing for real business documents. The declaration is looked
# for in every encoding an XML parser detects on its own (UTF-8/ASCII, UTF-16 and UTF-32 either way
# round, EBCDIC): a UTF-16 document spells "<!DOCTYPE" with a NUL after every letter.
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _declaration(codec: str) -> bytes:
    def enc(text: str) -> bytes:
        return re.escape(text.encode(codec))

    return enc("<!") + b"(?:" + enc("DOCTYPE") + b"|" + enc("ENTITY") + b")"


_DECLARATION = re.compile(
    b"|".join([rb"<!(?:DOCTYPE|ENTITY)", *(_declaration(c) for c in (*_WIDE, "cp037"))]), re.IGNORECASE
)


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe and are cheap to build.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted XML bytes and return the root element.

    Raises :class:`~edi.errors.UnsafeXmlError` for input over ``max_bytes`` or with a DTD or entity
    declaration, and :class:`~edi.errors.EdiSyntaxError` (with line and column) for XML that is not
    well-formed.
    """
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"XML document of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    if _DECLARATION.search(data):
        raise UnsafeXmlError("XML documents with a DOCTYPE or entity declarations are refused")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise EdiSyntaxError(
            f"XML is not well-formed: {exc.msg}", position=Position(line=line, column=column)
        ) from exc
    if root is None:
        raise EdiSyntaxError("XML document is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # second line of defence: a declaration in an encoding the scan above does not know
        raise UnsafeXmlError("XML documents with a DOCTYPE or entity declarations are refused")
    return root
