"""The canonical business documents every codec reads and writes.

One model for all formats: EDIFACT ORDERS, X12 850, openTRANS ORDER and UBL Order all decode to a
:class:`PurchaseOrder`. The documents are immutable (frozen dataclasses, tuples for repeated
parts), typed, and free of any format detail: quantities and amounts are :class:`~decimal.Decimal`,
dates are :class:`~datetime.date`, timestamps are timezone-aware :class:`~datetime.datetime`,
units are UN/ECE Recommendation 20 codes (``C62`` piece, ``KGM`` kilogram, ...), currencies ISO 4217,
countries ISO 3166-1 alpha-2.

Fields a format cannot carry stay ``None`` after a round trip through that format; the codec tests
list them per format. Decoding a file, encoding the document in the same format and decoding that
again gives an equal document: a codec reads exactly what it writes.

Parties: the roles the portal works with have named fields (``buyer``, ``seller``, ``ship_to``,
``payee``, ...). Every further party a file names goes to ``other_parties`` as an
:class:`OtherParty`, in file order, tagged with its role: a name from :data:`PARTY_ROLES` when the
role is one several formats share (``bill_to``, ``ship_from``, ``payer``, ...), else the format's
own code prefixed by the format (``"x12:DU"``, ``"edifact:CN"``, ``"opentrans:marketplace"``). A
second party in a named role (a second ship-to) is an other party in that role. Encoders write the
shared roles they have a code or element for and their own format's codes; a role another format
coined is not written.

The envelope (who sent the interchange, its control reference) is not part of the document: it is
returned beside it in :class:`Message`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TypeAlias

from edi.errors import EdiError

__all__ = [
    "PARTY_ROLES",
    "AckError",
    "AckStatus",
    "Acknowledgement",
    "Address",
    "AllowanceCharge",
    "ChangeAction",
    "Contact",
    "DespatchAdvice",
    "DespatchLine",
    "Document",
    "Envelope",
    "Invoice",
    "InvoiceLine",
    "InvoiceResponse",
    "InvoiceResponseStatus",
    "LineStatus",
    "Message",
    "MessageAck",
    "MonetaryTotals",
    "OrderChange",
    "OrderChangeLine",
    "OrderLine",
    "OrderPurpose",
    "OrderResponse",
    "OrderResponseLine",
    "OtherParty",
    "Package",
    "Party",
    "PaymentTerms",
    "PurchaseOrder",
    "ReceivingAdvice",
    "ReceivingLine",
    "RemittanceAdvice",
    "RemittanceLine",
    "ResponseStatus",
    "ScheduleLine",
    "TaxSubtotal",
]


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address. ``region`` is the state, province or other subdivision of the country (X12
    N402, EDIFACT NAD C819, UBL CountrySubentity, CII CountrySubDivisionName, EN 16931 BT-39): a
    code where the format sends one (``"CA"``), else the name."""

    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    additional: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    """A trading party. ``gln`` is the GS1 Global Location Number (13 digits); ``party_id`` an
    identifier assigned by the other side (customer number, supplier number) when there is no GLN."""

    name: str | None = None
    gln: str | None = None
    party_id: str | None = None
    vat_id: str | None = None
    address: Address | None = None
    contact: Contact | None = None


PARTY_ROLES = frozenset(
    {
        "bill_to",  # invoicee, the party the invoice is addressed to (X12 BT, EDIFACT IV)
        "buyer",
        "carrier",
        "consignee",
        "end_user",
        "invoice_issuer",  # issues the invoice for the seller (X12 II, EDIFACT II)
        "ordered_by",
        "payee",  # receives the payment (X12 PE, EDIFACT PE)
        "payer",  # pays (X12 PR, EDIFACT PR, CII PayerTradeParty)
        "remit_to",  # where remittances go (X12 RE)
        "seller",
        "ship_from",  # goods leave from (X12 SF, EDIFACT SF, CII ShipFromTradeParty)
        "ship_to",  # delivery party (X12 ST, EDIFACT DP/ST)
        "supplier",
        "tax_representative",  # seller's tax representative (EN 16931 BG-11)
        "ultimate_consignee",
        "vendor",
    }
)
"""The role names :class:`OtherParty` uses for roles several formats share."""


@dataclass(frozen=True, slots=True)
class OtherParty:
    """A party in a role the document has no named field for, or a further party in a named role.
    ``role`` is a :data:`PARTY_ROLES` name or ``"<format>:<code>"`` (see the module docstring)."""

    role: str
    party: Party


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str
    quantity: Decimal
    unit: str = "C62"
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    requested_date: date | None = None


class OrderPurpose(enum.StrEnum):
    """An order, or the cancellation of an order sent before (EDIFACT BGM 1225 9/1, X12 BEG01 00/01).
    Only EDIFACT and X12 carry a cancellation; the XML encoders refuse one rather than send an order."""

    ORIGINAL = "original"
    CANCELLATION = "cancellation"


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    number: str
    issue_date: date
    buyer: Party
    seller: Party
    lines: tuple[OrderLine, ...]
    currency: str | None = None
    delivery_party: Party | None = None
    invoicee: Party | None = None
    requested_delivery_date: date | None = None
    note: str | None = None
    purpose: OrderPurpose = OrderPurpose.ORIGINAL
    other_parties: tuple[OtherParty, ...] = ()


class ChangeAction(enum.StrEnum):
    """What an order change does to a line (EDIFACT LIN 1229 1/3/2, X12 POC02 AI/CA/DI, UBL
    LineStatusCode 1/3/2 of UNCL 1229)."""

    ADDED = "added"
    CHANGED = "changed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OrderChangeLine:
    """One line of an order change. For ``ADDED`` and ``CHANGED`` the quantity (and date, price)
    are the line's new values; a ``CANCELLED`` line carries its identification only."""

    line_id: str
    action: ChangeAction
    quantity: Decimal | None = None
    unit: str = "C62"
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    description: str | None = None
    unit_price: Decimal | None = None
    requested_date: date | None = None


@dataclass(frozen=True, slots=True)
class OrderChange:
    """The buyer's change of an order sent before (EDIFACT ORDCHG, X12 860, UBL OrderChange): the
    changed, added and cancelled lines. ``number`` names the change document, ``order_number`` and
    ``order_date`` the order it changes (EDIFACT RFF+ON with DTM+171, X12 BCH03/BCH06, UBL
    OrderReference). ``sequence`` counts the order's changes (X12 BCH05, UBL SequenceNumberID;
    EDIFACT does not carry it: its BGM number names the change)."""

    number: str
    order_number: str
    issue_date: date
    buyer: Party
    seller: Party
    lines: tuple[OrderChangeLine, ...]
    sequence: str | None = None
    order_date: date | None = None
    currency: str | None = None
    note: str | None = None
    other_parties: tuple[OtherParty, ...] = ()


class ResponseStatus(enum.StrEnum):
    """Whole-order answer (EDIFACT BGM 1225 / X12 BAK01 / UBL OrderResponseCode)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CHANGED = "changed"


class LineStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    """One delivery of a line the supplier splits into several (EDIFACT SCC with QTY and DTM, X12 ACK
    or SCH, UBL LineItem/Delivery): ``quantity`` on ``delivery_date``."""

    quantity: Decimal
    delivery_date: date


@dataclass(frozen=True, slots=True)
class OrderResponseLine:
    """The supplier's answer for one order line. For ``CHANGED`` any of quantity, promised date and
    unit price may differ from the order; for ``ACCEPTED`` they confirm it; for ``REJECTED``
    quantity is zero or ``None``.

    ``schedule``: the deliveries of a line split into several dates (two or more, by date); then
    ``quantity`` is their sum and ``promised_date`` the last one's date. Empty when not split (a
    single delivery is the line's quantity and promised date)."""

    line_id: str
    status: LineStatus
    quantity: Decimal | None = None
    unit: str = "C62"
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    unit_price: Decimal | None = None
    promised_date: date | None = None
    schedule: tuple[ScheduleLine, ...] = ()


def schedule_of(parts: list[tuple[Decimal, date]]) -> tuple[ScheduleLine, ...]:
    """The schedule of a line from the deliveries a file names (in any order): by date, and empty
    unless there are two or more (one delivery is the line's own quantity and date)."""
    if len(parts) < 2:
        return ()
    return tuple(ScheduleLine(q, d) for q, d in sorted(parts, key=lambda part: part[1]))


@dataclass(frozen=True, slots=True)
class OrderResponse:
    number: str
    order_number: str
    issue_date: date
    status: ResponseStatus
    buyer: Party
    seller: Party
    lines: tuple[OrderResponseLine, ...] = ()
    currency: str | None = None
    note: str | None = None
    other_parties: tuple[OtherParty, ...] = ()


@dataclass(frozen=True, slots=True)
class DespatchLine:
    line_id: str
    quantity: Decimal
    unit: str = "C62"
    order_line_id: str | None = None
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    description: str | None = None
    batch_number: str | None = None
    best_before: date | None = None


@dataclass(frozen=True, slots=True)
class Package:
    """A handling unit. ``sscc`` is the 18-digit Serial Shipping Container Code when labelled."""

    lines: tuple[DespatchLine, ...]
    sscc: str | None = None
    package_type: str | None = None


@dataclass(frozen=True, slots=True)
class DespatchAdvice:
    number: str
    order_number: str
    issue_date: date
    buyer: Party
    seller: Party
    packages: tuple[Package, ...]
    ship_to: Party | None = None
    despatch_date: date | None = None
    expected_delivery_date: date | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    other_parties: tuple[OtherParty, ...] = ()

    @property
    def lines(self) -> tuple[DespatchLine, ...]:
        return tuple(line for package in self.packages for line in package.lines)


@dataclass(frozen=True, slots=True)
class AllowanceCharge:
    """An allowance (``charge=False``) or a charge (``charge=True``): on the document EN 16931 BG-20 /
    BG-21, on a line BG-27 / BG-28. ``amount`` is BT-92/99/136/141, ``base_amount`` the amount the
    ``percentage`` applies to (BT-93/100/137/142, BT-94/101/138/143), ``reason_code`` a UNTDID 5189
    (allowance) or 7161 (charge) code or the code the format uses (X12 SAC02 ``C310``), ``reason``
    the text (BT-97/104/139/144). ``vat_category`` and ``vat_rate`` (BT-95/96, BT-102/103) are set
    on document level; EN 16931 has none on a line. ``amount`` is None only where a format states
    a percentage alone (X12, EDIFACT, openTRANS allow that)."""

    charge: bool
    amount: Decimal | None
    base_amount: Decimal | None = None
    percentage: Decimal | None = None
    reason_code: str | None = None
    reason: str | None = None
    vat_category: str | None = None
    vat_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """EN 16931 BG-25. ``net_amount`` is BT-131 (quantity x net price, after line allowances)."""

    line_id: str
    quantity: Decimal
    net_price: Decimal
    net_amount: Decimal
    unit: str = "C62"
    order_line_id: str | None = None
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    description: str | None = None
    vat_category: str = "S"
    vat_rate: Decimal | None = None
    allowances_charges: tuple[AllowanceCharge, ...] = ()


@dataclass(frozen=True, slots=True)
class TaxSubtotal:
    """EN 16931 BG-23: one VAT category and rate with its taxable and tax amounts."""

    category: str
    rate: Decimal | None
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True)
class MonetaryTotals:
    """EN 16931 BG-22."""

    line_total: Decimal
    tax_exclusive: Decimal
    tax_total: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    allowance_total: Decimal | None = None
    charge_total: Decimal | None = None
    prepaid: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    """EN 16931 BT-20 (``description``), BT-9 (``due_date``), BG-16 payment means, and the cash
    discount (Skonto) where the format structures it: ``discount_percent`` off when paid within
    ``discount_days`` of the invoice date, the net amount due within ``net_days`` (X12 ITD, EDIFACT
    PAT with PCD+12, openTRANS TIME_FOR_PAYMENT). UBL and CII carry the description and due date only
    (EN 16931 has no structured discount; XRechnung writes it into the description)."""

    description: str | None = None
    due_date: date | None = None
    iban: str | None = None
    bic: str | None = None
    payment_means_code: str | None = None
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    net_days: int | None = None


@dataclass(frozen=True, slots=True)
class Invoice:
    """EN 16931 invoice. ``type_code`` is UNTDID 1001 (380 invoice, 381 credit note, 384 corrected).
    ``buyer_reference`` is BT-10 (the Leitweg-ID for German public buyers); ``invoice_reference``
    BT-25, the preceding invoice a credit note corrects (EDIFACT RFF+IV, X12 REF*OI, UBL
    BillingReference, CII InvoiceReferencedDocument)."""

    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    tax_subtotals: tuple[TaxSubtotal, ...]
    totals: MonetaryTotals
    type_code: str = "380"
    order_number: str | None = None
    despatch_number: str | None = None
    buyer_reference: str | None = None
    delivery_date: date | None = None
    payee: Party | None = None
    ship_to: Party | None = None
    payment_terms: PaymentTerms | None = None
    note: str | None = None
    allowances_charges: tuple[AllowanceCharge, ...] = ()
    other_parties: tuple[OtherParty, ...] = ()
    invoice_reference: str | None = None


@dataclass(frozen=True, slots=True)
class RemittanceLine:
    """One invoice (or credit note) a payment settles: its number, what is paid of it now and, where
    known, its own amount and date (EDIFACT DOC group with MOA 12 / 77, X12 RMR with DTM 003)."""

    invoice_number: str
    amount_paid: Decimal
    invoice_amount: Decimal | None = None
    invoice_date: date | None = None


@dataclass(frozen=True, slots=True)
class RemittanceAdvice:
    """The payer's advice of a payment (EDIFACT REMADV, X12 820): ``number`` is the payment's
    reference (BGM 1004 / TRN02), ``payment_date`` the value date (DTM 209 / BPR16), ``total`` the
    amount paid (MOA 9 / BPR02), ``lines`` the invoices it settles."""

    number: str
    issue_date: date
    payment_date: date
    currency: str
    payer: Party
    payee: Party
    total: Decimal
    lines: tuple[RemittanceLine, ...]


#: Why a receiving line differs from what was shipped: fewer arrived (``short``), some damaged,
#: the wrong article, more than was shipped (``over``), or another reason. On the wire: EDIFACT QVR
#: 4221 (UNTDID discrepancy nature: BP, AF, AC; ``wrong_item`` WI and ``other`` ZZZ mutually
#: defined), X12 861 RCD08 (412 receiving condition: 02, 01, 05, 03; ``other`` ZZ mutually defined);
#: see the codec modules. An unknown code reads as ``other`` with a warning.
RECEIVING_REASONS = ("short", "damaged", "wrong_item", "over", "other")


@dataclass(frozen=True, slots=True)
class ReceivingLine:
    """One order line as received: ``quantity`` counted in all, of it ``quantity_damaged`` unusable,
    ``reason`` (one of `RECEIVING_REASONS`) and ``note`` when it differs from the ship notice."""

    line_id: str
    quantity: Decimal
    unit: str = "C62"
    quantity_damaged: Decimal = Decimal(0)
    order_line_id: str | None = None
    gtin: str | None = None
    supplier_article: str | None = None
    buyer_article: str | None = None
    description: str | None = None
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReceivingAdvice:
    """The receiver's account of a delivery (EDIFACT RECADV, X12 861): ``number`` the receipt's
    reference, ``receipt_date`` when the goods arrived, ``order_number`` the buyer's order,
    ``despatch_number`` the ship notice it answers (where known)."""

    number: str
    issue_date: date
    receipt_date: date
    order_number: str
    buyer: Party
    seller: Party
    lines: tuple[ReceivingLine, ...]
    despatch_number: str | None = None


class InvoiceResponseStatus(enum.StrEnum):
    """The buyer's decision on an invoice, as UNCL 4343 response codes (Peppol Invoice Response):
    AB received, IP in process, UQ under query (disputed), CA conditionally accepted, RE rejected,
    AP approved, PD paid."""

    ACKNOWLEDGED = "AB"
    IN_PROCESS = "IP"
    UNDER_QUERY = "UQ"
    CONDITIONALLY_ACCEPTED = "CA"
    REJECTED = "RE"
    APPROVED = "AP"
    PAID = "PD"


@dataclass(frozen=True, slots=True)
class InvoiceResponse:
    """What the buyer decided about one invoice (Peppol Invoice Response, EDIFACT COMDIS, X12 824),
    or the seller's answer to a dispute in the same message. ``number`` is the response's own
    reference, ``invoice_number`` / ``invoice_date`` / ``invoice_type`` (UNTDID 1001) name the
    invoice, ``reason`` is the text the other side reads. ``reason_code`` and ``action_code`` are
    the Peppol clarification codes (OPStatusReason: REF, PRI, QTY, ..., OTH; OPStatusAction: NOA,
    PIN, NIN, CNF, CNP, CNA, OTH): only UBL carries them."""

    number: str
    issue_date: date
    status: InvoiceResponseStatus
    invoice_number: str
    buyer: Party
    seller: Party
    invoice_date: date | None = None
    invoice_type: str = "380"
    reason: str | None = None
    reason_code: str | None = None
    action_code: str | None = None


class AckStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PARTIALLY_ACCEPTED = "partially_accepted"


@dataclass(frozen=True, slots=True)
class AckError:
    """One reported fault. ``code`` is the code of the acknowledging syntax (EDIFACT 0085, X12 716/718/
    720, or a free code in XML responses)."""

    code: str
    text: str | None = None
    segment_tag: str | None = None
    segment_index: int | None = None
    element: int | None = None
    component: int | None = None


@dataclass(frozen=True, slots=True)
class MessageAck:
    message_reference: str
    message_type: str | None
    status: AckStatus
    errors: tuple[AckError, ...] = ()


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """A syntax or application acknowledgement (CONTRL, APERAK, 997, 999, TA1, UBL
    ApplicationResponse, openTRANS has none). ``interchange_reference`` is the acknowledged
    interchange's control reference (UNB 0020 / ISA13); ``group_reference`` its group (UNG 0048 /
    GS06) where there is one; ``document_reference`` the business document an application
    acknowledgement answers (APERAK, ApplicationResponse)."""

    interchange_reference: str
    status: AckStatus
    kind: str = "syntax"  # "syntax" (CONTRL/997/999/TA1) or "application" (APERAK/ApplicationResponse)
    group_reference: str | None = None
    document_reference: str | None = None
    sender: Party | None = None
    recipient: Party | None = None
    messages: tuple[MessageAck, ...] = ()
    errors: tuple[AckError, ...] = ()
    issue_date: date | None = None


Document: TypeAlias = (
    PurchaseOrder
    | OrderChange
    | OrderResponse
    | DespatchAdvice
    | Invoice
    | RemittanceAdvice
    | ReceivingAdvice
    | InvoiceResponse
    | Acknowledgement
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """The interchange and message headers around a document.

    On decode every field that the file carried is filled; on encode the caller supplies
    sender, recipient and control references (control numbers come from a per-partner sequence,
    never from the codec). ``syntax`` is the format-specific syntax identifier and version
    ("UNOC:3", "00401"), ``version`` the message version ("D96A", "D01B", "004010", "2.1").
    ``association`` the EANCOM/industry subset ("EAN008"), ``group_reference`` UNG 0048 / GS06.
    """

    sender: str
    recipient: str
    control_reference: str
    message_reference: str = "1"
    sender_qualifier: str | None = None
    recipient_qualifier: str | None = None
    group_reference: str | None = None
    syntax: str | None = None
    version: str | None = None
    association: str | None = None
    prepared_at: datetime | None = None
    test: bool = False
    ack_requested: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """One decoded message: its envelope, and either the document or the error that kept it from
    being one. A bad message in an interchange of fifty yields one ``Message`` with ``error`` set and
    forty-nine with documents."""

    format: str  # "edifact", "x12", "ubl", "cii", "opentrans", "zugferd"
    message_type: str  # "ORDERS", "850", "Invoice", "ORDER", ...
    envelope: Envelope
    document: Document | None = None
    error: EdiError | None = None
    segment_count: int | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None and self.document is not None
