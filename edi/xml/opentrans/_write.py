"""Writing helpers: build openTRANS/BMEcat elements, refusing values the XSD would reject.

Length limits are those of the openTRANS 2.1 / BMEcat 2005 XSD for the elements the encoders write;
a value that does not fit raises :class:`~edi.errors.EncodeError` instead of producing a file the
partner's schema check would bounce.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from edi.errors import EncodeError
from edi.xml.opentrans._codes import BME_NS, OT, OT_NS, VERSION
from edi.xml.opentrans._read import qname

__all__ = ["MAX_LENGTH", "decimal_text", "new_root", "put", "put_date", "put_decimal", "sub"]

MAX_LENGTH = {
    "bme:PARTY_ID": 250,
    "bme:BUYER_IDREF": 250,
    "bme:SUPPLIER_IDREF": 250,
    "INVOICE_RECIPIENT_IDREF": 250,
    "INVOICE_ISSUER_IDREF": 250,
    "DELIVERY_IDREF": 250,
    "REMITTEE_IDREF": 250,
    "bme:NAME": 50,
    "bme:NAME2": 50,
    "bme:CONTACT_NAME": 50,
    "bme:STREET": 50,
    "bme:ZIP": 20,
    "bme:CITY": 50,
    "bme:COUNTRY": 50,
    "bme:VAT_ID": 50,
    "bme:PHONE": 50,
    "bme:EMAIL": 255,
    "ORDER_ID": 250,
    "SUPPLIER_ORDER_ID": 250,
    "INVOICE_ID": 250,
    "DISPATCHNOTIFICATION_ID": 250,
    "DELIVERYNOTE_ID": 250,
    "LINE_ITEM_ID": 50,
    "bme:SUPPLIER_PID": 32,
    "bme:INTERNATIONAL_PID": 100,
    "bme:BUYER_PID": 50,
    "bme:DESCRIPTION_SHORT": 150,
    "bme:DESCRIPTION_LONG": 64000,
    "LOT_NUMBER": 80,
    "PACKAGE_ID": 50,
    "PACKAGE_DESCR": 300,
    "SHIPMENT_ID": 250,
    "REMARKS": 64000,
    "HOLDER": 50,
    "BANK_ACCOUNT": 100,
    "BANK_CODE": 50,
    "PAYMENT_TERM": 250,
    "bme:EXEMPTION_REASON": 250,
    "bme:TAX_CATEGORY": 80,
    "bme:STATE": 50,
    "ALLOW_OR_CHARGE_NAME": 80,
    "ALLOW_OR_CHARGE_TYPE": 30,
    "GENERATOR_INFO": 250,
    "STOP_AUTOMATIC_PROCESSING": 250,
}


def new_root(name: str, **attributes: str) -> etree._Element:
    """An openTRANS 2.1 root element with the usual prefixes (default namespace, ``bmecat:``)."""
    return etree.Element(
        OT + name, nsmap={None: OT_NS, "bmecat": BME_NS}, attrib={"version": VERSION, **attributes}
    )


def sub(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    """Append ``name`` (``"bme:X"`` for BMEcat) to ``parent`` with optional text and attributes."""
    element = etree.SubElement(parent, qname(name), attrib=attributes or None)
    if text is not None:
        limit = MAX_LENGTH.get(name)
        if limit is not None and len(text) > limit:
            raise EncodeError(
                f"{name.removeprefix('bme:')} {text[:60]!r} has {len(text)} characters; "
                f"openTRANS 2.1 allows {limit}"
            )
        if not text:
            raise EncodeError(f"{name.removeprefix('bme:')} must not be empty in openTRANS 2.1")
        try:
            element.text = text
        except ValueError as exc:  # control characters, which XML 1.0 cannot carry
            raise EncodeError(
                f"{name.removeprefix('bme:')} {text[:60]!r} cannot be written as XML: {exc}"
            ) from exc
    return element


def put(parent: etree._Element, name: str, value: str | None, **attributes: str) -> None:
    if value is not None:
        sub(parent, name, value, **attributes)


def decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise EncodeError(f"{value} is not a finite number")
    # Fixed-point: xsd:decimal has no exponent notation.
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def put_decimal(parent: etree._Element, name: str, value: Decimal | None) -> None:
    if value is not None:
        sub(parent, name, decimal_text(value))


def put_date(parent: etree._Element, name: str, value: date | datetime | None) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        sub(parent, name, value.isoformat(timespec="seconds"))
    else:
        sub(parent, name, value.isoformat())
