"""The XML codec: recognise, decode and encode UBL 2.1 / Peppol, CII / XRechnung and ZUGFeRD / Factur-X.

``decode`` raises for input that is not a business document it knows (:class:`~edi.errors.UnsafeXmlError`,
:class:`~edi.errors.EdiSyntaxError`, :class:`~edi.errors.UnsupportedError` for unknown roots and
for openTRANS / BMEcat, which :mod:`edi.xml.opentrans` maps). For a recognised document it returns a
:class:`~edi.documents.Message`; when the document fails its schema (``validate=True``) or cannot be
mapped, the error is in ``Message.error`` and the envelope still names sender and document.

Envelope on decode: ``sender``/``recipient`` are the parties' electronic addresses (UBL
``cbc:EndpointID``, CII ``ram:URIUniversalCommunication``) or else their GLN, ``control_reference``
is the document number, ``version`` the syntax version ("2.1" for UBL, "D16B" for CII, "1.0" for
ZUGFeRD 1.0) and ``association`` the specification identifier (UBL CustomizationID, CII guideline).

Business rules (EN 16931, XRechnung, Factur-X) are not run by ``decode``; see
:mod:`edi.xml.einvoice` (validation by scenario) and :mod:`edi.xml.schematron`.
"""

from __future__ import annotations

import io

from lxml import etree

from edi.documents import Document, Envelope, Invoice, Message
from edi.errors import EdiError, EncodeError, UnsupportedError
from edi.xml import cii, ubl
from edi.xml._tree import CII_RSM, UBL_CAC, UBL_CBC, ZF1_RSM, Reader
from edi.xml.safe import parse_xml
from edi.xml.schemas import SchemaStore, cii_profile
from edi.xml.ubl._party import GLN_SCHEMES
from edi.xml.zugferd import extract_xml, is_pdf

__all__ = ["decode", "detect", "encode"]

_UBL_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
_OPENTRANS = "http://www.opentrans.org/XMLSchema/2.1"
_BMECAT = "http://www.bmecat.org/bmecat/2005"
_ORDERX = "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
_R = Reader({"cbc": UBL_CBC, "cac": UBL_CAC})

# (sender path, recipient path) of the party elements per UBL root
_UBL_PARTIES = {
    "Invoice": ("cac:AccountingSupplierParty/cac:Party", "cac:AccountingCustomerParty/cac:Party"),
    "CreditNote": ("cac:AccountingSupplierParty/cac:Party", "cac:AccountingCustomerParty/cac:Party"),
    "Order": ("cac:BuyerCustomerParty/cac:Party", "cac:SellerSupplierParty/cac:Party"),
    "OrderChange": ("cac:BuyerCustomerParty/cac:Party", "cac:SellerSupplierParty/cac:Party"),
    "OrderCancellation": ("cac:BuyerCustomerParty/cac:Party", "cac:SellerSupplierParty/cac:Party"),
    "OrderResponse": ("cac:SellerSupplierParty/cac:Party", "cac:BuyerCustomerParty/cac:Party"),
    "OrderResponseSimple": ("cac:SellerSupplierParty/cac:Party", "cac:BuyerCustomerParty/cac:Party"),
    "DespatchAdvice": ("cac:DespatchSupplierParty/cac:Party", "cac:DeliveryCustomerParty/cac:Party"),
    "ApplicationResponse": ("cac:SenderParty", "cac:ReceiverParty"),
}


def _root_name(data: bytes) -> tuple[str, str] | None:
    """(namespace, local name) of the first element, reading no further than its start tag."""
    try:
        events = etree.iterparse(
            io.BytesIO(data),
            events=("start",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        for _, element in events:
            qname = etree.QName(element)
            return qname.namespace or "", qname.localname
    except (etree.XMLSyntaxError, ValueError):
        # ValueError: a prefix without its namespace declaration makes an invalid tag name here
        # (iterparse lets it through; parse_xml refuses the document with its position)
        return None
    return None


def detect(data: bytes) -> tuple[str, str | None] | None:
    """Recognise an XML business document (or a ZUGFeRD / Factur-X PDF) from its root element.

    Returns ``(format, message type)``: ``("ubl", "Invoice")``, ``("cii", "CrossIndustryInvoice")``,
    ``("zugferd", "CrossIndustryInvoice")`` for a PDF with an embedded invoice or
    ``("zugferd", "CrossIndustryDocument")`` for ZUGFeRD 1.0 XML, ``("opentrans", "ORDER")``,
    ``("bmecat", "BMECAT")``, ``("orderx", "SCRDMCCBDACIOMessageStructure")``; ``None`` otherwise.
    """
    if is_pdf(data):
        try:
            _, xml = extract_xml(data)
        except EdiError:
            return None
        found = _root_name(xml)
        return ("zugferd", found[1]) if found else None
    found = _root_name(data)
    if found is None:
        return None
    namespace, local = found
    if namespace == f"{_UBL_PREFIX}{local}-2":
        return "ubl", local
    if namespace == CII_RSM and local == "CrossIndustryInvoice":
        return "cii", local
    if namespace == ZF1_RSM and local == "CrossIndustryDocument":
        return "zugferd", local
    if namespace == _OPENTRANS:
        return "opentrans", local
    if namespace == _BMECAT:
        return "bmecat", local
    if namespace == _ORDERX:
        return "orderx", local
    return None


def _endpoint(party: etree._Element | None) -> str | None:
    if party is None:
        return None
    value = _R.text(party, "cbc:EndpointID")
    if value:
        return value
    for ident in _R.all(party, "cac:PartyIdentification/cbc:ID"):
        if ident.get("schemeID") in GLN_SCHEMES and ident.text and ident.text.strip():
            return str(ident.text).strip()
    return None


def _envelope(fmt: str, local: str, root: etree._Element) -> Envelope:
    if fmt == "ubl":
        sender_path, recipient_path = _UBL_PARTIES.get(local, ("", ""))
        sender = _endpoint(_R.first(root, sender_path)) if sender_path else None
        recipient = _endpoint(_R.first(root, recipient_path)) if recipient_path else None
        return Envelope(
            sender=sender or "",
            recipient=recipient or "",
            control_reference=_R.text(root, "cbc:ID") or "",
            version=_R.text(root, "cbc:UBLVersionID") or "2.1",
            association=_R.text(root, "cbc:CustomizationID"),
        )
    seller, buyer = cii.parties(root)
    number = None
    for element in root.iter("{*}ExchangedDocument", "{*}HeaderExchangedDocument"):
        number = next(
            (c.text.strip() for c in element if isinstance(c.tag, str) and c.tag.endswith("}ID") and c.text),
            None,
        )
        break
    return Envelope(
        sender=seller or "",
        recipient=buyer or "",
        control_reference=number or "",
        version="1.0" if local == "CrossIndustryDocument" else "D16B",
        association=cii_profile(root),
    )


def decode(data: bytes, *, validate: bool = False, schemas: SchemaStore | None = None) -> Message:
    """Decode one UBL, CII or ZUGFeRD/Factur-X (PDF or XML) document. With ``validate`` the XML is
    checked against its XSD first (``schemas`` or the store at ``EDI_SCHEMA_DIR``)."""
    if is_pdf(data):
        # errors here are precise: unreadable PDF, or which attachments it does carry
        _, xml = extract_xml(data)
        inner = detect(xml)
        found = ("zugferd", inner[1]) if inner is not None else None
        syntax = inner[0] if inner is not None else "cii"
    else:
        xml = data
        found = detect(data)
        syntax = found[0] if found is not None else "cii"
    if found is None:
        parse_xml(xml)  # unsafe or malformed input says so precisely
        raise UnsupportedError("not an XML business document this codec knows (UBL 2.1, CII, ZUGFeRD)")
    fmt, local = found
    if syntax in ("opentrans", "bmecat", "orderx"):
        raise UnsupportedError(f"{syntax} documents are not decoded by the UBL/CII codec (root {local})")
    root = parse_xml(xml)
    name = local or etree.QName(root).localname
    envelope = _envelope(syntax, name, root)
    store = schemas or SchemaStore()
    if validate:
        store.locate(root)  # a missing schema folder is a configuration error, raised
    try:
        if validate:
            store.validate(root)
        document: Document = ubl.decode(root) if syntax == "ubl" else cii.decode(root)
    except EdiError as exc:
        return Message(format=fmt, message_type=name, envelope=envelope, error=exc)
    return Message(format=fmt, message_type=name, envelope=envelope, document=document)


def encode(document: Document, *, syntax: str = "ubl", profile: str | None = None) -> bytes:
    """Encode ``document`` as ``syntax`` "ubl" (every document kind) or "cii" (invoices).
    ``profile="xrechnung"`` writes the XRechnung 3.0 specification identifier."""
    if syntax == "ubl":
        return ubl.encode(document, profile=profile)
    if syntax == "cii":
        if not isinstance(document, Invoice):
            raise EncodeError(f"CII carries invoices only, not {type(document).__name__}")
        return cii.encode(document, profile=profile)
    raise EncodeError(f"unknown XML syntax {syntax!r}: use 'ubl' or 'cii'")
