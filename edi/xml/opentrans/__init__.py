"""openTRANS 2.1 codec: ORDER, ORDERCHANGE, ORDERRESPONSE, DISPATCHNOTIFICATION and INVOICE <-> canonical
documents.

openTRANS 2.1 (namespace ``http://www.opentrans.org/XMLSchema/2.1``, BMEcat 2005 types) is one XML
document per file; there is no interchange envelope. :func:`decode` builds the :class:`Envelope`
from the header: the sender and recipient are the GLN (else the first other PARTY_ID) of the
document's sending and receiving party (buyer -> supplier for ORDER and ORDERCHANGE, supplier ->
buyer for the others), ``control_reference`` is the document id (ORDERCHANGE: ``<ORDER_ID>-<sequence>``),
``version`` is ``"2.1"``, ``prepared_at`` is CONTROL_INFO/GENERATION_DATE and ``test`` is set by
CONTROL_INFO/STOP_AUTOMATIC_PROCESSING.

Mapping ::

    ORDER                 <-> PurchaseOrder
    ORDERCHANGE           <-> OrderChange       (line action in UDX.ECRM.LINE_ACTION, see _change)
    ORDERRESPONSE         <-> OrderResponse     (status in UDX.ECRM.* fields, see _udx)
    DISPATCHNOTIFICATION  <-> DespatchAdvice
    INVOICE               <-> Invoice
    INVOICELIST           UnsupportedError: a collective statement of invoice references (e.g. a
                          credit-card statement) with no lines or parties of its own to map
    QUOTATION, RFQ, RECEIPTACKNOWLEDGEMENT, REMITTANCEADVICE
                          UnsupportedError

Besides the XSD (which this codec does not run; see ``edi.xml.schemas``) the decoder checks content:
every party IDREF names a declared PARTY, quantities are positive (ORDERRESPONSE: zero rejects a
line; ORDERCHANGE: zero or negative cancels one), units are BMEcat/Rec 20 codes, GLNs and GTINs
carry valid check digits, TOTAL_ITEM_NUM and the amounts add up, line ids are unique, a dispatch
notification covers one order, and UDX fields keep the partner agreement (:class:`UdxRule`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lxml import etree

from edi.documents import (
    DespatchAdvice,
    Document,
    Envelope,
    Invoice,
    Message,
    OrderChange,
    OrderResponse,
    PurchaseOrder,
)
from edi.errors import EdiError, EncodeError, MappingError, UnsupportedError
from edi.xml.opentrans._change import decode_order_change, encode_order_change
from edi.xml.opentrans._codes import OT, OT_NS, VERSION
from edi.xml.opentrans._despatch import decode_despatch, encode_despatch
from edi.xml.opentrans._invoice import decode_invoice, encode_invoice
from edi.xml.opentrans._items import Decoded
from edi.xml.opentrans._order import decode_order, encode_order
from edi.xml.opentrans._parties import DeclaredParty
from edi.xml.opentrans._read import find, local_name, qname, text_of, timestamp_of
from edi.xml.opentrans._response import decode_order_response, encode_order_response
from edi.xml.opentrans._udx import DEFAULT_UDX_RULES, UdxRule, check_udx
from edi.xml.safe import parse_xml

__all__ = ["DEFAULT_UDX_RULES", "FORMAT", "NAMESPACE", "VERSION", "UdxRule", "decode", "detect", "encode"]

FORMAT = "opentrans"
NAMESPACE = OT_NS

_DECODERS: dict[str, tuple[Callable[[etree._Element], Decoded], str, str]] = {
    # root -> (decoder, header element, document id element)
    "ORDER": (decode_order, "ORDER_HEADER/ORDER_INFO", "ORDER_ID"),
    "ORDERCHANGE": (decode_order_change, "ORDERCHANGE_HEADER/ORDERCHANGE_INFO", "ORDER_ID"),
    "ORDERRESPONSE": (decode_order_response, "ORDERRESPONSE_HEADER/ORDERRESPONSE_INFO", "ORDER_ID"),
    "DISPATCHNOTIFICATION": (
        decode_despatch,
        "DISPATCHNOTIFICATION_HEADER/DISPATCHNOTIFICATION_INFO",
        "DISPATCHNOTIFICATION_ID",
    ),
    "INVOICE": (decode_invoice, "INVOICE_HEADER/INVOICE_INFO", "INVOICE_ID"),
}


def detect(data: bytes) -> str | None:
    """The root element name (``"ORDER"``, ``"INVOICE"``, ...) when ``data`` is an openTRANS 2.1
    document, else ``None``. Never raises for bad input."""
    try:
        root = parse_xml(data)
    except EdiError:
        return None
    if not str(root.tag).startswith(OT) or root.get("version") != VERSION:
        return None
    return local_name(root)


def decode(data: bytes, *, udx_rules: Mapping[str, UdxRule] = DEFAULT_UDX_RULES) -> Message:
    """Decode one openTRANS 2.1 file.

    Raises :class:`~edi.errors.UnsafeXmlError` / :class:`~edi.errors.EdiSyntaxError` for bytes that
    are not safe, well-formed XML and :class:`~edi.errors.UnsupportedError` for XML that is not an
    openTRANS 2.1 ORDER, ORDERCHANGE, ORDERRESPONSE, DISPATCHNOTIFICATION or INVOICE. A well-formed
    document whose content cannot become a business document comes back as a :class:`Message` with
    ``error`` set to the :class:`~edi.errors.MappingError` (with the element path and line) and the
    envelope as far as the header could be read.
    """
    root = parse_xml(data)
    name = local_name(root)
    if not str(root.tag).startswith(OT):
        raise UnsupportedError(f"root element {root.tag} is not in the openTRANS 2.1 namespace {OT_NS}")
    if root.get("version") != VERSION:
        raise UnsupportedError(
            f"openTRANS version {root.get('version')!r} is not supported; only 2.1 is mapped"
        )
    if name == "INVOICELIST":
        raise UnsupportedError(
            "openTRANS INVOICELIST is a collective statement of invoice references (e.g. a credit-card "
            "statement); it has no canonical document. Send each invoice as an openTRANS INVOICE"
        )
    if name not in _DECODERS:
        raise UnsupportedError(
            f"openTRANS {name} is not mapped to a business document; "
            "supported: ORDER, ORDERCHANGE, ORDERRESPONSE, DISPATCHNOTIFICATION, INVOICE"
        )
    decoder, header_path, id_name = _DECODERS[name]
    control = find(root, header_path.split("/")[0], "CONTROL_INFO")
    try:
        check_udx((*root.iter(qname("HEADER_UDX")), *root.iter(qname("ITEM_UDX"))), udx_rules)
        decoded = decoder(root)
        prepared_at = timestamp_of(find(control, "GENERATION_DATE")) if control is not None else None
    except MappingError as error:
        info = find(root, *header_path.split("/"))
        reference = text_of(find(info, id_name)) if info is not None else None
        envelope = Envelope(sender="", recipient="", control_reference=reference or "", version=VERSION)
        return Message(format=FORMAT, message_type=name, envelope=envelope, error=error)
    warnings = list(decoded.warnings)
    if control is not None and find(control, "STOP_AUTOMATIC_PROCESSING") is not None:
        warnings.append(f"STOP_AUTOMATIC_PROCESSING: {text_of(find(control, 'STOP_AUTOMATIC_PROCESSING'))}")
    sender, sender_qualifier = _identity(decoded.sender)
    recipient, recipient_qualifier = _identity(decoded.recipient)
    envelope = Envelope(
        sender=sender,
        recipient=recipient,
        control_reference=_number(decoded.document),
        sender_qualifier=sender_qualifier,
        recipient_qualifier=recipient_qualifier,
        version=VERSION,
        prepared_at=prepared_at,
        test=control is not None and find(control, "STOP_AUTOMATIC_PROCESSING") is not None,
    )
    return Message(
        format=FORMAT,
        message_type=name,
        envelope=envelope,
        document=decoded.document,
        warnings=tuple(warnings),
    )


def _number(document: Document) -> str:
    if isinstance(document, PurchaseOrder | OrderChange | OrderResponse | DespatchAdvice | Invoice):
        return document.number
    raise TypeError(type(document).__name__)  # pragma: no cover - decoders build only these five


def _identity(declared: DeclaredParty) -> tuple[str, str | None]:
    party = declared.party
    if party.gln:
        return party.gln, "gln"
    return party.party_id or "", declared.id_type


_ENCODERS: dict[type, tuple[str, Callable[..., etree._Element]]] = {
    PurchaseOrder: ("ORDER", encode_order),
    OrderChange: ("ORDERCHANGE", encode_order_change),
    OrderResponse: ("ORDERRESPONSE", encode_order_response),
    DespatchAdvice: ("DISPATCHNOTIFICATION", encode_despatch),
    Invoice: ("INVOICE", encode_invoice),
}


def encode(document: Document, *, envelope: Envelope | None = None) -> bytes:
    """Write ``document`` as an openTRANS 2.1 file (UTF-8, XSD-valid).

    Sender and recipient come from the document's parties; of the ``envelope`` only ``prepared_at``
    (CONTROL_INFO/GENERATION_DATE, must be timezone-aware) and ``test`` (STOP_AUTOMATIC_PROCESSING)
    are written, because openTRANS has no interchange header. Raises
    :class:`~edi.errors.EncodeError` for documents openTRANS cannot express (see the module
    docstring and the codec tests for the fields that are dropped instead) and
    :class:`~edi.errors.UnsupportedError` for acknowledgements (openTRANS has none).
    """
    entry = _ENCODERS.get(type(document))
    if entry is None:
        raise UnsupportedError(f"openTRANS 2.1 has no document for {type(document).__name__}")
    _, encoder = entry
    try:
        root = encoder(document, envelope)
    except (TypeError, ValueError) as exc:  # a malformed document (wrong field types)
        raise EncodeError(f"cannot write {type(document).__name__} as openTRANS: {exc}") from exc
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
