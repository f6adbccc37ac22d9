"""UN/CEFACT Cross Industry Invoice <-> Invoice: CII D16B as used by EN 16931, XRechnung and
Factur-X / ZUGFeRD 2.x, plus ZUGFeRD 1.0 (``CrossIndustryDocument``, read only).

Factur-X MINIMUM and BASIC WL documents carry no invoice lines: they are booking aids, not
EN 16931 invoices (in Germany they are not e-invoices at all). Decoding them raises
:class:`~edi.errors.UnsupportedError` naming the profile, so they are kept and shown, never booked.

Dropped on decode (not in :class:`~edi.documents.Invoice`): document and line allowances/charges
(their totals stay in ``totals``), gross prices and price base quantities, invoice periods,
attachments, and the BT-111 VAT total in accounting currency.
"""

from __future__ import annotations

from lxml import etree

from edi.documents import Invoice
from edi.errors import EncodeError, NotAnInvoiceError, UnsupportedError
from edi.xml._tree import CII_RSM, ZF1_RSM
from edi.xml.cii._read import D16B, ZUGFERD1, endpoint, read_invoice
from edi.xml.cii._write import EN16931_GUIDELINE, XRECHNUNG_GUIDELINE, write_invoice
from edi.xml.schemas import cii_profile

__all__ = ["EN16931_GUIDELINE", "NOT_INVOICES", "XRECHNUNG_GUIDELINE", "decode", "encode", "parties"]

#: Guideline IDs whose documents are not full invoices.
NOT_INVOICES = {"urn:factur-x.eu:1p0:minimum": "MINIMUM", "urn:factur-x.eu:1p0:basicwl": "BASIC WL"}


def decode(root: etree._Element) -> Invoice:
    """Map a ``CrossIndustryInvoice`` (D16B) or ZUGFeRD 1.0 ``CrossIndustryDocument`` root element."""
    profile = cii_profile(root)
    if profile in NOT_INVOICES:
        raise NotAnInvoiceError(
            f"Factur-X {NOT_INVOICES[profile]} ({profile}) carries no invoice lines and is not an EN 16931 "
            "invoice; send the EN 16931, EXTENDED or XRECHNUNG profile"
        )
    if root.tag == f"{{{CII_RSM}}}CrossIndustryInvoice":
        return read_invoice(D16B, root)
    if root.tag == f"{{{ZF1_RSM}}}CrossIndustryDocument":
        return read_invoice(ZUGFERD1, root)
    raise UnsupportedError(f"{root.tag} is not a cross industry invoice")


def parties(root: etree._Element) -> tuple[str | None, str | None]:
    """(seller, buyer) electronic address or GLN, for the envelope."""
    dialect = ZUGFERD1 if root.tag == f"{{{ZF1_RSM}}}CrossIndustryDocument" else D16B
    r = dialect.reader
    agreement = r.first(root, f"{dialect.transaction}/{dialect.agreement}")
    if agreement is None:
        return None, None
    return (
        endpoint(dialect, r.first(agreement, "ram:SellerTradeParty")),
        endpoint(dialect, r.first(agreement, "ram:BuyerTradeParty")),
    )


def encode(invoice: Invoice, *, profile: str | None = None) -> bytes:
    """Write ``invoice`` as CII D16B; ``profile="xrechnung"`` sets the XRechnung 3.0 guideline ID."""
    if profile not in (None, "en16931", "xrechnung"):
        raise EncodeError(f"unknown CII profile {profile!r}: use 'xrechnung', 'en16931' or none")
    return write_invoice(
        invoice, guideline=XRECHNUNG_GUIDELINE if profile == "xrechnung" else EN16931_GUIDELINE
    )
