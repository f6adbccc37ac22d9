"""UBL 2.1 / Peppol BIS 3 documents <-> the canonical business documents.

=====================  ==========================================
UBL root               document
=====================  ==========================================
Order                  :class:`~edi.documents.PurchaseOrder`
OrderChange            :class:`~edi.documents.OrderChange`
OrderResponse          :class:`~edi.documents.OrderResponse`
OrderResponseSimple    :class:`~edi.documents.OrderResponse` (read only)
DespatchAdvice         :class:`~edi.documents.DespatchAdvice`
Invoice, CreditNote    :class:`~edi.documents.Invoice`
ApplicationResponse    :class:`~edi.documents.Acknowledgement` (a message level response)
ApplicationResponse    :class:`~edi.documents.InvoiceResponse` (Peppol Invoice Response 3)
=====================  ==========================================

OrderCancellation, ReceiptAdvice and Catalogue are recognised but not mapped
(:class:`~edi.errors.UnsupportedError`).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from edi.documents import (
    Acknowledgement,
    DespatchAdvice,
    Document,
    Invoice,
    InvoiceResponse,
    OrderChange,
    OrderResponse,
    PurchaseOrder,
)
from edi.errors import EncodeError, UnsupportedError
from edi.xml.ubl._party import R
from edi.xml.ubl.application_response import decode_application_response, encode_application_response
from edi.xml.ubl.despatch import decode_despatch_advice, encode_despatch_advice
from edi.xml.ubl.invoice import (
    EN16931_CUSTOMIZATION,
    XRECHNUNG_CUSTOMIZATION,
    decode_invoice,
    encode_invoice,
)
from edi.xml.ubl.invoice_response import (
    PEPPOL_INVOICE_RESPONSE,
    decode_invoice_response,
    encode_invoice_response,
)
from edi.xml.ubl.order import decode_order, encode_order
from edi.xml.ubl.order_change import decode_order_change, encode_order_change
from edi.xml.ubl.order_response import (
    decode_order_response,
    decode_order_response_simple,
    encode_order_response,
)

__all__ = ["DECODERS", "EN16931_CUSTOMIZATION", "XRECHNUNG_CUSTOMIZATION", "decode", "encode"]


def _decode_response(root: etree._Element) -> Document:
    """A Peppol Invoice Response by its CustomizationID; any other ApplicationResponse is a message
    level response."""
    customization = R.text(root, "cbc:CustomizationID") or ""
    if customization.startswith(PEPPOL_INVOICE_RESPONSE[0]):
        return decode_invoice_response(root)
    return decode_application_response(root)


DECODERS: dict[str, Callable[[etree._Element], Document]] = {
    "Order": decode_order,
    "OrderChange": decode_order_change,
    "OrderResponse": decode_order_response,
    "OrderResponseSimple": decode_order_response_simple,
    "DespatchAdvice": decode_despatch_advice,
    "Invoice": decode_invoice,
    "CreditNote": decode_invoice,
    "ApplicationResponse": _decode_response,
}


def decode(root: etree._Element) -> Document:
    """Map a parsed UBL root element to its business document."""
    name = etree.QName(root).localname
    decoder = DECODERS.get(name)
    if decoder is None:
        raise UnsupportedError(f"UBL {name} is recognised but not mapped to a business document")
    return decoder(root)


def encode(document: Document, *, profile: str | None = None) -> bytes:
    """Write ``document`` as UBL 2.1. ``profile="xrechnung"`` marks an invoice as XRechnung 3.0."""
    if profile not in (None, "xrechnung", "en16931", "peppol"):
        raise EncodeError(f"unknown UBL profile {profile!r}: use 'xrechnung', 'en16931' or none")
    if isinstance(document, Invoice):
        customization = XRECHNUNG_CUSTOMIZATION if profile == "xrechnung" else EN16931_CUSTOMIZATION
        return encode_invoice(document, customization=customization)
    if profile == "xrechnung":
        raise EncodeError("the XRechnung profile applies to invoices only")
    if isinstance(document, PurchaseOrder):
        return encode_order(document)
    if isinstance(document, OrderChange):
        return encode_order_change(document)
    if isinstance(document, OrderResponse):
        return encode_order_response(document)
    if isinstance(document, DespatchAdvice):
        return encode_despatch_advice(document)
    if isinstance(document, Acknowledgement):
        return encode_application_response(document)
    if isinstance(document, InvoiceResponse):
        return encode_invoice_response(document)
    raise EncodeError(f"{type(document).__name__} has no UBL mapping")
