"""Read a UN/CEFACT Cross Industry Invoice into an Invoice: CII D16B (EN 16931, XRechnung, Factur-X /
ZUGFeRD 2.x) and its predecessor ZUGFeRD 1.0 (CrossIndustryDocument), which differ only in element
names. The :class:`Dialect` holds those names."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from edi.documents import (
    Address,
    Contact,
    Invoice,
    InvoiceLine,
    MonetaryTotals,
    Party,
    PaymentTerms,
    TaxSubtotal,
)
from edi.errors import MappingError
from edi.xml._tree import CII_NS, ZF1_NS, Reader, position_of, to_decimal
from edi.xml.cii._allowances import read_allowances, read_other_parties


@dataclass(frozen=True, slots=True)
class Dialect:
    reader: Reader
    context: str
    document: str
    transaction: str
    agreement: str
    delivery: str
    settlement: str
    header_sum: str
    line_agreement: str
    line_delivery: str
    line_settlement: str
    line_sum: str
    rate: str
    reference_id: str
    despatch: str
    # ZUGFeRD 1.0 allows lines without LineID (numbered by position), pure text lines (skipped) and
    # BASIC documents without DuePayableAmount (then the grand total less prepaid amounts).
    legacy: bool = False


D16B = Dialect(
    reader=Reader(CII_NS),
    context="rsm:ExchangedDocumentContext",
    document="rsm:ExchangedDocument",
    transaction="rsm:SupplyChainTradeTransaction",
    agreement="ram:ApplicableHeaderTradeAgreement",
    delivery="ram:ApplicableHeaderTradeDelivery",
    settlement="ram:ApplicableHeaderTradeSettlement",
    header_sum="ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    line_agreement="ram:SpecifiedLineTradeAgreement",
    line_delivery="ram:SpecifiedLineTradeDelivery",
    line_settlement="ram:SpecifiedLineTradeSettlement",
    line_sum="ram:SpecifiedTradeSettlementLineMonetarySummation",
    rate="ram:RateApplicablePercent",
    reference_id="ram:IssuerAssignedID",
    despatch="ram:DespatchAdviceReferencedDocument",
)
ZUGFERD1 = Dialect(
    reader=Reader(ZF1_NS),
    context="rsm:SpecifiedExchangedDocumentContext",
    document="rsm:HeaderExchangedDocument",
    transaction="rsm:SpecifiedSupplyChainTradeTransaction",
    agreement="ram:ApplicableSupplyChainTradeAgreement",
    delivery="ram:ApplicableSupplyChainTradeDelivery",
    settlement="ram:ApplicableSupplyChainTradeSettlement",
    header_sum="ram:SpecifiedTradeSettlementMonetarySummation",
    line_agreement="ram:SpecifiedSupplyChainTradeAgreement",
    line_delivery="ram:SpecifiedSupplyChainTradeDelivery",
    line_settlement="ram:SpecifiedSupplyChainTradeSettlement",
    line_sum="ram:SpecifiedTradeSettlementMonetarySummation",
    rate="ram:ApplicablePercent",
    reference_id="ram:ID",
    despatch="ram:DeliveryNoteReferencedDocument",
    legacy=True,
)
GLN_SCHEME = "0088"
GTIN_SCHEME = "0160"


def read_party(d: Dialect, el: etree._Element | None) -> Party | None:
    if el is None:
        return None
    r = d.reader
    gln = None
    for ident in r.all(el, "ram:GlobalID"):
        if ident.get("schemeID") == GLN_SCHEME and ident.text and ident.text.strip():
            gln = ident.text.strip()
            break
    vat = None
    for reg in r.all(el, "ram:SpecifiedTaxRegistration/ram:ID"):
        if reg.get("schemeID") == "VA" and reg.text and reg.text.strip():
            vat = reg.text.strip()
            break
    address_el = r.first(el, "ram:PostalTradeAddress")
    address = None
    if address_el is not None:
        address = Address(
            street=r.text(address_el, "ram:LineOne"),
            city=r.text(address_el, "ram:CityName"),
            postal_code=r.text(address_el, "ram:PostcodeCode"),
            country_code=r.text(address_el, "ram:CountryID"),
            additional=r.text(address_el, "ram:LineTwo"),
            region=r.text(address_el, "ram:CountrySubDivisionName"),
        )
        address = None if address == Address() else address
    contact_el = r.first(el, "ram:DefinedTradeContact")
    contact = None
    if contact_el is not None:
        contact = Contact(
            name=r.text(contact_el, "ram:PersonName"),
            phone=r.text(contact_el, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
            email=r.text(contact_el, "ram:EmailURIUniversalCommunication/ram:URIID"),
        )
        contact = None if contact == Contact() else contact
    party = Party(
        name=r.text(el, "ram:Name"),
        gln=gln,
        party_id=r.text(el, "ram:ID"),
        vat_id=vat,
        address=address,
        contact=contact,
    )
    return None if party == Party() else party


def endpoint(d: Dialect, el: etree._Element | None) -> str | None:
    """Electronic address (BT-34/BT-49) or the GLN of a trade party."""
    value = d.reader.text(el, "ram:URIUniversalCommunication/ram:URIID")
    if value:
        return value
    party = read_party(d, el)
    return party.gln if party else None


def _line(d: Dialect, el: etree._Element, number: int) -> InvoiceLine:
    r = d.reader
    agreement = r.first(el, d.line_agreement)
    settlement = r.first(el, d.line_settlement)
    qty = r.first(el, f"{d.line_delivery}/ram:BilledQuantity")
    if qty is None:
        raise MappingError(
            "invoiced quantity (BT-129) is missing: expected BilledQuantity", position=position_of(el)
        )
    product = r.first(el, "ram:SpecifiedTradeProduct")
    gtin = None
    for ident in r.all(el, "ram:SpecifiedTradeProduct/ram:GlobalID"):
        if ident.get("schemeID") in (None, GTIN_SCHEME) and ident.text and ident.text.strip():
            gtin = ident.text.strip()
            break
    tax = r.first(settlement, "ram:ApplicableTradeTax") if settlement is not None else None
    line_id = r.text(el, "ram:AssociatedDocumentLineDocument/ram:LineID")
    if line_id is None:
        if not d.legacy:
            raise MappingError(
                "invoice line identifier (BT-126) is missing: expected "
                "ram:AssociatedDocumentLineDocument/ram:LineID",
                position=position_of(el),
            )
        line_id = str(number)
    if settlement is None or (agreement is None and not d.legacy):
        raise MappingError(
            f"invoice line {line_id} lacks its trade agreement or settlement", position=position_of(el)
        )
    quantity = r.required_decimal(el, f"{d.line_delivery}/ram:BilledQuantity", "invoiced quantity (BT-129)")
    net_amount = r.required_decimal(
        settlement, f"{d.line_sum}/ram:LineTotalAmount", "line net amount (BT-131)"
    )
    net_price = r.decimal(agreement, "ram:NetPriceProductTradePrice/ram:ChargeAmount")
    if net_price is None:
        if not d.legacy:
            raise MappingError(
                f"item net price (BT-146) of line {line_id} is missing: expected "
                "ram:NetPriceProductTradePrice/ram:ChargeAmount",
                position=position_of(el),
            )
        # ZUGFeRD 1.0 BASIC lines may state only the line total
        net_price = net_amount / quantity if quantity else net_amount
    return InvoiceLine(
        line_id=line_id,
        quantity=quantity,
        net_price=net_price,
        net_amount=net_amount,
        unit=qty.get("unitCode") or "C62",
        order_line_id=r.text(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID"),
        gtin=gtin,
        supplier_article=r.text(product, "ram:SellerAssignedID"),
        buyer_article=r.text(product, "ram:BuyerAssignedID"),
        description=r.text(product, "ram:Name") or r.text(product, "ram:Description"),
        vat_category=r.text(tax, "ram:CategoryCode") or "S",
        vat_rate=r.decimal(tax, d.rate),
        allowances_charges=read_allowances(r, settlement, d.rate, vat=False),
    )


# Factur-X EXTENDED line sub-types (EXT-FR-FE-163) that are not invoiced items: a GROUP line carries
# the subtotal of the DETAIL lines that name it as their parent, an INFORMATION line only text.
_NOT_ITEMS = frozenset({"GROUP", "INFORMATION"})


def _lines(d: Dialect, trade: etree._Element) -> tuple[InvoiceLine, ...]:
    items = [
        el
        for el in d.reader.all(trade, "ram:IncludedSupplyChainTradeLineItem")
        if d.reader.text(el, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode") not in _NOT_ITEMS
    ]
    if d.legacy:  # text-only lines carry no delivery
        items = [
            el for el in items if d.reader.first(el, f"{d.line_delivery}/ram:BilledQuantity") is not None
        ]
    return tuple(_line(d, el, number) for number, el in enumerate(items, start=1))


def _payable(d: Dialect, summary: etree._Element) -> Decimal:
    due = d.reader.decimal(summary, "ram:DuePayableAmount")
    if due is not None:
        return due
    if d.legacy:
        grand = d.reader.required_decimal(summary, "ram:GrandTotalAmount", "total with VAT (BT-112)")
        return grand - (d.reader.decimal(summary, "ram:TotalPrepaidAmount") or Decimal("0"))
    raise MappingError(
        "amount due (BT-115) is missing: expected ram:DuePayableAmount", position=position_of(summary)
    )


def _category(d: Dialect, tax: etree._Element) -> str:
    code = d.reader.text(tax, "ram:CategoryCode")
    if code is not None:
        return code
    if d.legacy:  # ZUGFeRD 1.0 BASIC has no category code: it covers the standard rate only
        return "S"
    raise MappingError(
        "VAT category code (BT-118) is missing: expected ram:CategoryCode", position=position_of(tax)
    )


def read_invoice(d: Dialect, root: etree._Element) -> Invoice:
    r = d.reader
    doc = r.first(root, d.document)
    trade = r.first(root, d.transaction)
    if doc is None or trade is None:
        raise MappingError(
            "not a complete cross industry invoice: the exchanged document or the trade "
            "transaction is missing",
            position=position_of(root),
        )
    agreement = r.first(trade, d.agreement)
    delivery = r.first(trade, d.delivery)
    settlement = r.first(trade, d.settlement)
    if agreement is None or settlement is None:
        raise MappingError("header trade agreement or settlement is missing", position=position_of(trade))
    currency = r.required(settlement, "ram:InvoiceCurrencyCode", "invoice currency code (BT-5)")
    summary = r.first(settlement, d.header_sum)
    if summary is None:
        raise MappingError("document totals (BG-22) are missing", position=position_of(settlement))
    tax_total: Decimal | None = None
    for amount in r.all(summary, "ram:TaxTotalAmount"):
        if amount.get("currencyID") in (None, currency) and amount.text and amount.text.strip():
            tax_total = to_decimal(amount.text, amount)
            break
    totals = MonetaryTotals(
        line_total=r.required_decimal(summary, "ram:LineTotalAmount", "sum of line net amounts (BT-106)"),
        tax_exclusive=r.required_decimal(summary, "ram:TaxBasisTotalAmount", "total without VAT (BT-109)"),
        tax_total=tax_total if tax_total is not None else Decimal("0"),
        tax_inclusive=r.required_decimal(summary, "ram:GrandTotalAmount", "total with VAT (BT-112)"),
        payable=_payable(d, summary),
        allowance_total=r.decimal(summary, "ram:AllowanceTotalAmount"),
        charge_total=r.decimal(summary, "ram:ChargeTotalAmount"),
        prepaid=r.decimal(summary, "ram:TotalPrepaidAmount"),
    )
    subtotals = tuple(
        TaxSubtotal(
            category=_category(d, tax),
            rate=r.decimal(tax, d.rate),
            taxable_amount=r.required_decimal(tax, "ram:BasisAmount", "VAT category taxable amount (BT-116)"),
            tax_amount=r.required_decimal(tax, "ram:CalculatedAmount", "VAT category tax amount (BT-117)"),
            exemption_reason=r.text(tax, "ram:ExemptionReason"),
        )
        for tax in r.all(settlement, "ram:ApplicableTradeTax")
    )
    means = r.first(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    terms = r.first(settlement, "ram:SpecifiedTradePaymentTerms")
    payment = PaymentTerms(
        description=r.text(terms, "ram:Description"),
        due_date=r.date(terms, "ram:DueDateDateTime/udt:DateTimeString"),
        iban=r.text(means, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
        bic=r.text(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        payment_means_code=r.text(means, "ram:TypeCode"),
    )
    issue = r.date(doc, "ram:IssueDateTime/udt:DateTimeString")
    if issue is None:
        raise MappingError("invoice issue date (BT-2) is missing", position=position_of(doc))
    seller = read_party(d, r.first(agreement, "ram:SellerTradeParty"))
    buyer = read_party(d, r.first(agreement, "ram:BuyerTradeParty"))
    if seller is None or buyer is None:
        raise MappingError("seller (BG-4) or buyer (BG-7) is missing", position=position_of(agreement))
    notes = [n.text.strip() for n in r.all(doc, "ram:IncludedNote/ram:Content") if n.text and n.text.strip()]
    return Invoice(
        number=r.required(doc, "ram:ID", "invoice number (BT-1)"),
        issue_date=issue,
        currency=currency,
        seller=seller,
        buyer=buyer,
        lines=_lines(d, trade),
        tax_subtotals=subtotals,
        totals=totals,
        type_code=r.text(doc, "ram:TypeCode") or "380",
        order_number=r.text(agreement, f"ram:BuyerOrderReferencedDocument/{d.reference_id}"),
        despatch_number=r.text(delivery, f"{d.despatch}/{d.reference_id}"),
        invoice_reference=r.text(settlement, f"ram:InvoiceReferencedDocument/{d.reference_id}"),
        buyer_reference=r.text(agreement, "ram:BuyerReference"),
        delivery_date=r.date(
            delivery, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"
        ),
        payee=read_party(d, r.first(settlement, "ram:PayeeTradeParty")),
        ship_to=read_party(d, r.first(delivery, "ram:ShipToTradeParty")) if delivery is not None else None,
        payment_terms=None if payment == PaymentTerms() else payment,
        note="\n".join(notes) or None,
        allowances_charges=read_allowances(r, settlement, d.rate, vat=True),
        other_parties=read_other_parties(
            {"agreement": agreement, "delivery": delivery, "settlement": settlement},
            r,
            lambda el: read_party(d, el),
        ),
    )
